"""A permission error from Virtuoso names the GRANT that fixes it (issue 13 point 6)."""

import urllib.error
import urllib.parse
import urllib.request

from treatygraph.store.remote_http import error_message

from . import virtuoso as vt

# Virtuoso's body when SPARQL Update runs without the SPARQL_UPDATE role (from issue 13).
DENIED = (
    b"Virtuoso 42000 Error SR186: SECURITY: No permission to execute procedure "
    b"DB.DBA.SPARUL_DROP with user ID 107, group ID 107\n\nSPARQL query:\nDROP SILENT GRAPH <g>"
)


def test_permission_error_names_the_grant() -> None:
    message = error_message(500, DENIED)
    assert message.startswith("HTTP 500: Virtuoso 42000 Error SR186")
    assert 'GRANT SPARQL_UPDATE TO "SPARQL";' in message


def test_other_errors_have_no_grant_hint() -> None:
    assert "GRANT" not in error_message(400, b"Virtuoso 37000 Error SP030: syntax error")


def test_live_virtuoso_without_the_grant_names_it(virtuoso: vt.Virtuoso) -> None:
    """Revoke the role on the test Virtuoso, try an update, then restore the role."""

    virtuoso.isql_run('REVOKE SPARQL_UPDATE FROM "SPARQL";\n')
    try:
        body = urllib.parse.urlencode({"update": "DROP SILENT GRAPH <urn:x:grant-test>"})
        req = urllib.request.Request(virtuoso.sparql_url, data=body.encode(), method="POST")
        try:
            with urllib.request.urlopen(req, timeout=20) as resp:
                status, data = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, data = err.code, err.read()
    finally:
        virtuoso.isql_run('GRANT SPARQL_UPDATE TO "SPARQL";\n')
    assert status >= 400
    assert 'GRANT SPARQL_UPDATE TO "SPARQL";' in error_message(status, data)
