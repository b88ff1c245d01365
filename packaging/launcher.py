"""The frozen program's entry script: the installed `myocase` command, nothing more."""

import sys

from myocase.__main__ import main

sys.exit(main())
