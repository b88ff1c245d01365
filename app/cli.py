"""The `myocase` command line: parse (`cli_parser`), call a service, print; without a command (or with a series
file) it opens the desktop app. Services, the store and their libraries load inside the command that needs them."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformdirs import user_log_path

from . import cli_parser
from .cli_parser import default_db_path
from .domain.analysis import FollowUp
from .domain.clock import DateMode
from .domain.numbers import plural
from .domain.stats import PairedTestKind
from .domain.validation import ValidationError
from .services.progress import ProgressLine

if TYPE_CHECKING:
    from .store.casebook import Casebook

log = logging.getLogger("myocase")

REFUSED = 1  # exit statuses: 0 done, 1 refused input, 2 usage (argparse), 130 Ctrl+C
INTERRUPTED = 130  # the exit status of a program ended by Ctrl+C
USAGE = 2  # the exit status of a command used wrongly (as argparse gives)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_log_handlers: list[logging.Handler] = []


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit status 1."""


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


# ------------------------------------------------------------ commands


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The command line as a namespace with its ``handler``; argparse exits with status 2 and a message on
    stderr if it is wrong."""
    args = cli_parser.parse_args(argv)
    args.handler = HANDLERS[args.run]
    return args


@contextmanager
def _progress_line(what: str, unit: str = "") -> Iterator[ProgressLine]:
    """A progress line on standard error while the block runs (none when it is not a terminal), then cleared."""
    line = ProgressLine(sys.stderr, what, unit=unit)
    try:
        yield line
    finally:
        line.close()


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
    verdict = plural(len(result.findings), "hit") if result.findings else "nothing found"
    print(f"{plural(len(result.checked), 'file')} checked: {verdict}.", file=sys.stderr)
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
    with _progress_line("Writing the report") as progress:
        written = report.write(data, args.out, progress)
    label = "CONTAINS IDENTIFIERS" if args.identified else "de-identified"
    _output(args.json, report.summary(data, written), f"Wrote {written} ({label})")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from .services import exports

    patients = [p.strip() for p in args.patients.split(",") if p.strip()] if args.patients else None
    try:
        with closing(_open_existing(args.db)) as book:
            fmt = exports.ExportFormat(args.format)
            with _progress_line("Exporting") as progress:
                result = exports.export_data(
                    book, fmt, args.out, identified=args.identified, study_ids=patients, progress=progress
                )
    except exports.ExportUnavailable as exc:
        print(f"myocase: error: {exc}", file=sys.stderr)
        return USAGE
    _output(args.json, result.as_json(), "\n".join(map(str, result.written)))
    label = "IDENTIFIED: names, record numbers and real dates" if args.identified else "de-identified"
    rows = ", ".join(f"{name} {count}" for name, count in result.rows.items())
    written = plural(len(result.written), "file")
    print(f"{written} written to {result.written[0].parent} ({label}); rows: {rows}", file=sys.stderr)
    return 0


def _cmd_bundle_export(args: argparse.Namespace) -> int:
    from .services import bundles

    patients = [p.strip() for p in args.patients.split(",") if p.strip()] if args.patients else None
    try:
        with closing(_open_existing(args.db)) as book:
            result = bundles.export_bundle(book, args.out, args.centre, patients)
    except bundles.BundleRefused as exc:
        raise CommandError(str(exc)) from exc
    _output(args.json, result.as_json(), result.text)
    for reason in result.left_out:
        print(f"left out: {reason}", file=sys.stderr)
    return 0


def _cmd_bundle_import(args: argparse.Namespace) -> int:
    from .services import bundle_import

    try:
        result = bundle_import.import_into(args.db, args.files)
    except bundle_import.BundleRefused as exc:
        raise CommandError(str(exc)) from exc
    _output(args.json, result.as_json(), "\n".join(result.lines()))
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from .services import importing

    fmt = importing.ImportFormat(args.format)
    if args.mapping is not None and fmt is not importing.ImportFormat.REDCAP:
        args.parser.error("--mapping is for --format redcap")
    try:
        outcome = importing.import_files(args.db, fmt, args.files, mapping=args.mapping, dry_run=args.dry_run)
    except importing.ImportUnavailable as exc:
        print(f"myocase: error: {exc}", file=sys.stderr)
        return USAGE
    _output(args.json, importing.as_json(outcome), "\n".join(importing.summary(outcome)))
    if not outcome.plan.ok:
        print(
            f"myocase: refused: {plural(len(outcome.plan.problems), 'problem')}; nothing was written",
            file=sys.stderr,
        )
        return REFUSED
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
    label = "WITH IDENTIFYING DATES" if args.identified else "de-identified"
    print(f"{plural(len(result.written), 'photo')} written to {args.out} ({label})", file=sys.stderr)
    return 0


def _cmd_stats(args: argparse.Namespace) -> int:
    from .services import stats
    from .services.analysis_settings import load_settings

    with closing(_open_existing(args.db)) as book:
        settings = load_settings(
            book, index_drug=args.drug, measure=args.measure, subtypes=args.subtypes,
            followup=FollowUp(args.followup) if args.followup else None,
            test=PairedTestKind(args.test) if args.test else None,
        )  # fmt: skip
        with _progress_line("Computing statistics", unit="patient") as progress:
            result = stats.run(book, settings, identified=args.identified, progress=progress)
    if args.json:
        _output(True, stats.to_json(result), "")
    else:
        _output(False, None, stats.as_text(result))
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    from .services import backup

    written = backup.back_up(args.db, args.out)
    text = f"Backup of {written.location} written to {written.path} (checked: integrity, schema {written.schema})"
    _output(args.json, written.as_json(), text)
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from .services import backup

    restored = backup.restore(args.db, args.file)
    kept = f"; the series as it was is kept in {restored.safety}" if restored.safety else ""
    _output(args.json, restored.as_json(), f"Restored {restored.location} from {restored.source}{kept}")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from .services import info

    summary = info.describe(args.db)  # a current file is read without SQLAlchemy
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


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "gui": _cmd_gui,
    "demo": _cmd_demo,
    "info": _cmd_info,
    "stats": _cmd_stats,
    "photos add": _cmd_photos_add,
    "photos export": _cmd_photos_export,
    "report": _cmd_report,
    "deid-check": _cmd_deid_check,
    "export": _cmd_export,
    "bundle export": _cmd_bundle_export,
    "bundle import": _cmd_bundle_import,
    "import": _cmd_import,
    "backup": _cmd_backup,
    "restore": _cmd_restore,
}


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
