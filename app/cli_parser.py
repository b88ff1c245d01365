"""The `myocase` command line's words: the commands and their options, `--db` and `--debug` before or after
the command, and `myocase PATH` for a series; each command's help ends with the exit statuses."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from platformdirs import user_data_path

from . import __version__
from .domain.analysis import FollowUp
from .domain.clock import DateMode
from .domain.dates import DateParseError, parse_date
from .domain.scales import SCALES
from .domain.stats import PairedTestKind
from .domain.vocab import Subtype
from .store import BUNDLE_SUFFIX, SERIES_SUFFIXES

EXIT_STATUS = """exit status:
  0    done
  1    refused: a missing, damaged or newer database, a bad file or value (the reason is on
       standard error); photos add: a file was refused; deid-check: something was found;
       import: a row failed (nothing was written)
  2    usage error: an unknown command or option, a missing or malformed argument
  130  interrupted (Ctrl+C)

Results go to standard output, messages and errors to standard error. --db and --debug may
come before or after the command."""


def default_db_path() -> Path:
    """Where the case series lives unless --db says otherwise."""
    return user_data_path("MyoCase", appauthor=False) / "myocase.sqlite"


def _db_location(text: str) -> Path | str:
    """A database file (a path, or a file:// URL as a file manager gives it), or a server URL such as
    postgresql+psycopg://user@host/myocase."""
    if text.startswith("file://"):
        return Path(url2pathname(urlparse(text).path))
    return text if "://" in text else Path(text)


class _Formatter(argparse.HelpFormatter):
    """Wraps descriptions to the terminal; keeps the exit-status table of the epilog as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return text if text.startswith("exit status") else super()._fill_text(text, width, indent)


def _global_options(parser: argparse.ArgumentParser, db_help: str) -> None:
    """--db and --debug, before the command or after it (unset unless given: neither place hides the other;
    given in both, the later one counts)."""
    parser.add_argument("--db", type=_db_location, metavar="PATH", default=argparse.SUPPRESS, help=db_help)
    parser.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS,
        help="show full error details and print the log in the terminal",
    )  # fmt: skip


def _command(group: Any, name: str, summary: str, description: str = "", needs_db: bool = True) -> Any:
    """A (sub)command with its own --help, the exit statuses, and the global options."""
    parser = group.add_parser(
        name, help=summary, description=description or summary, epilog=EXIT_STATUS, formatter_class=_Formatter
    )
    _global_options(
        parser, "the case-series database file, or a database server URL" + " (required)" * needs_db
    )
    parser.set_defaults(needs_db=needs_db, parser=parser)
    return parser


def _json_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--json", action="store_true", help=f"print {what} as one JSON object")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="myocase",
        usage="%(prog)s [-h] [--version] [--db PATH] [--debug] [PATH|URL]\n"
        "       %(prog)s COMMAND [--db PATH] [--debug] [options]   (%(prog)s COMMAND --help for each)",
        description="MyoCase: case records, timelines, analysis and reports for myositis case series. "
        f"Without a command it opens the desktop app on PATH|URL: a case-series file "
        f"({', '.join(SERIES_SUFFIXES)}) or a database server URL, the same as --db.",
        epilog=EXIT_STATUS,
        formatter_class=_Formatter,
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"MyoCase {__version__}")
    _global_options(
        parser,
        "the case-series database file, or a database server URL "
        f"(the app's default: the one opened last, else {default_db_path()})",
    )
    parser.set_defaults(run="gui", needs_db=False, parser=parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands", prog="myocase")
    for name, add in COMMANDS.items():
        add(commands, name)
    return parser


def _demo_parser(commands: Any, name: str) -> None:
    summary = "write the synthetic demonstration case series into a new database"
    where = f"{summary}; without --db: {default_db_path().with_name('demo.sqlite')}"
    p = _command(commands, name, summary, where, needs_db=False)
    p.set_defaults(run="demo")
    p.add_argument(
        "--open", action="store_true", help="then open it in the app (reuses an existing demo file)"
    )
    _json_option(p, "the new database's summary (as `info --json`)")


def _info_parser(commands: Any, name: str) -> None:
    p = _command(commands, name, "schema version and record counts of a database")
    p.set_defaults(run="info")
    _json_option(p, "the summary")


def _stats_parser(commands: Any, name: str) -> None:
    p = _command(commands, name, "cohort facts and baseline-versus-follow-up analysis")
    p.set_defaults(run="stats")
    _json_option(p, "the facts and the analysis")
    p.add_argument("--drug", metavar="NAME", help="index drug (default: the series' index drug)")
    p.add_argument("--measure", choices=sorted(SCALES), help="outcome measure (default: cdasi_activity)")
    p.add_argument("--subtypes", metavar="LIST", type=_subtypes, help="subtypes to analyse, e.g. DM,ADM")
    p.add_argument("--followup", choices=[f.value for f in FollowUp], help="follow-up point (default: last)")
    p.add_argument(
        "--test", choices=[t.value for t in PairedTestKind], help="paired test (default: wilcoxon)"
    )
    p.add_argument(
        "--identified", action="store_true",
        help="show real dates (default: de-identified, days from each patient's index drug start)",
    )  # fmt: skip


def _photos_parser(commands: Any, name: str) -> None:
    p = _command(commands, name, "import photo files or export the stored photos")
    actions = p.add_subparsers(dest="photo_command", metavar="ACTION", title="actions", required=True)
    add = _command(actions, "add", "import image files for a patient (cleaned of identifying metadata)")
    add.set_defaults(run="photos add")
    add.add_argument("--patient", required=True, metavar="STUDY_ID", help="the patient's study ID")
    add.add_argument(
        "--date", type=_iso_date, metavar="YYYY-MM-DD", help="photo date (default: the camera's)"
    )
    _json_option(add, "each file's outcome")
    add.add_argument(
        "files", nargs="+", type=Path, metavar="FILE",
        help="JPEG, PNG, TIFF or WebP files; HEIC with the heic extra (pip install 'myocase[heic]')",
    )  # fmt: skip
    export = _command(actions, "export", "write the stored, cleaned images as files")
    export.set_defaults(run="photos export")
    export.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder to write into")
    export.add_argument("--patient", metavar="STUDY_ID", help="only this patient's photos")
    export.add_argument(
        "--identified", action="store_true",
        help="real dates in the file names and identifiable photos too (default: de-identified)",
    )  # fmt: skip
    _json_option(export, "the files written and the photos left out")


def _report_parser(commands: Any, name: str) -> None:
    p = _command(commands, name, "write the publication-style PDF case-series report")
    p.set_defaults(run="report")
    p.add_argument("--out", required=True, type=Path, metavar="FILE.pdf", help="where to write the PDF")
    p.add_argument("--patients", metavar="ID,ID", help="only these patients (study IDs, comma-separated)")
    p.add_argument("--identified", action="store_true", help="include names, record numbers and real dates")
    p.add_argument("--title", metavar="TEXT", help="report title (default: the title in the report settings)")
    p.add_argument(
        "--dates", choices=[m.value for m in DateMode if m is not DateMode.ACTUAL],
        help="de-identified dates: index_days from the index drug's start, or shifted per patient "
        "(default: the choice in the report settings)",
    )  # fmt: skip
    _json_option(p, "what was written")


def _deid_parser(commands: Any, name: str) -> None:
    p = _command(
        commands, name,
        "look for the series' identifiers in files about to leave (PDF, CSV, text, XLSX, .sav, .dta, images, folders)",
        "Scans each file (a folder: every file in it) for every name, record number and date of birth "
        "stored in the database, in all their written forms, and prints each hit with its page or line. "
        "Exit status 1 if anything is found.",
    )  # fmt: skip
    p.set_defaults(run="deid-check")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="files or folders to check")
    p.add_argument("--dates", action="store_true", help="also report every calendar date finer than the year")
    _json_option(p, "the hits, the files checked and those skipped")


EXPORT_FORMATS = ("csv", "xlsx", "redcap", "spss", "stata", "r")  # services.exports.ExportFormat


def _export_parser(commands: Any, name: str) -> None:
    p = _command(
        commands, name, "write the series' data for analysis: tidy tables and their codebook",
        "Writes the patients, antibodies, medication courses, assessments (with derived scores), adverse "
        "events, photos (metadata only) and treatment phases, plus a codebook: CSV files, one XLSX workbook, "
        "SPSS .sav or Stata .dta files with labels, CSV files with an R script, or REDCap files. "
        "De-identified unless --identified: names, record numbers and dates of birth left out, free text "
        "cleaned, time as days from each patient's index drug start; the written files are read back and "
        "refused (nothing written, exit status 1) if an identifier is found in them.",
    )  # fmt: skip
    p.set_defaults(run="export")
    p.add_argument("--format", required=True, choices=EXPORT_FORMATS, help="what to write")
    p.add_argument(
        "--out", required=True, type=Path, metavar="PATH",
        help="folder to write into (created if missing); for xlsx also a file name ending in .xlsx",
    )  # fmt: skip
    p.add_argument("--patients", metavar="ID,ID", help="only these patients (study IDs, comma-separated)")
    p.add_argument(
        "--identified", action="store_true",
        help="include names, record numbers and real dates (every file and file name says IDENTIFIED)",
    )  # fmt: skip
    _json_option(p, "the files written and the rows of each table")


def _bundle_parser(commands: Any, name: str) -> None:
    p = _command(commands, name, "case bundles for pooling centres: write chosen patients, or merge bundles")
    actions = p.add_subparsers(dest="bundle_command", metavar="ACTION", title="actions", required=True)
    export = _command(
        actions, "export", "write patients de-identified into one case-bundle file for another centre",
        "One file (a zip: manifest with checksums, records as JSON, the stored photos) holding the chosen "
        "patients de-identified: names, record numbers and dates of birth left out, free text cleaned, every "
        "date moved back by one secret number of days (intervals kept to the day), identifiable photos only "
        "as their crop. Name it NAME" + BUNDLE_SUFFIX + " (.myocase names a series database).",
    )  # fmt: skip
    export.set_defaults(run="bundle export")
    export.add_argument(
        "--out", required=True, type=Path, metavar="FILE" + BUNDLE_SUFFIX, help="the bundle to write"
    )
    export.add_argument(
        "--centre", required=True, metavar="CODE",
        help="your centre's code, 2 to 12 letters or digits (prefixes study IDs that clash when pooled)",
    )  # fmt: skip
    export.add_argument(
        "--patients", metavar="ID,ID", help="only these patients (study IDs, comma-separated)"
    )
    _json_option(export, "what was written")
    merge = _command(
        actions, "import", "merge case bundles from other centres into this series",
        "Checks every bundle (checksums, format, schema) before writing anything, then stores all of their "
        "patients in one transaction, or none. Study IDs that clash get the centre's code in front; each "
        "patient keeps where they came from (centre, series, bundle, time). A --db that does not exist "
        "becomes a new series.",
    )  # fmt: skip
    merge.set_defaults(run="bundle import")
    merge.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="bundle files (NAME" + BUNDLE_SUFFIX + ")"
    )
    _json_option(merge, "the patients imported")


IMPORT_FORMATS = ("csv", "xlsx", "redcap")  # services.importing.ImportFormat


def _import_parser(commands: Any, name: str) -> None:
    p = _command(
        commands, name, "import patients, courses, assessments and adverse events from spreadsheets or REDCap",
        "Reads MyoCase's own data export (an identified one: a de-identified export has no dates to import) "
        "as CSV files or an XLSX workbook, or REDCap records with their data dictionary, and prints what would be "
        "created, updated or left unchanged, then every row that fails as FILE:ROW: COLUMN: REASON (the same "
        "checks as the forms). Nothing is written unless every row is valid; then all of it in one transaction, "
        "each record's audit trail naming its file and row. Importing a file again changes nothing: patients "
        "are matched by study ID, courses by drug and start, assessments by date, adverse events by event and "
        "onset. A --db that does not exist becomes a new series. Exit status 1 if any row fails.",
    )  # fmt: skip
    p.set_defaults(run="import")
    p.add_argument("--format", required=True, choices=IMPORT_FORMATS, help="what the files are")
    p.add_argument(
        "--mapping", type=Path, metavar="FILE",
        help="redcap only: REDCap field → MyoCase field, codes and date format (YAML or JSON), for a project "
        "not built from MyoCase's own dictionary",
    )  # fmt: skip
    p.add_argument("--dry-run", action="store_true", help="only print the preview; write nothing")
    _json_option(p, "the counts and the problems")
    p.add_argument(
        "files", nargs="+", type=Path, metavar="FILE",
        help="the files (a folder: its .csv or .xlsx files); redcap: the records and the data dictionary",
    )  # fmt: skip


def _backup_parser(commands: Any, name: str) -> None:
    p = _command(
        commands, name, "write a checked copy of the series to a file",
        "A series file is copied with SQLite's backup (consistent even while the app is open); a series on a "
        "server is written as a portable archive: a MyoCase series file holding every table, which `restore` "
        "loads into a file or a server and the app can open. The copy is checked (SQLite's integrity check, "
        "the schema version) before it is put in place.",
    )  # fmt: skip
    p.set_defaults(run="backup")
    p.add_argument("--out", required=True, type=Path, metavar="FILE", help="the backup file to write")
    _json_option(p, "what was written")


def _restore_parser(commands: Any, name: str) -> None:
    p = _command(
        commands, name, "replace the series by a backup copy (checked first; the series as it was is kept)",
        "The backup is checked first (SQLite's integrity check; a schema of a newer MyoCase is refused), the "
        "series as it is now is kept as NAME.before-restore-YYYYMMDD-HHMMSS.sqlite (beside a file; beside the "
        "backup for a server), then the series is replaced in one step: on failure it is left as it was.",
    )  # fmt: skip
    p.set_defaults(run="restore")
    p.add_argument("file", type=Path, metavar="FILE", help="the backup to restore from")
    _json_option(p, "what was restored")


COMMANDS = {
    "demo": _demo_parser,
    "info": _info_parser,
    "stats": _stats_parser,
    "photos": _photos_parser,
    "report": _report_parser,
    "deid-check": _deid_parser,
    "export": _export_parser,
    "bundle": _bundle_parser,
    "import": _import_parser,
    "backup": _backup_parser,
    "restore": _restore_parser,
}


def _iso_date(text: str) -> date:
    try:
        return parse_date(text)
    except DateParseError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _subtypes(text: str) -> tuple[Subtype, ...]:
    known = {s.value.casefold(): s for s in Subtype}
    chosen = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        if part.casefold() not in known:
            raise argparse.ArgumentTypeError(
                f"unknown subtype {part!r}; choose from {', '.join(s.value for s in Subtype)}"
            )
        chosen.append(known[part.casefold()])
    if not chosen:
        raise argparse.ArgumentTypeError("name at least one subtype, e.g. DM,ADM")
    return tuple(chosen)


def _series_argument(argv: list[str]) -> tuple[list[str], str | None]:
    """`myocase PATH`: the first word after the global options, when it names a series rather than a command
    (not a command name, and a file that exists, a series suffix, a folder part or a URL; or after ``--``)."""
    at = 0
    while at < len(argv) and argv[at].startswith("-") and argv[at] != "--":
        at += 2 if argv[at] == "--db" else 1
    if at + 1 < len(argv) and argv[at] == "--":
        return argv[:at] + argv[at + 2 :], argv[at + 1]
    word = argv[at] if at < len(argv) else ""
    path = Path(word)
    looks_like = any(mark in word for mark in ("://", "/", "\\")) or path.suffix.lower() in SERIES_SUFFIXES
    if word and word not in COMMANDS and (looks_like or path.exists()):
        return argv[:at] + argv[at + 1 :], word
    return argv, None


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The command line as a namespace naming the command to ``run`` ("gui" without one, "photos add", …);
    argparse exits with status 2 and a message on stderr if it is wrong."""
    parser = build_parser()
    words, series = _series_argument(list(argv))
    args = parser.parse_args(words)
    args.db, args.debug = getattr(args, "db", None), getattr(args, "debug", False)
    if series is not None:
        if args.command:
            args.parser.error(
                f"{series}: a command takes its database with --db (a PATH alone opens the app)"
            )
        if args.db is not None:
            parser.error("name the series once: as PATH or with --db")
        args.db = _db_location(series)
    if args.needs_db and args.db is None:
        args.parser.error("the following arguments are required: --db (before or after the command)")
    return args
