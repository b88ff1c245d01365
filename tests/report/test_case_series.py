"""The PDF report: sections in order, Table 2 equal to `myocase stats`, fonts, images, de-identification, safety."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from myocase.cli import main
from myocase.domain.analysis import AnalysisSettings, CountSummary
from myocase.domain.clock import DateMode, signed
from myocase.domain.disclosure import date_offset
from myocase.domain.records import Identifiers
from myocase.domain.scores import ChangeRule, RuleKind
from myocase.domain.vocab import DRUGS, Subtype
from myocase.report.case_series import ReportCancelled
from myocase.report.drawings import swimmer_parts
from myocase.report.figures import FIGURE_HEIGHT
from myocase.services import analysis_settings, report
from myocase.services.disclosure import SECRET_KEY
from myocase.store.casebook import Casebook
from pypdf import PdfReader

from tests.factories import make_course, make_patient
from tests.report.conftest import pdf_text

SECTIONS = [
    "Summary",
    "Table 1. Patient characteristics",
    "Table 2.",
    "Table 3. Adverse events",
    "Patients",
    "Methods",
    "CARE checklist",
]


@pytest.fixture
def pdf(demo_book: Casebook, tmp_path: Path) -> Path:
    return report.export(demo_book, tmp_path / "report.pdf", report.load_options(demo_book))


def test_sections_in_order_and_page_numbers(pdf: Path) -> None:
    content = pdf_text(pdf)
    positions = [content.find(section) for section in SECTIONS]
    assert all(p >= 0 for p in positions), dict(zip(SECTIONS, positions, strict=True))
    assert positions == sorted(positions)
    pages = len(PdfReader(pdf).pages)
    assert 6 <= pages <= 30
    assert f"Page 1 of {pages}" in content
    assert f"Page {pages} of {pages}" in content
    assert content.count("De-identified") >= pages  # the banner on every page
    assert "SYNTHETIC DEMO DATA" in content


@pytest.mark.sqlite_only("runs the command line on the file's path")
def test_table_2_matches_stats_json(
    pdf: Path, demo_book: Casebook, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--db", str(demo_book.path), "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    content = pdf_text(pdf)
    table = content[content.find("Table 2. ") : content.find("Table 3. ")]
    flat = " ".join(table.split())
    number = lambda v: f"{v:g}".replace("-", "−")  # noqa: E731
    for row in stats["patients"]:
        criteria = " and ".join(row["meaningful_criteria"])
        expected = " ".join(
            [
                row["patient"], row["subtype"], re.escape(f"day {signed(row['baseline_day'])}"), number(row["baseline"]),
                re.escape(f"day {signed(row['followup_day'])}"), number(row["followup"]),
                number(row["change"]), number(row["percent_change"]),
                re.escape(f"{'yes' if row['meaningful_change'] else 'no'} ({criteria})"),
                re.escape(f"{row['tis_total']:g} {row['tis_category']}"),
            ]
        )  # fmt: skip
        assert re.search(expected, flat), (expected, flat[:600])
    outcome = stats["outcome"]
    assert f"Median (IQR), {outcome['n']} patients" in flat
    for key in ("baseline", "followup", "change"):
        centre = outcome["median_change" if key == "change" else f"{key}_median"]
        low, high = outcome[f"{key}_iqr"]
        assert f"{number(centre)} ({number(low)} to {number(high)})" in flat, key
    assert f"{outcome['test']}: statistic {outcome['statistic']:g}, p = {outcome['p_value']:.4f}" in flat
    assert f"{outcome['meaningful_change']} of {outcome['n']}" in flat


def test_fonts_are_embedded_and_images_present(pdf: Path) -> None:
    reader = PdfReader(pdf)
    fonts, images = set(), 0
    for page in reader.pages:
        resources = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            descriptor = (
                font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            )
            descriptor = descriptor.get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
            fonts.add(str(font["/BaseFont"]))
        images += len(page.images)
    assert any("DejaVuSans" in f for f in fonts)
    assert images >= 6  # the demo's photos
    assert "TIF1-γ" in pdf_text(pdf)


def test_identifiers_only_with_identified(demo_book: Casebook, tmp_path: Path) -> None:
    pid = demo_book.save_patient(
        demo_book.patient_by_study_id("DEMO-03").__class__(
            **{
                **demo_book.patient_by_study_id("DEMO-03").__dict__,
                "vignette": "Ms Élodie Brünhilde-Ng (MRN-7731) seen 1958-02-14.",
            }
        ),
        Identifiers(0, full_name="Élodie Brünhilde-Ng", mrn="MRN-7731", date_of_birth=date(1958, 2, 14)),
    ).id
    assert pid is not None
    secrets = ("Élodie", "Brünhilde", "MRN-7731", "1958-02-14", "14/02/1958", "Quillfeather", "SYN-0001")
    default = pdf_text(report.export(demo_book, tmp_path / "d.pdf", report.load_options(demo_book)))
    assert not [s for s in secrets if s in default]
    identified = pdf_text(
        report.export(demo_book, tmp_path / "i.pdf", report.load_options(demo_book, identified=True))
    )
    assert all(s in identified for s in ("Élodie Brünhilde-Ng", "MRN-7731", "1958-02-14", "Quillfeather"))
    assert identified.count("CONTAINS IDENTIFIERS") >= len(PdfReader(tmp_path / "i.pdf").pages)


def test_dates_are_shifted_consistently_between_exports(demo_book: Casebook, tmp_path: Path) -> None:
    demo_01 = demo_book.patient_by_study_id("DEMO-01")
    assert demo_01 is not None
    demo_book.save_preference(SECRET_KEY, "a-fixed-secret")  # a random one shifts by 0 days once in 365
    assert date_offset("a-fixed-secret", demo_01.id or 0) != 0
    options = report.load_options(demo_book, date_mode=DateMode.SHIFTED)
    first = pdf_text(report.export(demo_book, tmp_path / "a.pdf", options))
    second = pdf_text(report.export(demo_book, tmp_path / "b.pdf", options))
    dates = lambda t: re.findall(r"\d{4}-\d{2}-\d{2}", t[t.find("Table 1") :])  # noqa: E731
    assert dates(first) == dates(second)
    lines = [
        line.strip() for line in first[first.find("Table 1. Patient") : first.find("Table 2. ")].splitlines()
    ]
    demo_01 = lines[lines.index("DEMO-01") : lines.index("DEMO-02")]
    assert "2020-09-14" not in demo_01  # its real upadacitinib start is shifted away
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell) for cell in demo_01)


def test_days_from_the_index_start_are_the_default(demo_book: Casebook, tmp_path: Path) -> None:
    options = report.load_options(demo_book)
    assert options.date_mode is DateMode.INDEX_DAYS
    content = pdf_text(report.export(demo_book, tmp_path / "days.pdf", options))
    table = content[content.find("Table 2. ") : content.find("Table 3. ")]
    assert "day −21" in table
    assert not re.search(r"\d{4}-\d{2}-\d{2}", content)


def test_cancel_leaves_no_file_and_keeps_the_previous_one(demo_book: Casebook, tmp_path: Path) -> None:
    target = tmp_path / "out.pdf"
    with pytest.raises(ReportCancelled):
        report.export(
            demo_book, target, report.load_options(demo_book), progress=lambda done, total, what: done < 4
        )
    assert list(tmp_path.glob("*.pdf*")) == []
    target.write_bytes(b"%PDF previous report")
    with pytest.raises(ReportCancelled):
        report.export(
            demo_book, target, report.load_options(demo_book), progress=lambda done, total, what: done < 4
        )
    assert target.read_bytes() == b"%PDF previous report"
    assert sorted(p.name for p in tmp_path.iterdir() if ".pdf" in p.name) == ["out.pdf"]


def test_failure_mid_export_leaves_the_previous_file(
    demo_book: Casebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.pdf"
    target.write_bytes(b"%PDF previous report")

    def explode(done: int, total: int, what: str) -> bool:
        if done == 5:
            raise OSError(28, "No space left on device")
        return True

    with pytest.raises(OSError, match="No space left"):
        report.export(demo_book, target, report.load_options(demo_book), progress=explode)
    assert target.read_bytes() == b"%PDF previous report"
    assert [p.name for p in tmp_path.iterdir() if ".part" in p.name] == []


@pytest.mark.sqlite_only("runs the command line on the file's path")
def test_cli_report(demo_book: Casebook, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.pdf"
    args = [
        "report",
        "--db",
        str(demo_book.path),
        "--out",
        str(out),
        "--patients",
        "DEMO-01,DEMO-04",
        "--title",
        "Two cases: α and ≥ γ",
    ]
    assert main(args) == 0
    assert "de-identified" in capsys.readouterr().out
    content = pdf_text(out)
    assert "Two cases: α and ≥ γ" in content
    assert "DEMO-01" in content
    assert "DEMO-04" in content
    assert "DEMO-02" not in content
    assert main(["report", "--db", str(demo_book.path), "--out", str(out), "--patients", "NOPE"]) == 1
    assert "No patient with study ID NOPE" in capsys.readouterr().err


def test_a_long_series_and_a_crowded_timeline_fit_the_pages(demo_book: Casebook, tmp_path: Path) -> None:
    """Sixty patients split the swimmer plot over parts; thirty courses shrink a timeline to the page."""
    drugs = [d for d in DRUGS if d.name != "upadacitinib"]
    with demo_book.batch():
        for n in range(50):
            patient = demo_book.save_patient(make_patient(f"LONG-{n:02d}"))
            assert patient.id is not None
            demo_book.save(make_course(patient.id, "upadacitinib", f"2022-{n % 12 + 1:02d}-01"))
        crowded = demo_book.save_patient(make_patient("CROWDED"))
        assert crowded.id is not None
        for n, drug in enumerate(drugs[:30]):
            start = f"{2010 + n // 3}-{n % 12 + 1:02d}"
            demo_book.save(make_course(crowded.id, drug.name, start, drug_class=drug.drug_class))

    swimmer = report.gather(demo_book, report.load_options(demo_book)).swimmer
    assert swimmer is not None
    parts = swimmer_parts(swimmer, 480, FIGURE_HEIGHT)
    assert len(parts) >= 2
    assert all(p.height <= FIGURE_HEIGHT for p in parts)
    assert (
        sum(p.counts["rows"] for p in parts) == len(swimmer.rows) == 58
    )  # DM + ADM: 8 demo, 50 long; not CROWDED

    out = tmp_path / "long.pdf"
    report.export(demo_book, out, report.load_options(demo_book))
    text = pdf_text(out)
    assert f"Figure 2 (part 1 of {len(parts)})" in text
    assert "Timeline of CROWDED" in text


def _section(content: str, start: str, end: str) -> str:
    return " ".join(content[content.find(start) : content.find(end, content.find(start))].split())


def test_numbers_are_worded_for_a_reader(pdf: Path) -> None:
    content = pdf_text(pdf)
    flat = " ".join(content.split())
    summary = _section(content, "Summary", "Table 1.")
    assert "median change −17.5 (IQR −20.25 to −15.75)" in summary  # a true minus sign, "to", no dash
    assert "from a median of 27 (IQR 23.5 to 30.5) to 8.5 (IQR 5.75 to 10.25)" in summary
    assert "a median of 4 (range 3 to 5) immunosuppressants" in summary
    assert "Age at onset: median 49 (range 33 to 62) years" in summary
    assert "1 stopped: DEMO-04, adverse event: acneiform eruption (grade 3)." in summary
    assert "2 patients were not in the outcome analysis" in summary
    assert "−17.5 (−20.25 to −15.75)" in _section(content, "Table 2.", "Table 3.")
    assert "(s)" not in flat
    assert "1.0000" not in flat
    assert not re.search(r"\d–\d", summary + _section(content, "Table 2.", "Table 3."))  # no "(23.5–30.5)"
    assert "((" not in flat.replace(" ", "")
    assert "))" not in flat.replace(" ", "")
    table = content[content.find("Table 2. ") : content.find("Table 3. ")]
    assert not [line for line in table.splitlines() if line.startswith("(")]  # no "47.5\n(moderate)"


def test_the_mean_is_used_when_the_settings_ask_for_it(demo_book: Casebook, tmp_path: Path) -> None:
    analysis_settings.save_settings(demo_book, AnalysisSettings(count_summary=CountSummary.MEAN))
    content = pdf_text(report.export(demo_book, tmp_path / "mean.pdf", report.load_options(demo_book)))
    assert "a mean of 4 (range 3 to 5) immunosuppressants" in _section(content, "Summary", "Table 1.")
    assert "counts per patient (prior immunosuppressants) as mean (range)" in _section(
        content, "Methods", "CARE"
    )


def test_a_small_series_says_its_test_cannot_show_a_difference(demo_book: Casebook, tmp_path: Path) -> None:
    analysis_settings.save_settings(demo_book, AnalysisSettings(subtypes=(Subtype.ADM,)))  # 3 patients
    content = pdf_text(report.export(demo_book, tmp_path / "three.pdf", report.load_options(demo_book)))
    expected = (
        "Wilcoxon signed-rank (exact): statistic 0, p = 0.25; with 3 pairs the exact test cannot reach p < 0.05 "
        "(the smallest possible p is 0.25)."
    )
    assert expected in _section(content, "Summary", "Table 1.")
    assert expected in _section(content, "Table 2.", "Table 3.")
    one = pdf_text(
        report.export(demo_book, tmp_path / "one.pdf", report.load_options(demo_book), ["DEMO-06"])
    )
    assert "Wilcoxon signed-rank (exact): not run (a single pair: no test)." in _section(
        one, "Table 2.", "Table 3."
    )
    assert "In the 1 ADM patient with a baseline" in _section(one, "Summary", "Table 1.")
    assert "1.0000" not in one
    assert "p = 1" not in one


def test_the_methods_name_the_meaningful_change_rule_chosen(demo_book: Casebook, tmp_path: Path) -> None:
    rule = ChangeRule(kind=RuleKind.PERCENT)
    analysis_settings.save_settings(demo_book, AnalysisSettings(change_rule=rule))
    content = pdf_text(report.export(demo_book, tmp_path / "rule.pdf", report.load_options(demo_book)))
    methods = _section(content, "Methods", "CARE checklist")
    assert rule.description in methods
    assert (
        "Meaningful change in CDASI activity (40 % only): a change meeting the percent criterion" in methods
    )
    assert "Meaningful change by the rule “40 % only”" in _section(content, "Table 2.", "Table 3.")


def test_the_title_defaults_to_the_series_name(demo_book: Casebook, tmp_path: Path) -> None:
    series = demo_book.settings()
    assert report.load_options(demo_book).title == series.name
    demo_book.save_settings(replace(series, name="JAK inhibitors in anti-MDA5 dermatomyositis"))
    content = pdf_text(report.export(demo_book, tmp_path / "title.pdf", report.load_options(demo_book)))
    assert "JAK inhibitors in anti-MDA5 dermatomyositis" in content[: content.find("Summary")]
    demo_book.save_settings(replace(series, name="Untitled case series"))
    assert report.load_options(demo_book).title == (
        "Upadacitinib in refractory inflammatory myositis: a case series"
    )
    report.save_options(demo_book, replace(report.load_options(demo_book), title="My own title"))
    assert report.load_options(demo_book).title == "My own title"  # a title the user typed wins


def test_table_1_derives_the_age_at_onset_when_none_was_typed(demo_book: Casebook, tmp_path: Path) -> None:
    patient = demo_book.patient_by_study_id("DEMO-02")
    assert patient is not None
    assert patient.birth_year is not None
    assert patient.diagnosis_date is not None
    derived = patient.diagnosis_date.value.year - patient.birth_year
    demo_book.save_patient(replace(patient, age_at_onset=None))
    options = report.load_options(demo_book, identified=True)
    content = pdf_text(report.export(demo_book, tmp_path / "age.pdf", options))
    lines = [
        line.strip() for line in content[content.find("Table 1. ") : content.find("Table 2. ")].splitlines()
    ]
    row = lines[lines.index("DEMO-02") : lines.index("DEMO-03")]
    assert row[:4] == ["DEMO-02", "DM", "Female", str(derived)]
