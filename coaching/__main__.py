"""``python -m coaching``: see :mod:`coaching.cli`."""

import sys

from coaching.cli import main

if __name__ == "__main__":
    sys.exit(main())
