"""Clinical photo widgets: the annotation editor, the read-only annotated view and the comparison."""
