"""Rendering a compiled summary: the PDF and DOCX read in each language with quotes left in theirs, the data
exports (CSV with a BOM and translated headers, XLSX sheets, JSON with source links), confidential holders
kept out of published renderings, and spreadsheet formulas made inert."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import docx
import pypdf
import pytest
from flask_babel import force_locale

from consult.core.db import db
from consult.summaries import render
from consult.summaries.models import Summary, SummaryState
from consult.summaries.render import labels
from tests.summaries import content_sample as sample

pytestmark = pytest.mark.dialect_free  # text and files only: run once, on SQLite


def make_summary(c, *, state: SummaryState = SummaryState.draft, number: int = 1, **changes) -> Summary:
    made = Summary(round_id=c.round.id, number=number, state=state, input_digest="0" * 64,
                   content=sample.sample_content(c.round.id, **changes))
    db.session.add(made)
    db.session.commit()
    return made


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def pdf_links(data: bytes) -> set[str]:
    links = set()
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and "/URI" in action:
                links.add(str(action["/URI"]))
    return links


def docx_document(data: bytes):
    return docx.Document(io.BytesIO(data))


def docx_links(data: bytes) -> list[str]:
    return [rel.target_ref for rel in docx_document(data).part.rels.values() if rel.is_external]


def headings_of(document) -> list[str]:
    # " ".join(split()): French puts a no-break space before a colon.
    return [" ".join(p.text.split()) for p in document.paragraphs if p.style.name.startswith("Heading")]


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "a spreadsheet needs the BOM to read the accents"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# PDF ------------------------------------------------------------------------------------------------------


def test_pdf_in_french_has_french_labels_and_quotes_in_their_own_language(consultation):
    summary = make_summary(consultation)
    data = render.pdf_bytes(summary, "fr")
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Étape 1 : Portrait des besoins" in text
    assert "Organisme d'action communautaire autonome (ACA)" in text
    assert "Femme" in text and "Non précisé" in text
    assert sample.FRENCH_QUOTE in text
    assert sample.ENGLISH_QUOTE in text  # not translated
    with force_locale("fr_CA"):
        assert labels.suppressed_text() in text


def test_pdf_in_english_has_english_labels_and_numbered_pages(consultation):
    summary = make_summary(consultation)
    data = render.pdf_bytes(summary, "en")
    catalog = pypdf.PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert catalog["/Lang"] == "en-CA" and "/StructTreeRoot" in catalog  # tagged, for screen readers
    text = pdf_text(data)
    assert "Step 3: Gap analysis" in text
    assert "Other community organization" in text
    assert "fewer than 5" in text
    assert sample.FRENCH_QUOTE in text
    assert "Page 1 of" in text


def test_published_pdf_names_no_confidential_holder_but_the_draft_does(consultation):
    draft = make_summary(consultation)
    assert sample.CONFIDENTIAL_NAME in pdf_text(render.pdf_bytes(draft, "en"))
    assert "No text, only images" in pdf_text(render.pdf_bytes(draft, "en"))
    published = make_summary(consultation, state=SummaryState.published, number=2)
    text = pdf_text(render.pdf_bytes(published, "en"))
    assert sample.CONFIDENTIAL_NAME not in text
    assert sample.MINORITY_TEXT not in text
    assert sample.PUBLIC_MINORITY_TEXT in text  # the public minority is still quoted verbatim
    assert "No text, only images" not in text


def test_pdf_warns_when_themes_are_not_reviewed(consultation):
    summary = make_summary(consultation, themes_reviewed=False)
    assert "have not all been reviewed" in pdf_text(render.pdf_bytes(summary, "en"))


def test_pdf_renders_in_a_worker_without_a_request(app, consultation):
    summary = make_summary(consultation)
    summary_id = summary.id
    with app.app_context():  # a fresh context, as in a Celery task: no request under way
        again = db.session.get(Summary, summary_id)
        data = render.pdf_bytes(again, "fr")
    assert data.startswith(b"%PDF")
    links = pdf_links(data)
    assert all(link.startswith("http") for link in links)
    assert any(link.endswith(f"/rounds/{consultation.round.id}/sources/comment/5001") for link in links)
    assert any(link.endswith("/briefs/101") for link in links)


# DOCX -----------------------------------------------------------------------------------------------------


def test_docx_has_headings_tables_and_linked_quotes(consultation):
    summary = make_summary(consultation)
    data = render.docx_bytes(summary, "en")
    document = docx_document(data)
    headings = headings_of(document)
    assert "Who took part" in headings and "Themes" in headings
    assert sample.THEME_TRANSPORT in headings
    assert "Step 1: Needs portrait" in headings
    quotes = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert any(sample.FRENCH_QUOTE in q for q in quotes)
    assert any(sample.ENGLISH_QUOTE in q for q in quotes)
    tables = {t.rows[0].cells[0].text for t in document.tables}
    assert "Group" in tables
    cells = [cell.text for t in document.tables for row in t.rows for cell in row.cells]
    assert "fewer than 5" in cells
    links = docx_links(data)
    assert any(link.endswith(f"/rounds/{consultation.round.id}/sources/comment/5001") for link in links)
    assert any("/sources/brief/101?attachment_id=71&page=3&paragraph=2" in link for link in links)
    assert all(link.startswith("http") for link in links)


def test_docx_in_french_uses_french_labels(consultation):
    summary = make_summary(consultation)
    document = docx_document(render.docx_bytes(summary, "fr"))
    headings = headings_of(document)
    assert "Étape 3 : Analyse des écarts" in headings
    assert document.core_properties.language == "fr-CA"


def test_published_docx_names_no_confidential_holder(consultation):
    published = make_summary(consultation, state=SummaryState.published)
    document = docx_document(render.docx_bytes(published, "fr"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Coopérative de soutien à domicile" in text
    assert sample.CONFIDENTIAL_NAME not in text


def test_render_files_gives_both_formats_in_both_languages(consultation):
    files = render.render_files(make_summary(consultation))
    assert set(files) == {"pdf:fr", "pdf:en", "docx:fr", "docx:en"}
    assert files["pdf:fr"].startswith(b"%PDF") and files["docx:en"].startswith(b"PK")


# Data exports ---------------------------------------------------------------------------------------------


def test_json_of_a_published_summary_is_the_public_view_with_source_links(consultation):
    published = make_summary(consultation, state=SummaryState.published)
    data = json.loads(render.json_bytes(published))
    raw = json.dumps(data, ensure_ascii=False)
    assert sample.CONFIDENTIAL_NAME not in raw
    assert sample.PROBLEM_FILENAME not in raw
    quote = data["content"]["themes"][0]["quotes"][0]
    assert quote["text"] == sample.FRENCH_QUOTE
    assert quote["source"]["url"].startswith("http")
    assert quote["source"]["url"].endswith(f"/rounds/{consultation.round.id}/sources/comment/5001")
    assert data["summary"]["state"] == "published"


def test_json_of_a_draft_keeps_everything_for_the_planners(consultation):
    data = json.loads(render.json_bytes(make_summary(consultation)))
    raw = json.dumps(data, ensure_ascii=False)
    assert sample.CONFIDENTIAL_NAME in raw and sample.PROBLEM_FILENAME in raw


def test_csv_has_a_bom_translated_headers_and_keys(consultation):
    summary = make_summary(consultation)
    rows = csv_rows(render.csv_bytes(summary, "participation", "fr"))
    assert "Nombre" in rows[0]
    woman = next(r for r in rows if r[0] == "by_gender" and r[2] == "woman")
    assert woman[3:5] == ["Femme", "71"]
    suppressed = next(r for r in rows if r[0] == "by_age_band" and r[2] == "under_18")
    assert suppressed[4] == ""  # no number for a suppressed cell
    english = csv_rows(render.csv_bytes(summary, "participation", "en"))
    assert english[0][:2] == ["Table (key)", "Table"]
    assert any(r[2] == "under_18" and r[6] == "fewer than 5" for r in english)


def test_csv_of_themes_and_quotes(consultation):
    summary = make_summary(consultation)
    themes = csv_rows(render.csv_bytes(summary, "themes", "fr"))
    assert "Commentaires" in themes[0] and "Mémoires" in themes[0]
    assert [row[2] for row in themes[1:]] == [sample.THEME_TRANSPORT, sample.THEME_ISOLATION, sample.THEME_CAREGIVERS]
    quotes = csv_rows(render.csv_bytes(summary, "quotes", "en"))
    english = next(row for row in quotes if row[4] == sample.ENGLISH_QUOTE)
    assert english[3] == "en"
    assert english[-1].startswith("http") and "/sources/comment/5002" in english[-1]


def test_positions_of_a_published_summary_leave_out_confidential_briefs(consultation):
    draft_rows = csv_rows(render.csv_bytes(make_summary(consultation), "positions", "en"))
    assert any(sample.CONFIDENTIAL_NAME in row for row in draft_rows)
    assert "Confidential brief" in draft_rows[0]
    published = make_summary(consultation, state=SummaryState.published, number=2)
    rows = csv_rows(render.csv_bytes(published, "positions", "en"))
    assert not any(sample.CONFIDENTIAL_NAME in row for row in rows)
    minority = [row for row in rows if row[8] == "yes"]
    assert [row[6] for row in minority] == ["Coopérative de soutien à domicile"]
    assert "Confidential brief" not in rows[0]


def test_xlsx_has_one_sheet_per_table(consultation):
    data = render.xlsx_bytes(make_summary(consultation), "en")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        strings = archive.read("xl/sharedStrings.xml").decode()
    assert re.findall(r'<sheet name="([^"]+)"', workbook) == ["Themes", "Items", "Positions", "Quotes",
                                                              "Participation"]
    assert sample.THEME_TRANSPORT in strings
    assert "Table (key)" in strings


# Formula injection ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", ['=HYPERLINK("http://evil.example","clic")', "+1+1", "-2+3", "@SUM(A1:A2)",
                                     "\t=1+1"])
def test_spreadsheet_cells_never_start_a_formula(consultation, hostile):
    content = sample.sample_content(consultation.round.id)
    content["themes"][0]["label"] = hostile
    content["themes"][0]["quotes"][0]["text"] = hostile
    summary = make_summary(consultation, themes=content["themes"])
    themes = csv_rows(render.csv_bytes(summary, "themes", "en"))
    assert themes[1][2] == "'" + hostile
    quotes = csv_rows(render.csv_bytes(summary, "quotes", "en"))
    assert quotes[1][4] == "'" + hostile
    with zipfile.ZipFile(io.BytesIO(render.xlsx_bytes(summary, "en"))) as archive:
        sheets = "".join(archive.read(name).decode() for name in archive.namelist() if name.startswith("xl/worksheets"))
    assert "<f>" not in sheets  # no formula cell anywhere


def test_safe_cell_leaves_numbers_and_ordinary_text_alone():
    assert render.safe_cell(42) == 42
    assert render.safe_cell("Transport adapté") == "Transport adapté"
    assert render.safe_cell("=1+1") == "'=1+1"
