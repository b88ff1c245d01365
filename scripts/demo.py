"""Install MyoCase into .venv if needed, then open the app on the synthetic demo case series."""

import sys

from _bootstrap import ensure_installed, run, venv_bin

ensure_installed()
sys.exit(run(venv_bin("myocase"), "demo", "--open", *sys.argv[1:]))
