"""Use cases shared by the command line and the GUI (demo, info, analysis, export)."""
