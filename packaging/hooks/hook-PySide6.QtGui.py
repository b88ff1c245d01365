"""PyInstaller's hook for PySide6.QtGui, minus the Qt plugins MyoCase never loads (bundle_rules.keep).

Filtering here, before PyInstaller follows each plugin's linked libraries, keeps those libraries out
as well (the GTK 3 theme plugin alone drags in GLib, Cairo, Pango and ATK; pitfall 6.3). Found
through ``hookspath`` in myocase.spec, it replaces the hook of the same name that PyInstaller ships.
"""

import sys
from pathlib import Path

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import bundle_rules

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [(src, dest) for src, dest in binaries if bundle_rules.keep(str(Path(dest) / Path(src).name))]
datas = [(src, dest) for src, dest in datas if bundle_rules.keep(str(Path(dest) / Path(src).name))]
