"""MyoCase: an offline desktop app for writing up myositis case series."""

__version__ = "0.1.0"
