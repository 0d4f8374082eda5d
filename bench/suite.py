"""The test suite's wall time at two commits, side by side on this machine.

Each commit gets a fresh clone with ``../shared`` beside it (a link to this checkout's, when
there is one) and its own venv, made by the README's install command. The rounds alternate
(before, after, before, after...) so that a noisy machine slows both alike. Every round runs
the README's test command, ``.venv/bin/pytest``, twice:

- **whole**: the suite as that commit has it;
- **same tests**: only the tests whose name (the last part of the node id, with its parameters)
  both commits have, so that tests added between the commits do not count against the later
  one. A small plugin deselects the rest; pytest's summary line shows how many.

The CPU column is user + system time of pytest and everything it started and waited for
(``os.wait4``). Usage::

    .venv/bin/python bench/suite.py --before a74f112 --after HEAD [--rounds 2] [--work DIR]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = '''"""Keep only the tests named in $SUITE_NAMES (see bench/suite.py)."""
import os
from pathlib import Path

NAMES = set(Path(os.environ["SUITE_NAMES"]).read_text(encoding="utf-8").splitlines())


def pytest_collection_modifyitems(config, items):
    gone = [item for item in items if item.nodeid.split("::")[-1] not in NAMES]
    if gone:
        config.hook.pytest_deselected(items=gone)
        items[:] = [item for item in items if item.nodeid.split("::")[-1] in NAMES]
'''
#: pytest's last line, with or without its "=" frame (``-q`` drops it)
SUMMARY = re.compile(r"^=* ?(\d+ (?:passed|failed).* in [0-9.]+s(?: \([0-9:]+\))?) ?=*$")


@dataclass(frozen=True)
class Run:
    label: str
    commit: str
    tests: str
    wall: float
    cpu: float
    summary: str


def checkout(work: Path, commit: str) -> Path:
    """A clone of this repository at ``commit``, with its venv, made once and then reused."""
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", commit],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    home = work / sha
    clone = home / "treatygraph"
    if not clone.exists():
        home.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        subprocess.run(["git", "-C", str(clone), "checkout", "-q", sha], check=True)
    shared = ROOT.parent / "shared"
    if shared.is_dir() and not (home / "shared").exists():
        (home / "shared").symlink_to(shared.resolve())
    if not (clone / ".venv").exists():
        install = "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]'"
        subprocess.run(install, shell=True, check=True, cwd=clone)
    return clone


def names(clone: Path) -> set[str]:
    """The suite's test names, collected without running anything."""
    command = [".venv/bin/pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    done = subprocess.run(
        [*command, "-o", "addopts="], cwd=clone, capture_output=True, text=True, check=True
    )
    return {line.split("::")[-1] for line in done.stdout.splitlines() if "::" in line}


def timed(clone: Path, label: str, tests: str, env: dict[str, str], log: Path) -> Run:
    extra = ["-p", "suite_names"] if tests == "same tests" else []
    command = [".venv/bin/pytest", "-q", "-p", "no:cacheprovider", *extra]
    with log.open("w") as out:
        started = time.monotonic()
        proc = subprocess.Popen(command, cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    found = [m.group(1) for line in lines if (m := SUMMARY.search(line))]
    if code != 0:
        sys.exit(f"{label} ({tests}) exited {code}; see {log}")
    cpu = usage.ru_utime + usage.ru_stime
    commit = clone.parent.name  # checkout() names the folder by the commit
    return Run(label, commit, tests, wall, cpu, found[-1] if found else "?")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--before", required=True, help="the earlier commit")
    parser.add_argument("--after", default="HEAD", help="the later commit (default HEAD)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("/tmp/treatygraph-suite-bench"))
    args = parser.parse_args()

    clones = {"before": checkout(args.work, args.before), "after": checkout(args.work, args.after)}
    common = names(clones["before"]) & names(clones["after"])
    (args.work / "names.txt").write_text("\n".join(sorted(common)) + "\n", encoding="utf-8")
    (args.work / "suite_names.py").write_text(PLUGIN, encoding="utf-8")
    env = {**os.environ, "SUITE_NAMES": str(args.work / "names.txt")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(args.work), env.get("PYTHONPATH")]))
    print(f"tests named alike at both commits: {len(common)}", flush=True)

    runs: list[Run] = []
    for number in range(1, args.rounds + 1):
        for tests in ("whole", "same tests"):
            for label, clone in clones.items():
                log = args.work / f"{label}-{tests.replace(' ', '-')}-{number}.log"
                run = timed(clone, label, tests, env, log)
                runs.append(run)
                print(
                    f"| {number} | {run.label} {run.commit} | {run.tests} | {run.summary} "
                    f"| {run.wall:.1f} s | {run.cpu:.1f} s |",
                    flush=True,
                )
    for tests in ("whole", "same tests"):
        mean = {
            label: statistics.mean(r.wall for r in runs if r.label == label and r.tests == tests)
            for label in clones
        }
        print(
            f"{tests}: before {mean['before']:.1f} s, after {mean['after']:.1f} s, "
            f"after / before {mean['after'] / mean['before']:.2f}"
        )


if __name__ == "__main__":
    main()
