"""The figures package stays small and on pyqtgraph's public API (that no class of it hides a Qt method
under a name of its own is ``tests/ui/test_no_shadowing.py``'s, for the whole GUI)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import myocase.ui.figures
import pyqtgraph

PACKAGE = Path(myocase.ui.figures.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))


def _pyqtgraph_private_names() -> set[str]:
    """Every private name pyqtgraph's own source uses (attributes, methods, module names)."""
    root = Path(pyqtgraph.__file__).parent
    text = "\n".join(path.read_text(encoding="utf-8", errors="ignore") for path in root.rglob("*.py"))
    return set(re.findall(r"\b(_[A-Za-z]\w*)\b", text))


def test_no_module_of_the_package_is_over_400_lines() -> None:
    lengths = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in MODULES}
    assert len(lengths) >= 10
    assert {name: n for name, n in lengths.items() if n > 400} == {}


def _reached(name: str, source: str, private: set[str]) -> list[str]:
    """Where ``source`` reaches into pyqtgraph: ``x._name`` (or ``getattr(x, "_name")``) with a private
    name pyqtgraph's source uses, whatever ``x`` is, or an import from inside the pyqtgraph package."""
    reached: list[str] = []
    for node in ast.walk(ast.parse(source)):
        attribute = None
        if isinstance(node, ast.Attribute):
            attribute = node.attr
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            attribute = node.value
        if (
            attribute
            and attribute.startswith("_")
            and not attribute.startswith("__")
            and attribute in private
        ):
            reached.append(f"{name}:{node.lineno}: {attribute}")
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pyqtgraph"):
            reached.append(f"{name}:{node.lineno}: from {node.module} import …")
        if isinstance(node, ast.Import):
            reached += [
                f"{name}:{node.lineno}: import {a.name}"
                for a in node.names
                if a.name.startswith("pyqtgraph.")
            ]
    return reached


def test_no_module_reaches_into_a_private_pyqtgraph_attribute() -> None:
    private = _pyqtgraph_private_names()
    found = [
        hit for path in MODULES for hit in _reached(path.name, path.read_text(encoding="utf-8"), private)
    ]
    assert found == []


def test_the_private_attribute_check_sees_what_the_old_modules_did() -> None:
    old = """
labels = axis._tickLevels[0] if axis._tickLevels else []
spacing = getattr(axis, "_tickSpacing")
own = self._counts
from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols
"""
    private = _pyqtgraph_private_names()
    assert sorted(_reached("old", old, private)) == [
        "old:2: _tickLevels",
        "old:2: _tickLevels",
        "old:3: _tickSpacing",
        "old:5: from pyqtgraph.graphicsItems.ScatterPlotItem import …",
    ]  # and not ``self._counts``: pyqtgraph has no such name
