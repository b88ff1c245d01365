"""The `myocase` command line: parse, call a service, print. Without a subcommand it opens the GUI."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

from platformdirs import user_data_path, user_log_path

from . import __version__
from .domain.analysis import FollowUp
from .domain.clock import DateMode
from .domain.dates import DateParseError, parse_date
from .domain.scales import SCALES
from .domain.stats import PairedTestKind
from .domain.validation import ValidationError
from .domain.vocab import Subtype
from .services import deid_check, demo, info, photos, report, stats
from .services.disclosure import disclosure_for
from .store.casebook import Casebook
from .store.database import StorageError

log = logging.getLogger("myocase")

INTERRUPTED = 130  # the exit status of a program ended by Ctrl+C
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


def _db_location(text: str) -> Path | str:
    """A database file, or a server URL such as postgresql+psycopg://user@host/myocase."""
    return text if "://" in text else Path(text)


def _db_argument(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    parser.add_argument(
        "--db",
        type=_db_location,
        required=required,
        metavar="PATH",
        help="the case-series database file, or a database server URL"
        + ("" if required else f" (default: {default_db_path()})"),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="myocase",
        description="MyoCase: case records, timelines, analysis and reports for myositis case series. "
        "Without a command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"MyoCase {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show full error details and print the log in the terminal"
    )
    _db_argument(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = commands.add_parser("demo", help="write the synthetic demonstration case series into a new database")
    p.add_argument(
        "--db",
        type=_db_location,
        metavar="PATH",
        default=None,
        help=f"the new database file (default: {default_db_path().with_name('demo.sqlite')})",
    )
    p.add_argument(
        "--open", action="store_true", help="then open it in the app (reuses an existing demo file)"
    )
    p.set_defaults(handler=_cmd_demo)

    p = commands.add_parser("info", help="schema version and record counts of a database")
    _db_argument(p, required=True)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_cmd_info)

    p = commands.add_parser("stats", help="cohort facts and baseline-versus-follow-up analysis")
    _db_argument(p, required=True)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--drug", metavar="NAME", help="index drug (default: the series' index drug)")
    p.add_argument("--measure", choices=sorted(SCALES), help="outcome measure (default: cdasi_activity)")
    p.add_argument("--subtypes", metavar="LIST", type=_subtypes, help="subtypes to analyse, e.g. DM,ADM")
    p.add_argument("--followup", choices=[f.value for f in FollowUp], help="follow-up point (default: last)")
    p.add_argument(
        "--test", choices=[t.value for t in PairedTestKind], help="paired test (default: wilcoxon)"
    )
    p.add_argument(
        "--identified",
        action="store_true",
        help="show real dates (default: de-identified, days from each patient's index drug start)",
    )
    p.set_defaults(handler=_cmd_stats)

    p = commands.add_parser("photos", help="import photo files or export the stored photos")
    photo_commands = p.add_subparsers(dest="photo_command", metavar="ACTION", required=True)
    add = photo_commands.add_parser(
        "add", help="import image files for a patient (cleaned of identifying metadata)"
    )
    _db_argument(add, required=True)
    add.add_argument("--patient", required=True, metavar="STUDY_ID", help="the patient's study ID")
    add.add_argument(
        "--date", type=_iso_date, metavar="YYYY-MM-DD", help="photo date (default: the camera's date)"
    )
    add.add_argument("files", nargs="+", type=Path, metavar="FILE", help="JPEG, PNG, TIFF or HEIC files")
    add.set_defaults(handler=_cmd_photos_add)
    export = photo_commands.add_parser("export", help="write the stored, cleaned images as files")
    _db_argument(export, required=True)
    export.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder to write into")
    export.add_argument("--patient", metavar="STUDY_ID", help="only this patient's photos")
    export.add_argument(
        "--identified",
        action="store_true",
        help="real dates in the file names and identifiable photos too (default: de-identified)",
    )
    export.set_defaults(handler=_cmd_photos_export)
    p = commands.add_parser("report", help="write the publication-style PDF case-series report")
    _db_argument(p, required=True)
    p.add_argument("--out", required=True, type=Path, metavar="FILE.pdf", help="where to write the PDF")
    p.add_argument("--patients", metavar="ID,ID", help="only these patients (study IDs, comma-separated)")
    p.add_argument("--identified", action="store_true", help="include names, record numbers and real dates")
    p.add_argument("--title", metavar="TEXT", help="report title (default: the title in the report settings)")
    p.add_argument(
        "--dates", choices=[m.value for m in DateMode if m is not DateMode.ACTUAL],
        help="de-identified dates: shifted per patient (default) or index_days from the index drug's start",
    )  # fmt: skip
    p.set_defaults(handler=_cmd_report)

    p = commands.add_parser(
        "deid-check",
        help="look for the series' identifiers in files about to leave (PDF, CSV, text, images, folders)",
        description="Scans each file (a folder: every file in it) for every name, record number and date "
        "of birth stored in the database, in all their written forms, and prints each hit with its page "
        "or line. Exit status 1 if anything is found.",
    )
    _db_argument(p, required=True)
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="files or folders to check")
    p.add_argument("--dates", action="store_true", help="also report every calendar date finer than the year")
    p.set_defaults(handler=_cmd_deid_check)
    return parser


def _cmd_deid_check(args: argparse.Namespace) -> int:
    book = _open_existing(args.db)
    try:
        scrubber = disclosure_for(book).scrubber
        names = {p.id or 0: p.study_id for p in book.patients()}
    finally:
        book.close()
    if scrubber.is_empty:
        print(
            "myocase: note: no names, record numbers or dates of birth are stored in this series.",
            file=sys.stderr,
        )
    result = deid_check.scan(args.files, lambda text: scrubber.find(text, dates=args.dates))
    for finding in result.findings:
        whose = (
            f" of {names.get(finding.hit.patient_id or 0, 'a patient')}" if finding.hit.is_identifier else ""
        )
        print(f"{finding.path}: {finding.where}: {finding.hit.kind.value}{whose}: “{finding.hit.text}”")
    for path, why in result.skipped:
        print(f"myocase: note: {path}: {why}", file=sys.stderr)
    files = len(result.checked)
    hits = len(result.findings)
    verdict = f"{hits} hit{'' if hits == 1 else 's'}" if hits else "nothing found"
    print(f"{files} file{'' if files == 1 else 's'} checked: {verdict}.", file=sys.stderr)
    return 1 if result.findings else 0


def _cmd_report(args: argparse.Namespace) -> int:
    book = _open_existing(args.db)
    try:
        options = report.load_options(
            book,
            title=args.title,
            identified=args.identified,
            date_mode=DateMode(args.dates) if args.dates else None,
        )
        patients = [p.strip() for p in args.patients.split(",") if p.strip()] if args.patients else None
        written = report.export(book, args.out, options, patients)
    finally:
        book.close()
    label = "CONTAINS IDENTIFIERS" if args.identified else "de-identified"
    print(f"Wrote {written} ({label})")
    return 0


def _iso_date(text: str) -> date:
    try:
        return parse_date(text)
    except DateParseError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _cmd_photos_add(args: argparse.Namespace) -> int:
    book = _open_existing(args.db)
    try:
        patient = photos.find_patient(book, args.patient)
        results = photos.import_files(
            book, patient.id or 0, args.files, photos.PhotoDefaults(taken_on=args.date)
        )
    finally:
        book.close()
    for result in results:
        print(result.line)
    refused = sum(1 for r in results if r.outcome is photos.Outcome.REFUSED)
    return 1 if refused else 0


def _cmd_photos_export(args: argparse.Namespace) -> int:
    book = _open_existing(args.db)
    try:
        result = photos.export_photos(book, args.out, args.patient, identified=args.identified)
    finally:
        book.close()
    for path in result.written:
        print(path)
    for reason in result.left_out:
        print(f"left out: {reason}", file=sys.stderr)
    count = len(result.written)
    label = "WITH IDENTIFYING DATES" if args.identified else "de-identified"
    print(f"{count} photo{'' if count == 1 else 's'} written to {args.out} ({label})", file=sys.stderr)
    return 0


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


def _cmd_stats(args: argparse.Namespace) -> int:
    book = _open_existing(args.db)
    try:
        settings = stats.load_settings(
            book,
            index_drug=args.drug,
            measure=args.measure,
            subtypes=args.subtypes,
            followup=FollowUp(args.followup) if args.followup else None,
            test=PairedTestKind(args.test) if args.test else None,
        )
        result = stats.run(book, settings, identified=args.identified)
    finally:
        book.close()
    print(
        json.dumps(stats.to_json(result), ensure_ascii=False, indent=2)
        if args.json
        else stats.as_text(result)
    )
    return 0


def _open_existing(location: Path | str) -> Casebook:
    if isinstance(location, str):
        return Casebook.connect(location)
    return Casebook.open(location, create=False)


def _cmd_info(args: argparse.Namespace) -> int:
    book = _open_existing(args.db)
    try:
        summary = info.describe(book)
    finally:
        book.close()
    print(json.dumps(summary, ensure_ascii=False, indent=2) if args.json else info.as_text(summary))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    args.db = args.db or default_db_path().with_name("demo.sqlite")
    book = Casebook.connect(args.db) if isinstance(args.db, str) else Casebook.open(args.db)
    try:
        if args.open and book.settings().is_demo:
            print(f"Opening the existing synthetic demo series in {book.location}")
        else:
            demo.write_demo(book)
            counts = book.counts()
            print(
                f"Wrote the SYNTHETIC demonstration series to {book.location}: {counts.patients} invented "
                f"patients, {counts.medication_courses} medication courses, {counts.assessments} "
                f"assessments, {counts.adverse_events} adverse events."
            )
    except demo.DemoRefused as exc:
        raise CommandError(str(exc)) from exc
    finally:
        book.close()
    return _run_gui(args.db) if args.open else 0


def _run_gui(location: Path | str | None) -> int:
    """The desktop app on ``location``; without one, the database opened last (else the default)."""
    from .ui.platform_check import display_problem

    problem = display_problem()
    if problem:
        raise CommandError(problem)
    from .ui.application import run

    return run(location, default_db_path())


def _handle(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    try:
        return handler(args)
    except (StorageError, ValidationError, CommandError) as exc:
        print(f"myocase: error: {exc}", file=sys.stderr)
    except OSError as exc:
        print(
            f"myocase: error: {exc.strerror or exc} ({exc.filename or args.db or default_db_path()})",
            file=sys.stderr,
        )
    except Exception as exc:
        log.exception("Unexpected error in %s", args.command or "the desktop app")
        if args.debug:
            raise
        print(
            f"myocase: unexpected error: {exc!r} (details in {_log_file()}; run with --debug to see them here)",
            file=sys.stderr,
        )
    return 1


def _log_file() -> str:
    files = [h.baseFilename for h in _log_handlers if isinstance(h, RotatingFileHandler)]
    return files[0] if files else "the log"


def main(argv: Sequence[str] | None = None) -> int:
    """The `myocase` command; Ctrl+C ends any command with one line and exit status 130."""
    try:
        args = build_parser().parse_args(argv)
        configure_logging(debug=args.debug)
        handler: Any = getattr(args, "handler", None)
        if handler is None:
            return _handle(lambda a: _run_gui(a.db), args)
        return _handle(handler, args)
    except KeyboardInterrupt:
        print("myocase: interrupted", file=sys.stderr)
        return INTERRUPTED
