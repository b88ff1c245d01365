"""Text in any script and of any length in the PDF: fallback fonts, right-to-left lines, long vignettes."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from bidi import get_display
from myocase.domain.records import Identifiers
from myocase.report import rtl
from myocase.report.scripts import FALLBACKS, ScriptParagraph, drawing_text, string_width
from myocase.report.styles import CHUNK, FONT, FONT_BOLD, FONT_BOLD_ITALIC, FONT_ITALIC, Styles, para, paras
from myocase.services import report
from myocase.store.casebook import Casebook
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import SimpleDocTemplate, Spacer

from tests.factories import make_course, make_patient

PATIENTS = {  # study ID: (full name, a sentence of the vignette)
    "ZH-01": ("王小明", "患者王小明，女性，四十五岁。开始使用乌帕替尼后皮疹明显改善。"),
    "JA-02": ("山田花子", "山田花子さんは、ウパダシチニブを開始後、皮疹が改善しました。"),
    "KO-03": ("김민수", "김민수 환자는 우파다시티닙 투여 후 피부 발진이 호전되었다."),
    "AR-04": ("فاطمة الزهراء", "تحسن الطفح الجلدي لدى فاطمة الزهراء بعد بدء العلاج."),
    "HE-05": ("שרה כהן", "הפריחה של שרה כהן השתפרה לאחר תחילת הטיפול."),
}


@pytest.fixture(scope="module")
def scripts_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An identified report of five patients named, and described, in five scripts."""
    folder = tmp_path_factory.mktemp("scripts")
    book = Casebook.open(folder / "scripts.sqlite")
    try:
        for study_id, (name, sentence) in PATIENTS.items():
            note = f"{sentence}\nSeen in clinic; {name} agreed to the write-up."
            patient = book.save_patient(make_patient(study_id, vignette=note), Identifiers(0, full_name=name))
            book.save(make_course(patient.id or 0))
        return report.export(book, folder / "scripts.pdf", report.load_options(book, identified=True))
    finally:
        book.close()


def drawn_text(path: Path) -> list[tuple[str, str]]:
    """(embedded font name without its subset prefix, text) for every piece of text on every page."""
    pieces: list[tuple[str, str]] = []

    def visit(text: str, cm: object, tm: object, font: dict[str, object] | None, size: float) -> None:
        if font is not None and text:
            pieces.append((str(font["/BaseFont"]).split("+", 1)[-1], text))

    for page in PdfReader(path).pages:
        page.extract_text(visitor_text=visit)
    return pieces


def missing_glyphs(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(font, character) for every character drawn with a font whose character map lacks it
    (reportlab draws such a character as .notdef, which reads back as U+0000)."""
    Styles()  # registers the fonts
    registered = (FONT, FONT_BOLD, FONT_ITALIC, FONT_BOLD_ITALIC, *(f.name for f in FALLBACKS))
    faces = [pdfmetrics.getFont(name).face for name in registered]
    cmaps = {face.name.decode(): face.charToGlyph for face in faces}
    return [
        (font, char)
        for font, text in pieces
        for char in text
        if not char.isspace() and ord(char) not in cmaps[font]
    ]


def page_texts(path: Path) -> list[str]:
    document = pdfium.PdfDocument(path)
    try:
        return [document[n].get_textpage().get_text_range() for n in range(len(document))]
    finally:
        document.close()


def test_every_script_is_drawn_with_an_embedded_font_that_has_its_glyphs(scripts_pdf: Path) -> None:
    pieces = drawn_text(scripts_pdf)
    faces = {pdfmetrics.getFont(f.name).face.name.decode() for f in FALLBACKS}
    assert faces | {"DejaVuSans"} <= {font for font, _ in pieces}  # each script in its own font
    assert missing_glyphs(pieces) == []
    for page in PdfReader(scripts_pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            assert "/FontFile2" in font.get_object()["/FontDescriptor"], font.get_object()["/BaseFont"]


def test_names_and_notes_read_back_in_logical_order(scripts_pdf: Path) -> None:
    """The text layer reads like the input. The page holds right-to-left glyphs in visual order (joined
    Arabic forms), as every PDF writer does, and readers put them back: pdfium (the leak check's reader)
    gives every sentence as typed; pypdf gives every name as typed. (pdfium keeps a name of two
    right-to-left words inside a left-to-right line in visual word order, each word right.)"""
    sentences = "\n".join(page_texts(scripts_pdf))
    names = unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in PdfReader(scripts_pdf).pages))
    for name, sentence in PATIENTS.values():
        assert sentence in sentences, sentence
        assert f"Identifiers: {name}" in names, name


def test_the_glyph_check_sees_a_character_no_font_has(tmp_path: Path) -> None:
    target = tmp_path / "devanagari.pdf"
    SimpleDocTemplate(str(target)).build([para("Hindi: देव and 王", Styles().body)])
    missing = missing_glyphs(drawn_text(target))
    assert [char for _, char in missing] == ["\x00"] * 3  # three boxes; 王 is in Droid Sans Fallback


def test_a_long_vignette_flows_across_pages_and_is_complete(tmp_path: Path) -> None:
    sentences = [
        f"Visit {n:05d}: Gottron papules and the heliotrope rash improved on upadacitinib."
        for n in range(4000)
    ]
    vignette = " ".join(sentences[:2000]) + "\n" + " ".join(sentences[2000:])  # two ~150 KB paragraphs
    assert len(vignette) > 300_000
    book = Casebook.open(tmp_path / "long.sqlite")
    try:
        patient = book.save_patient(make_patient("LONG-01", vignette=vignette))
        book.save(make_course(patient.id or 0))
        pdf = report.export(book, tmp_path / "long.pdf", report.load_options(book))
    finally:
        book.close()
    decorations = re.compile(r"[^\n]*(De-identified|Page \d+ of \d+)[^\n]*\n?")  # running header, footer
    pages = [decorations.sub("", text) for text in page_texts(pdf)]
    spanned = [n for n, text in enumerate(pages) if "Visit" in text]
    assert len(spanned) >= 20
    assert spanned == list(range(spanned[0], spanned[-1] + 1))
    visits = re.findall(r"Visit\s+(\d{5}):", "\n".join(pages[n] for n in spanned))
    assert [int(n) for n in visits] == list(range(4000))  # every sentence, once, in order


def test_free_text_becomes_paragraphs_of_bounded_length() -> None:
    styles = Styles()
    line = " ".join(f"Word{n} ends here." for n in range(2000))
    story = paras(f"First line\n\n{line}", styles.body)
    assert isinstance(story[1], Spacer)  # the blank line
    texts = [p.getPlainText() for p in story if isinstance(p, ScriptParagraph)]
    assert texts[0] == "First line"
    assert len(texts) > 10
    assert all(len(t) <= CHUNK for t in texts)
    assert " ".join(texts[1:]) == line
    assert all(p.style.spaceAfter == 0 for p in story[:-1] if isinstance(p, ScriptParagraph))
    assert story[-1].style.spaceAfter == styles.body.spaceAfter


@pytest.mark.parametrize(
    ("text", "base"),
    [
        ("abc שלום עולם def", 0),
        ("שלום עולם abc def!", 1),
        ("טיפול ב-upadacitinib 15 מ״ג (CDASI 32 ל-8).", 1),
        ("Name: محمد عبد الله, seen 2021 (day 12).", 0),
        ("بدأ العلاج في عام 2021، وتحسن الطفح (CDASI من 32 إلى 8).", 1),
        ("עברית العربية ≥ 90 µg [x] end", 0),
    ],
)
def test_line_order_follows_the_unicode_bidi_algorithm(text: str, base: int) -> None:
    """Character by character, levels + reorder give the display string of python-bidi's Rust implementation
    (which does not mirror brackets: the drawing does, by Unicode's BidiMirroring through python-bidi)."""
    assert "".join(rtl.reorder(list(text), rtl.levels(text, base))) == get_display(text, base_dir="LR"[base])


def test_a_right_to_left_paragraph_wraps_in_reading_order(tmp_path: Path) -> None:
    words = ["אחת", "שתיים", "שלוש", "ארבע", "חמש", "שש", "שבע", "שמונה", "תשע", "עשר"] * 3
    target = tmp_path / "hebrew.pdf"
    SimpleDocTemplate(str(target), pagesize=(A4[0] / 2, A4[1])).build([para(" ".join(words), Styles().body)])
    lines = [line.strip() for line in page_texts(target)[0].splitlines() if line.strip()]
    assert len(lines) >= 3
    assert " ".join(lines).split() == words  # the first line holds the first words, and so on


def test_a_name_is_shaped_as_typed() -> None:
    Styles()
    glyphs = str(rtl.shape("محمد", "NotoSansArabic"))
    assert glyphs == "\ufeaa\ufee4\ufea4\ufee3"  # joined forms, right to left; not the vocalised ligature ﷴ
    assert str(rtl.shape("שרה", "NotoSansHebrew")) == "הרש"


def test_figure_labels_use_fallback_fonts_in_visual_order() -> None:
    Styles()
    label = drawing_text(10, 20, "DEMO 王 שרה", FONT, 8)
    strings = [(s.text, s.fontName) for s in label.contents]
    assert strings == [("DEMO ", FONT), ("王 ", "DroidSansFallback"), ("הרש", "NotoSansHebrew")]
    assert [round(s.x, 2) for s in label.contents] == sorted(round(s.x, 2) for s in label.contents)


def test_widths_count_the_fallback_glyphs() -> None:
    Styles()
    assert string_width("王小明", FONT, 10) == pytest.approx(
        3 * pdfmetrics.stringWidth("王", "DroidSansFallback", 10)
    )
    assert string_width("王小明", FONT, 10) > 20


def test_a_figure_label_in_another_script_gets_its_fallback_font() -> None:
    from datetime import date

    from myocase.domain.records import SeriesSettings
    from myocase.domain.timeline import build_timeline
    from myocase.domain.vocab import DrugClass
    from myocase.report.drawings import draw_timeline
    from reportlab.graphics.shapes import String

    course = make_course(
        1, "甲氨蝶呤", "2020-01-01", drug_class=DrugClass.CONVENTIONAL
    )  # methotrexate, in Chinese
    spec = build_timeline(
        make_patient(id=1),
        [course],
        [],
        [],
        [],
        SeriesSettings(cutoff=date(2021, 1, 1)),
        today=date(2021, 1, 1),
    )
    strings: list[String] = []

    def walk(node: object) -> None:
        if isinstance(node, String):
            strings.append(node)
        for child in getattr(node, "contents", ()):
            walk(child)

    walk(draw_timeline(spec, 480))
    drawn = [s for s in strings if "甲氨蝶呤" in s.text]
    assert drawn
    assert all(s.fontName != FONT for s in drawn)
    assert all(pdfmetrics.getFont(s.fontName).face.charToGlyph.get(ord(c)) for s in drawn for c in s.text)
