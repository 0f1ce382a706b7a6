"""``python -m coaching``: see :mod:`coaching.cli.main`."""

import sys

from coaching.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
