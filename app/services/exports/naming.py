"""The file names of a data export: the series name (as the disclosure lets it out), the table, and
IDENTIFIED in every name of an identified export."""

from __future__ import annotations

from dataclasses import dataclass

from ...domain.disclosure import Disclosure

MARK = "IDENTIFIED"
FALLBACK = "myocase"
LONGEST = 32  # characters of the series name kept in a file name


def shortened(name: str) -> str:
    """At most ``LONGEST`` characters, cut at a word boundary where there is one."""
    if len(name) <= LONGEST:
        return name.strip("_.-")
    cut = name[: LONGEST + 1]
    at = max(cut.rfind("_"), cut.rfind("-"))
    return (cut[:at] if at > LONGEST // 2 else name[:LONGEST]).strip("_.-")


@dataclass(frozen=True)
class FileNames:
    stem: str  # "Demo_series" or "Demo_series-IDENTIFIED"
    identified: bool

    @classmethod
    def of(cls, disclosure: Disclosure, series: str) -> FileNames:
        name = shortened(disclosure.file_part(series)) or FALLBACK
        return cls(f"{name}-{MARK}" if disclosure.identified else name, disclosure.identified)

    def table(self, table: str, suffix: str) -> str:
        """ "Demo_series-patients.csv", "Demo_series-IDENTIFIED-patients.sav"."""
        return f"{self.stem}-{table}{suffix}"

    def single(self, suffix: str) -> str:
        """The one file of a single-file format: "Demo_series-data.xlsx", "Demo_series-IDENTIFIED.xlsx"."""
        return f"{self.stem}{suffix}" if self.identified else f"{self.stem}-data{suffix}"

    def script(self) -> str:
        return f"read_myocase-{MARK}.R" if self.identified else "read_myocase.R"

    def marked(self, name: str) -> str:
        """A file name the user chose, with IDENTIFIED added to it when the export is identified."""
        if not self.identified or MARK.casefold() in name.casefold():
            return name
        stem, dot, suffix = name.rpartition(".")
        return f"{stem}-{MARK}.{suffix}" if dot else f"{name}-{MARK}"
