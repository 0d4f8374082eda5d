"""Generated N-Triples for the import tests and for measuring an import by hand.

``plain_triples`` writes triples no shape targets (the import is parse, sort and write only);
``python tests/integration/generate.py N OUT.nt`` writes N of them, as used for the figures in
docs/integration.md. (``bench/synth.py`` makes data in the project's vocabulary instead, where
every node is a shape target.)
"""

from __future__ import annotations

import sys
from pathlib import Path


def plain_triples(path: Path, count: int) -> Path:
    """``count`` distinct triples over seven predicates, one subject each, literal objects."""
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            handle.write(
                f'<https://example.org/s{i}> <https://example.org/p{i % 7}> "value number {i}" .\n'
            )
    return path


if __name__ == "__main__":
    plain_triples(Path(sys.argv[2]), int(sys.argv[1]))
