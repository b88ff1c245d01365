"""The PDF case-series report, drawn with reportlab from plain records."""

from reportlab import rl_config

# reportlab checks every attribute of a shape as it is set: a help while a drawing is written, and about 8 %
# of a large report's processor time. Off before any shape class exists (reportlab.graphics.shapes reads it
# on import); the report's drawings are checked by their tests.
rl_config.shapeChecking = 0
