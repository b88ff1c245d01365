"""The `myocase` command line: parse, call a service, print; without a command (or with a series file) it opens
the desktop app. Services, the store and their libraries load inside the command that needs them."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
from collections.abc import Callable, Sequence
from contextlib import closing
from datetime import date
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from platformdirs import user_data_path, user_log_path

from . import __version__
from .domain.analysis import FollowUp
from .domain.clock import DateMode
from .domain.dates import DateParseError, parse_date
from .domain.scales import SCALES
from .domain.stats import PairedTestKind
from .domain.validation import ValidationError
from .domain.vocab import Subtype
from .store import SERIES_SUFFIXES

if TYPE_CHECKING:
    from .store.casebook import Casebook

log = logging.getLogger("myocase")

REFUSED = 1  # exit statuses: 0 done, 1 refused input, 2 usage (argparse), 130 Ctrl+C
INTERRUPTED = 130  # the exit status of a program ended by Ctrl+C
EXIT_STATUS = """exit status:
  0    done
  1    refused: a missing, damaged or newer database, a bad file or value (the reason is on
       standard error); photos add: a file was refused; deid-check: something was found
  2    usage error: an unknown command or option, a missing or malformed argument
  130  interrupted (Ctrl+C)

Results go to standard output, messages and errors to standard error. --db and --debug may
come before or after the command."""
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_log_handlers: list[logging.Handler] = []


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit status 1."""


def default_db_path() -> Path:
    """Where the case series lives unless --db says otherwise."""
    return user_data_path("MyoCase", appauthor=False) / "myocase.sqlite"


def log_folder() -> Path:
    """Where the rotating log file lives (unexpected errors with their traceback)."""
    return user_log_path("MyoCase", appauthor=False)


class _LogFile(RotatingFileHandler):
    """A rotating log file whose folder is made on the first record (nothing is written before one)."""

    def _open(self):  # type: ignore[no-untyped-def]
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()

    def handleError(self, record: logging.LogRecord) -> None:
        """A log that cannot be written costs one line, not a traceback over the user's message."""
        print(f"myocase: note: the log file {self.baseFilename} cannot be written", file=sys.stderr)


def configure_logging(debug: bool = False, folder: Path | None = None) -> Path:
    """Warnings and errors (with tracebacks) go to ``myocase.log`` in ``folder`` (default: the user log
    folder), 1 MB × 5 files; with ``debug``, everything also goes to the terminal. Returns the file."""
    stop_logging()
    root = logging.getLogger()
    path = (folder or log_folder()) / "myocase.log"
    handler: logging.Handler = _LogFile(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8", delay=True)
    handler.setLevel(logging.INFO)
    _log_handlers.append(handler)
    if debug:
        _log_handlers.append(logging.StreamHandler())
    for handler in _log_handlers:
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    return path


def stop_logging() -> None:
    """Take away and close the handlers ``configure_logging`` added."""
    root = logging.getLogger()
    while _log_handlers:
        handler = _log_handlers.pop()
        root.removeHandler(handler)
        handler.close()


# ------------------------------------------------------------ parsing


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
    parser.set_defaults(handler=_cmd_gui, needs_db=False, parser=parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands", prog="myocase")
    for name, add in COMMANDS.items():
        add(commands, name)
    return parser


def _demo_parser(commands: Any, name: str) -> None:
    summary = "write the synthetic demonstration case series into a new database"
    where = f"{summary}; without --db: {default_db_path().with_name('demo.sqlite')}"
    p = _command(commands, name, summary, where, needs_db=False)
    p.set_defaults(handler=_cmd_demo)
    p.add_argument(
        "--open", action="store_true", help="then open it in the app (reuses an existing demo file)"
    )
    _json_option(p, "the new database's summary (as `info --json`)")


def _info_parser(commands: Any, name: str) -> None:
    p = _command(commands, name, "schema version and record counts of a database")
    p.set_defaults(handler=_cmd_info)
    _json_option(p, "the summary")


def _stats_parser(commands: Any, name: str) -> None:
    p = _command(commands, name, "cohort facts and baseline-versus-follow-up analysis")
    p.set_defaults(handler=_cmd_stats)
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
    add.set_defaults(handler=_cmd_photos_add)
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
    export.set_defaults(handler=_cmd_photos_export)
    export.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder to write into")
    export.add_argument("--patient", metavar="STUDY_ID", help="only this patient's photos")
    export.add_argument(
        "--identified", action="store_true",
        help="real dates in the file names and identifiable photos too (default: de-identified)",
    )  # fmt: skip
    _json_option(export, "the files written and the photos left out")


def _report_parser(commands: Any, name: str) -> None:
    p = _command(commands, name, "write the publication-style PDF case-series report")
    p.set_defaults(handler=_cmd_report)
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
        "look for the series' identifiers in files about to leave (PDF, CSV, text, images, folders)",
        "Scans each file (a folder: every file in it) for every name, record number and date of birth "
        "stored in the database, in all their written forms, and prints each hit with its page or line. "
        "Exit status 1 if anything is found.",
    )  # fmt: skip
    p.set_defaults(handler=_cmd_deid_check)
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="files or folders to check")
    p.add_argument("--dates", action="store_true", help="also report every calendar date finer than the year")
    _json_option(p, "the hits, the files checked and those skipped")


COMMANDS = {
    "demo": _demo_parser,
    "info": _info_parser,
    "stats": _stats_parser,
    "photos": _photos_parser,
    "report": _report_parser,
    "deid-check": _deid_parser,
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
    """The command line as a namespace; argparse exits with status 2 and a message on stderr if it is wrong."""
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


# ------------------------------------------------------------ commands


def _output(as_json: bool, data: Any, text: str) -> None:
    """What a command found or did, on stdout: one JSON document with --json, else the text (if any)."""
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    elif text:
        print(text)


def _open_existing(location: Path | str) -> Casebook:
    from .store.casebook import Casebook

    if isinstance(location, str):
        return Casebook.connect(location)
    return Casebook.open(location, create=False)


def _cmd_deid_check(args: argparse.Namespace) -> int:
    from .services import deid_check
    from .services.disclosure import disclosure_for

    with closing(_open_existing(args.db)) as book:
        scrubber = disclosure_for(book).scrubber
        names = {p.id or 0: p.study_id for p in book.patients()}
    if scrubber.is_empty:
        print(
            "myocase: note: no names, record numbers or dates of birth are stored in this series.",
            file=sys.stderr,
        )
    result = deid_check.scan(args.files, lambda text: scrubber.find(text, dates=args.dates))
    _output(args.json, result.as_json(names), "\n".join(f.line(names) for f in result.findings))
    for path, why in result.skipped:
        print(f"myocase: note: {path}: {why}", file=sys.stderr)
    files, hits = len(result.checked), len(result.findings)
    verdict = f"{hits} hit{'' if hits == 1 else 's'}" if hits else "nothing found"
    print(f"{files} file{'' if files == 1 else 's'} checked: {verdict}.", file=sys.stderr)
    return REFUSED if result.findings else 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .services import report

    with closing(_open_existing(args.db)) as book:
        options = report.load_options(
            book, title=args.title, identified=args.identified,
            date_mode=DateMode(args.dates) if args.dates else None,
        )  # fmt: skip
        patients = [p.strip() for p in args.patients.split(",") if p.strip()] if args.patients else None
        data = report.gather(book, options, patients)
    written = report.write(data, args.out)
    label = "CONTAINS IDENTIFIERS" if args.identified else "de-identified"
    _output(args.json, report.summary(data, written), f"Wrote {written} ({label})")
    return 0


def _cmd_photos_add(args: argparse.Namespace) -> int:
    from .services import photos

    with closing(_open_existing(args.db)) as book:
        patient = photos.find_patient(book, args.patient)
        defaults = photos.PhotoDefaults(taken_on=args.date)
        results = photos.import_files(book, patient.id or 0, args.files, defaults)
    _output(args.json, [r.as_json() for r in results], "\n".join(r.line for r in results))
    return REFUSED if any(r.outcome is photos.Outcome.REFUSED for r in results) else 0


def _cmd_photos_export(args: argparse.Namespace) -> int:
    from .services import photos

    with closing(_open_existing(args.db)) as book:
        result = photos.export_photos(book, args.out, args.patient, identified=args.identified)
    _output(
        args.json, result.as_json(args.out, identified=args.identified), "\n".join(map(str, result.written))
    )
    for reason in result.left_out:
        print(f"left out: {reason}", file=sys.stderr)
    count = len(result.written)
    label = "WITH IDENTIFYING DATES" if args.identified else "de-identified"
    print(f"{count} photo{'' if count == 1 else 's'} written to {args.out} ({label})", file=sys.stderr)
    return 0


def _cmd_stats(args: argparse.Namespace) -> int:
    from .services import stats

    with closing(_open_existing(args.db)) as book:
        settings = stats.load_settings(
            book, index_drug=args.drug, measure=args.measure, subtypes=args.subtypes,
            followup=FollowUp(args.followup) if args.followup else None,
            test=PairedTestKind(args.test) if args.test else None,
        )  # fmt: skip
        result = stats.run(book, settings, identified=args.identified)
    _output(args.json, stats.to_json(result), stats.as_text(result))
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from .services import info

    with closing(_open_existing(args.db)) as book:
        summary = info.describe(book)
    _output(args.json, summary, info.as_text(summary))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .services import demo, info
    from .store.casebook import Casebook

    args.db = args.db or default_db_path().with_name("demo.sqlite")
    with closing(Casebook.connect(args.db) if isinstance(args.db, str) else Casebook.open(args.db)) as book:
        reuse = args.open and book.settings().is_demo
        if reuse:
            print(f"Opening the existing synthetic demo series in {book.location}", file=sys.stderr)
        else:
            try:
                demo.write_demo(book)
            except demo.DemoRefused as exc:
                raise CommandError(str(exc)) from exc
        summary = info.describe(book)
    wrote = (
        f"Wrote the SYNTHETIC demonstration series to {summary['database']}: {summary['patients']} invented "
        f"patients, {summary['medication_courses']} medication courses, {summary['assessments']} "
        f"assessments, {summary['adverse_events']} adverse events."
    )
    _output(args.json, summary, "" if reuse else wrote)
    return _run_gui(args.db) if args.open else 0


def _cmd_gui(args: argparse.Namespace) -> int:
    return _run_gui(args.db)


def _run_gui(location: Path | str | None) -> int:
    """The desktop app on ``location``; without one, the database opened last (else the default)."""
    from .ui.platform_check import display_problem

    problem = display_problem()
    if problem:
        raise CommandError(problem)
    gc.disable()  # loading the GUI makes only lasting objects: collecting meanwhile only delays the window
    try:
        from .ui.application import run
    finally:
        gc.freeze()  # and later collections need not walk them again
        gc.enable()
    return run(location, default_db_path())


# ------------------------------------------------------------ running


def _refusals() -> tuple[type[Exception], ...]:
    """What counts as refused input (one line, exit status 1); the store's error loads only when needed."""
    from .store.database import StorageError

    return (StorageError, ValidationError, CommandError)


def _handle(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    try:
        return handler(args)
    except OSError as exc:
        print(
            f"myocase: error: {exc.strerror or exc} ({exc.filename or args.db or default_db_path()})",
            file=sys.stderr,
        )
    except Exception as exc:
        if isinstance(exc, _refusals()):
            print(f"myocase: error: {exc}", file=sys.stderr)
            return REFUSED
        log.exception("Unexpected error in %s", args.command or "the desktop app")
        if args.debug:
            raise
        print(
            f"myocase: unexpected error: {exc!r} (details in {_log_file()}; run with --debug to see them here)",
            file=sys.stderr,
        )
    return REFUSED


def _log_file() -> str:
    files = [h.baseFilename for h in _log_handlers if isinstance(h, RotatingFileHandler)]
    return files[0] if files else "the log"


def main(argv: Sequence[str] | None = None) -> int:
    """The `myocase` command; Ctrl+C ends any command with one line and exit status 130."""
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
        configure_logging(debug=args.debug)
        return _handle(args.handler, args)
    except KeyboardInterrupt:
        print("myocase: interrupted", file=sys.stderr)
        return INTERRUPTED
