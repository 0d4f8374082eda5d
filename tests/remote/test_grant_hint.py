"""A permission error from Virtuoso names the GRANT that fixes it (issue 13 point 6)."""

from treatygraph.store.remote_http import error_message

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
