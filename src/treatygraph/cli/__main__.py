"""``python -m treatygraph.cli``: the same as the ``treatygraph`` console script."""

import sys

from treatygraph.cli import main

sys.exit(main())
