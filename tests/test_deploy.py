"""docs/deploy/: the systemd unit and the container file run commands the CLI accepts, and the
container file copies what exists (nginx.conf itself is tested in tests/endpoint/test_nginx.py).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from treatygraph.cli import make_parser
from treatygraph.web import settings

DEPLOY = Path("docs") / "deploy"


def _parses(argv: list[str]) -> None:
    args = make_parser(argv).parse_args(argv)
    assert callable(args.handler)


def test_the_systemd_unit_runs_serve(root: Path) -> None:
    unit = (root / DEPLOY / "treatygraph.service").read_text()
    (line,) = [x for x in unit.splitlines() if x.startswith("ExecStart=")]
    argv = shlex.split(line.removeprefix("ExecStart="))
    assert argv[0].endswith("/treatygraph") and "serve" in argv
    _parses(argv[1:])
    for name in re.findall(r"^Environment=TREATYGRAPH_(\w+)=", unit, flags=re.M):
        assert name in settings.BY_KEY, name


def test_the_container_file_builds_and_serves(root: Path) -> None:
    text = (root / DEPLOY / "Containerfile").read_text()
    for source in re.findall(r"^COPY (\S+(?: \S+)*) \S+$", text, flags=re.M):
        for path in source.split():
            assert (root / path).exists(), path
    assert "treatygraph --root /srv/treatygraph build" in text
    (cmd,) = re.findall(r"^CMD (\[.*\])$", text, flags=re.M)
    _parses(json.loads(cmd)[1:])
    for name in re.findall(r"^ENV TREATYGRAPH_(\w+)=", text, flags=re.M):
        assert name in settings.BY_KEY, name
