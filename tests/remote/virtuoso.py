"""Start and stop a throwaway Virtuoso 7.2 (Debian ``virtuoso-opensource``) on 127.0.0.1.

Everything lives in one temporary directory: a ``virtuoso.ini`` with the SQL and HTTP
ports bound to 127.0.0.1, a fresh database, and the log. The server runs in the
foreground in its own process group, so :meth:`Virtuoso.stop` ends exactly what was
started. The anonymous ``SPARQL`` user is granted ``SPARQL_UPDATE`` (through ``isql-vt``)
so the app can load over plain HTTP (SPARQL Update at /sparql, Graph Store Protocol at
/sparql-graph-crud). ``ResultSetMaxRows`` is raised above the app's RESULT_CAP: Virtuoso
otherwise cuts results at 10,000 rows without an error.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from treatygraph.testing import free_port

START_TIMEOUT = 60.0
VSP_ROOT = "/var/lib/virtuoso-opensource-7/vsp"

INI = """\
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
Striping           = 0

[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
CheckpointInterval = 60
CaseMode           = 2
DirsAllowed        = ., {d}
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
ThreadsPerQuery    = 2

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {vsp}
MaxClientConnections = 10
ServerThreads        = 10
Charset              = UTF-8

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryExecutionTime      = 60
MaxQueryCostEstimationTime = 400
"""


def binaries() -> tuple[str, str] | None:
    """(virtuoso-t, isql-vt) when both are installed."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    return (server, isql) if server and isql else None


@dataclass
class Virtuoso:
    proc: subprocess.Popen[bytes]
    workdir: Path
    sql_port: int
    http_port: int
    isql: str
    started_in: float = 0.0  #: seconds from spawn to the first answered query

    @property
    def sparql_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def store_path(self) -> str:
        """The app's STORE_PATH for this server."""
        return f"sparql+{self.sparql_url}"

    @property
    def graph_store_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud"

    def isql_run(self, sql: str, timeout: float = 30.0) -> str:
        out = subprocess.run(
            [self.isql, f"127.0.0.1:{self.sql_port}", "dba", "dba"],
            input=sql.encode(),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        text = out.stdout.decode(errors="replace") + out.stderr.decode(errors="replace")
        if out.returncode != 0 or "*** Error" in text:
            raise RuntimeError(f"isql failed ({out.returncode}):\n{text}")
        return text

    def log_tail(self, n: int = 30) -> str:
        try:
            path = self.workdir / "virtuoso.log"
            return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                pass


def _ready(url: str) -> bool:
    query = urllib.parse.urlencode({"query": "ASK {}"}).encode()
    req = urllib.request.Request(
        url,
        data=query,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json",
        },
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start(workdir: Path) -> Virtuoso:
    """A fresh Virtuoso in ``workdir``; raises RuntimeError (with its log) if it won't start."""
    found = binaries()
    if found is None:
        raise RuntimeError("virtuoso-t / isql-vt not installed (run .ci/virtuoso.sh)")
    server, isql = found
    workdir.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    vsp = VSP_ROOT if Path(VSP_ROOT).is_dir() else str(workdir)
    ini = workdir / "virtuoso.ini"
    ini.write_text(INI.format(d=workdir, sql_port=sql_port, http_port=http_port, vsp=vsp))
    began = time.monotonic()
    with (workdir / "stdout.log").open("wb") as out:
        proc = subprocess.Popen(
            [server, "+foreground", "+configfile", str(ini)],
            cwd=workdir,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    vt = Virtuoso(proc, workdir, sql_port, http_port, isql)
    deadline = began + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited with {proc.returncode}:\n{vt.log_tail()}")
        if _ready(vt.sparql_url):
            break
        time.sleep(0.2)
    else:
        vt.stop()
        raise RuntimeError(f"Virtuoso not ready after {START_TIMEOUT} s:\n{vt.log_tail()}")
    try:
        vt.isql_run('GRANT SPARQL_UPDATE TO "SPARQL";\n')
    except (RuntimeError, subprocess.TimeoutExpired):
        vt.stop()
        raise
    vt.started_in = time.monotonic() - began
    return vt
