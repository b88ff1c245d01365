"""Entry point: `python -m app` or the `myocase` command."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
