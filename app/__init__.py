"""MyoCase: an offline desktop app for writing up myositis case series (imported as ``myocase``)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("myocase")  # written once, in pyproject.toml
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
