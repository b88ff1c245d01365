"""The PDF case-series report, drawn with reportlab from plain records."""
