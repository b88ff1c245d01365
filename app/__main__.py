"""Entry point: `python -m app` or the `myocase` command. Ctrl+C, even while it starts, ends with one line."""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    gc.disable()  # importing makes lasting objects only: a collection meanwhile would only walk them
    try:
        from .cli import main as run_command  # light: each command loads what it needs, inside its own guard
    except KeyboardInterrupt:
        print("myocase: interrupted", file=sys.stderr)
        return 130
    finally:
        gc.freeze()  # later collections need not walk them again
        gc.enable()
    return run_command(argv)


if __name__ == "__main__":
    sys.exit(main())
