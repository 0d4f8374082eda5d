"""Real third-party SPARQL clients, run against a live server in their default modes.

`.ci/clients.sh` installs them: Apache Jena's ``rsparql`` (Debian's libapache-jena-java 4.5)
and Comunica 5 (npm, under `.ci/comunica/`). Outside CI a missing client skips with the reason.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from treatygraph.testing import LiveServer, missing

DATA = Path(__file__).parent.parent / "endpoint" / "data"
EX = "http://example.org/"
#: bindings, JARs that would bind a second logging back end (Jena then refuses to start)
_LOGGING_BINDINGS = (
    "log4j",
    "slf4j-log4j",
    "slf4j-jdk",
    "slf4j-simple",
    "slf4j-nop",
    "slf4j-jcl",
    "slf4j-migrator",
    "slf4j-ext",
    "jcl-over",
    "jul-to",
    "osgi",
)


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(
        ["--data", str(DATA / "people.ttl"), str(DATA / "graphs.trig")],
        tmp_path_factory.mktemp("clients") / "server.log",
    )
    yield live
    live.stop()


def _debian_jars(package: str) -> list[str]:
    """A package's JARs by their unversioned names (Debian installs both)."""
    listed = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True).stdout
    return [
        line
        for line in listed.splitlines()
        if re.fullmatch(r"/usr/share/java/[^/]+\.jar", line)
        and not re.search(r"-\d[\d.]*\.jar$", line)
    ]


@pytest.fixture(scope="package")
def rsparql(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The command line of Jena's rsparql, with the classpath Debian's package needs.

    Debian's jena-core moves Xerces' classes to ``xerces.*`` but leaves their message bundles
    under ``org/apache/jena/ext/xerces``, and Jena fails at start-up without them: a small jar
    puts copies where the classes look.
    """
    if shutil.which("java") is None or not Path("/usr/share/java/jena-arq.jar").exists():
        missing("Jena (libapache-jena-java) is not installed: run .ci/clients.sh", "Jena's rsparql")
    depends = subprocess.run(
        ["apt-cache", "depends", "libapache-jena-java"], capture_output=True, text=True
    ).stdout
    packages = ["libapache-jena-java"] + [
        line.split(":", 1)[1].strip().strip("<>")
        for line in depends.splitlines()
        if line.strip().startswith("Depends:")
    ]
    jars = [
        jar
        for package in packages
        for jar in _debian_jars(package)
        if not any(name in Path(jar).name for name in _LOGGING_BINDINGS)
    ]
    bundle = tmp_path_factory.mktemp("jena") / "xerces-messages.jar"
    prefix = "org/apache/jena/ext/"
    with (
        zipfile.ZipFile("/usr/share/java/jena-core.jar") as core,
        zipfile.ZipFile(bundle, "w") as out,
    ):
        for name in core.namelist():
            if name.startswith(prefix + "xerces/") and name.endswith(".properties"):
                out.writestr(name[len(prefix) :], core.read(name))
    # a client run is a second of work: the quick compiler and the serial collector start the
    # JVM in half the time, and answer the same
    quick = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"]
    return ["java", *quick, "-cp", ":".join([*jars, str(bundle)]), "arq.rsparql"]


@pytest.fixture(scope="package")
def comunica(root: Path) -> list[str]:
    command = root / ".ci" / "comunica" / "node_modules" / ".bin" / "comunica-sparql"
    if not command.exists():
        missing("Comunica is not installed: run .ci/clients.sh", "Comunica")
    return [str(command)]
