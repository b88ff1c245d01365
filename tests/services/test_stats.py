"""The analysis use case on the demo series, and `myocase stats` in JSON and as text (Table 2 as columns)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from myocase.cli import main
from myocase.domain.analysis import AnalysisSettings, CountSummary, FollowUp
from myocase.domain.scores import ChangeRule, RuleKind
from myocase.domain.stats import PairedTestKind
from myocase.domain.vocab import Subtype
from myocase.services import analysis_settings, stats
from myocase.store.casebook import Casebook
from myocase.store.database import backup_database


@pytest.fixture
def demo_db(demo_path: Path, tmp_path: Path) -> Path:
    return backup_database(demo_path, tmp_path / "demo.sqlite")


def test_demo_dm_adm_gives_eight_patients_and_a_significant_fall(demo_db: Path) -> None:
    book = Casebook.open(demo_db)
    result = stats.run(book, analysis_settings.load_settings(book))
    book.close()
    summary = result.analysis.summary
    assert summary.n == 8
    assert summary.test.p_value is not None
    assert summary.test.p_value < 0.05
    assert summary.test.p_value == pytest.approx(2 / 2**8)  # 8 untied improvements, exact
    assert summary.meaningful == 8
    assert {e.study_id for e in result.analysis.excluded} == {"DEMO-09", "DEMO-10"}
    assert result.facts.prior_immunosuppressants_mean == 4
    assert (result.facts.prior_jak_inhibitor, result.facts.on_drug_at_cutoff) == (3, 9)


def test_stored_settings_are_the_defaults_for_every_run(demo_db: Path) -> None:
    book = Casebook.open(demo_db)
    analysis_settings.save_settings(
        book, AnalysisSettings(followup=FollowUp.W12, test=PairedTestKind.TTEST, subtypes=(Subtype.DM,))
    )
    settings = analysis_settings.load_settings(book)
    assert (settings.followup, settings.test, settings.subtypes) == (
        FollowUp.W12,
        PairedTestKind.TTEST,
        (Subtype.DM,),
    )
    assert analysis_settings.load_settings(book, test=PairedTestKind.WILCOXON).test is PairedTestKind.WILCOXON
    book.close()


def test_stats_json_has_the_promised_keys(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--db", str(demo_db), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    cohort, outcome = data["cohort"], data["outcome"]
    assert cohort["patients"] == 10
    assert cohort["by_subtype"] == {"DM": 5, "ADM": 3, "ASyS": 2}
    assert cohort["prior_immunosuppressants_mean"] == 4.0
    assert cohort["prior_jak_inhibitor"] == 3
    assert cohort["on_drug_at_cutoff"] == 9
    assert cohort["discontinued"] == [
        {
            "patient": "DEMO-04",
            "reason": "Adverse event: acneiform eruption (grade 3)",
            "stopped_day": 195,
            "stopped_date": None,
        }
    ]
    assert outcome["measure"] == "cdasi_activity"
    assert outcome["n"] == 8
    assert outcome["test"] == "Wilcoxon signed-rank (exact)"
    assert outcome["p_value"] == 0.007812
    for key in ("baseline_median", "followup_median", "median_change", "statistic"):
        assert isinstance(outcome[key], float)
    assert [e["patient"] for e in outcome["excluded"]] == ["DEMO-09", "DEMO-10"]
    assert len(data["patients"]) == 8
    first = data["patients"][0]
    assert first["patient"] == "DEMO-01"
    assert first["baseline"] == 32
    assert first["followup"] == 8
    assert [c["phase"] for c in cohort["phase_changes"] if c["patient"] == "DEMO-01"] == [
        "tofacitinib",
        "upadacitinib",
    ]


def test_stats_json_is_de_identified_unless_asked(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--db", str(demo_db), "--json"]) == 0
    text = capsys.readouterr().out
    data = json.loads(text)
    assert (data["dates"], data["identified"], data["data_cutoff"]) == ("index_days", False, None)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no calendar date anywhere
    first = data["patients"][0]
    assert (first["baseline_date"], first["index_start"]) == (None, None)
    assert first["baseline_day"] <= 7
    assert first["followup_day"] > 0
    assert first["cutoff_day"] >= first["followup_day"]
    assert main(["stats", "--db", str(demo_db), "--json", "--identified"]) == 0
    data = json.loads(capsys.readouterr().out)
    first = data["patients"][0]
    assert data["dates"] == "actual"
    assert data["data_cutoff"] == "2023-06-30"
    assert date.fromisoformat(first["followup_date"]) - date.fromisoformat(
        first["baseline_date"]
    ) == timedelta(days=first["followup_day"] - first["baseline_day"])
    assert data["cohort"]["discontinued"][0]["stopped_date"] == "2022-02-20"


def test_stats_options(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "stats",
        "--db",
        str(demo_db),
        "--json",
        "--subtypes",
        "DM",
        "--followup",
        "12w",
        "--test",
        "ttest",
    ]
    assert main(args) == 0
    outcome = json.loads(capsys.readouterr().out)["outcome"]
    assert outcome["test"] == "Paired t-test"
    reasons = {e["patient"]: e["reason"] for e in outcome["excluded"]}
    assert reasons["DEMO-06"] == "subtype ADM not in the analysis"
    assert outcome["n"] + len(outcome["excluded"]) == 10
    assert (
        main(["stats", "--db", str(demo_db), "--json", "--measure", "mmt8_total", "--drug", "tofacitinib"])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["settings"]["index_drug"] == "tofacitinib"
    assert data["outcome"]["measure"] == "mmt8_total"


def test_stats_table(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--db", str(demo_db)]) == 0
    out = capsys.readouterr().out
    assert "  Wilcoxon signed-rank (exact): statistic 0, p = 0.0078. Meaningful change by the rule" in out
    assert "  Not analysed: DEMO-09: subtype ASyS not in the analysis.\n" in out
    lines = out.splitlines()
    assert lines.index("CDASI activity: baseline and follow-up") == 9
    assert lines[10:13] == [
        "  Patient  Subtype  Baseline  Baseline  Follow-up  Follow-up  Change  Change  Meaningful change          TIS  TIS",
        "                    visit               visit                              %                                  response",
        "  -------  -------  --------  --------  ---------  ---------  ------  ------  ------------------------  ----  --------",
    ]  # headers wrapped at their words where the cells are narrower, numbers to the right
    assert lines[13] == (
        "  DEMO-01  DM       day −21         32  day +973           8     −24     −75  yes (points and percent)  47.5  moderate"
    )
    assert lines[21] == lines[12]  # the rule again above the summary row
    assert lines[22:24] == [
        "  Median (IQR), 8   27 (23.5 to 30.5)   8.5 (5.75 to 10.25)   −17.5 (−20.25   8 of 8",
        "  patients                                                    to −15.75)",
    ]  # summary cells wrapped inside the columns they span


def test_bad_subtype_is_a_usage_error(demo_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["stats", "--db", str(demo_db), "--subtypes", "DM,XYZ"])
    assert exit_info.value.code == 2
    assert "unknown subtype 'XYZ'" in capsys.readouterr().err


def test_stats_text_writes_medians_ranges_and_plurals(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--db", str(demo_db)]) == 0
    out = capsys.readouterr().out
    assert "Prior immunosuppressants      median 4 (range 3 to 5)" in out
    assert "   −17.5 (−20.25   8 of 8" in out  # true minus signs, "to" (wrapped in the columns it spans)
    assert "Age at onset                  median 49 (range 33 to 62)" in out
    assert "Median time on the drug       560 days" in out
    assert "(s)" not in out
    assert "Meaningful improvement        8 of 8 (either criterion)" in out
    assert "On upadacitinib at the cut-off 9 of 10" in out  # a label as long as its column keeps a space


def test_stored_mean_and_rule_reach_the_text_and_the_json(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = Casebook.open(demo_db)
    rule = ChangeRule(points=20, kind=RuleKind.POINTS)
    analysis_settings.save_settings(book, AnalysisSettings(count_summary=CountSummary.MEAN, change_rule=rule))
    book.close()
    assert main(["stats", "--db", str(demo_db)]) == 0
    out = capsys.readouterr().out
    assert "Prior immunosuppressants      mean 4 (range 3 to 5)" in out
    assert "Meaningful improvement        2 of 8 (points only)" in out  # falls of 24 and 26 points
    assert main(["stats", "--db", str(demo_db), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    cohort, outcome = data["cohort"], data["outcome"]
    assert data["settings"]["count_summary"] == "mean"
    assert data["settings"]["change_rule"] == "points"
    assert cohort["prior_immunosuppressants_summary"] == "mean"
    assert (cohort["prior_immunosuppressants_mean"], cohort["prior_immunosuppressants_median"]) == (4.0, 4.0)
    assert (outcome["meaningful_change"], outcome["meaningful_rule"]) == (2, "points")
    assert outcome["meaningful_criteria"] == {"points": 2, "percent": 8}
    assert [p["meaningful_criteria"] for p in data["patients"][:2]] == [["points", "percent"], ["percent"]]
    assert (outcome["test_pairs"], outcome["smallest_p"]) == (8, 0.007812)
    assert (cohort["age_at_onset_median"], cohort["age_at_onset_range"], cohort["ages_capped_at"]) == (
        49.0,
        [33, 62],
        90,
    )


def test_a_small_series_says_what_its_test_cannot_show(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = Casebook.open(demo_db)
    analysis_settings.save_settings(book, AnalysisSettings(subtypes=(Subtype.ADM,)))  # DEMO-06 to 08
    book.close()
    assert main(["stats", "--db", str(demo_db)]) == 0
    out = " ".join(capsys.readouterr().out.split())  # the caption is wrapped to the terminal's width
    assert (
        "Wilcoxon signed-rank (exact): statistic 0, p = 0.25; with 3 pairs the exact test cannot reach "
        "p < 0.05 (the smallest possible p is 0.25)."
    ) in out
    assert main(["stats", "--db", str(demo_db), "--json"]) == 0
    outcome = json.loads(capsys.readouterr().out)["outcome"]
    assert (outcome["p_value"], outcome["smallest_p"], outcome["test_pairs"]) == (0.25, 0.25, 3)
    assert outcome["test_note"].startswith("with 3 pairs the exact test cannot reach p < 0.05")
