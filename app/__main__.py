"""Entry point: `python -m app` or the `myocase` command. Ctrl+C, even while it starts, ends with one line."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    try:
        from .cli import main as run_command  # light: each command loads what it needs, inside its own guard
    except KeyboardInterrupt:
        print("myocase: interrupted", file=sys.stderr)
        return 130
    return run_command(argv)


if __name__ == "__main__":
    sys.exit(main())
