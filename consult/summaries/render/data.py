"""Data exports of a summary: JSON (the content itself, with an absolute link beside every quote's source), and
the same tables as CSV (one table per file) or XLSX (one sheet per table).

Tables carry the keys (stable, for machines) and their labels in the reader's language (for people) side by
side; the header row is in the reader's language. A text cell that a spreadsheet would run as a formula
(starting with = + - @, or a tab or carriage return) is prefixed with an apostrophe: the texts come from the
public.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.summaries.content import SCHEMA
from consult.summaries.models import Summary
from consult.summaries.render import document, labels
from consult.summaries.render.context import in_language
from consult.summaries.render.docx import clean

# Table name → its title (sheet name, link text).
TABLES = {
    "themes": _l("Themes"),
    "items": _l("Items"),
    "positions": _l("Positions"),
    "quotes": _l("Quotes"),
    "participation": _l("Participation"),
}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Numbers and booleans as they are; text that a spreadsheet would evaluate, made inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return value
    text = clean(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


# JSON ----------------------------------------------------------------------------------------------------


def json_document(summary: Summary) -> dict[str, Any]:
    """What the JSON export holds: about the summary, and its content as its readers may have it."""
    doc = document.for_file(summary, external=True)
    with in_language("fr"):  # links only: no label is written
        content = document.with_source_urls(doc)
        page = doc.url("summaries.summary", summary_id=summary.id)
    return {
        "schema": SCHEMA,
        "summary": {
            "id": summary.id, "number": summary.number, "round_id": summary.round_id, "state": summary.state.value,
            "created_at": summary.created_at.isoformat() if summary.created_at else None,
            "published_at": summary.published_at.isoformat() if summary.published_at else None,
            "url": page,
        },
        "content": content,
    }


def json_bytes(summary: Summary) -> bytes:
    return json.dumps(json_document(summary), ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")


# Tables -------------------------------------------------------------------------------------------------


Table = tuple[list[str], list[list[Any]]]


def _themes(doc: document.SummaryDocument) -> Table:
    head = [_("Theme number"), _("Key"), _("Theme"), _("State (key)"), _("State"), _("Description"), _("Inputs"),
            _("Comments"), _("Briefs"), _("Proposed needs"), _("In French"), _("In English"), _("Words that come back")]
    rows = []
    for theme in doc.content.get("themes") or []:
        languages = theme.get("languages") or {}
        rows.append([theme.get("id"), theme.get("key"), theme.get("label"), theme.get("state"),
                     labels.label("theme_state", theme.get("state")), theme.get("description"), theme.get("count"),
                     theme.get("comments"), theme.get("briefs"), theme.get("proposed_needs"),
                     languages.get("fr", 0), languages.get("en", 0), "; ".join(theme.get("keyphrases") or [])])
    return head, rows


def _items(doc: document.SummaryDocument) -> Table:
    head = [_("Version"), _("Item (key)"), _("Kind (key)"), _("Kind"), _("Step"), _("Step title"), _("Item"),
            _("Supports"), _("Comments"), _("Organizations supporting"), _("Organizations opposing"),
            _("Organizations asking for changes"), _("Agreement (key)"), _("Agreement"), _("Themes")]
    rows = []
    for item in doc.content.get("items") or []:
        positions = item.get("positions") or {}
        rows.append([
            item.get("version_id"), item.get("uid"), item.get("kind"), labels.label("item_kind", item.get("kind")),
            item.get("step"), labels.label("step", item.get("step")), item.get("title"), item.get("supports"),
            item.get("comments"), len(positions.get("support") or []), len(positions.get("oppose") or []),
            len(positions.get("amend") or []), item.get("agreement"), labels.label("agreement", item.get("agreement")),
            "; ".join(labels.theme_ref(ref) for ref in item.get("themes") or [])])
    return head, rows


def _positions(doc: document.SummaryDocument) -> Table:
    head = [_("Version"), _("Item (key)"), _("Item"), _("Stance (key)"), _("Stance"), _("Organization number"),
            _("Organization"), _("Brief number"), _("Minority position"), _("Position in its own words"),
            _("Link to the brief")]
    if doc.whole:
        head.insert(9, _("Confidential brief"))
    rows = []
    for item in doc.content.get("items") or []:
        minority = {(p["holder"]["brief_id"], p["stance"]) for p in item.get("minority") or []}
        for stance in ("support", "oppose", "amend"):
            for position in (item.get("positions") or {}).get(stance) or []:
                holder = position["holder"]
                row = [item.get("version_id"), item.get("uid"), item.get("title"), stance,
                       labels.label("stance", stance), holder.get("organization_id"), holder.get("name"),
                       holder.get("brief_id"), (holder.get("brief_id"), stance) in minority, position.get("text"),
                       doc.brief_url(holder["brief_id"])]
                if doc.whole:
                    row.insert(9, bool(holder.get("confidential")))
                rows.append(row)
    return head, rows


def _quotes(doc: document.SummaryDocument) -> Table:
    head = [_("Shown with (key)"), _("Shown with"), _("Theme or item"), _("Language"), _("Quote"),
            _("Source kind"), _("Source number"), _("Attachment number"), _("Page"), _("Paragraph"), _("Source"),
            _("Link to the source")]
    where_labels = {"theme": _("Theme"), "item": _("Item in consultation"), "campaign": _("Text sent by many people")}
    rows = []
    for where, entry, quote in doc.quotes():
        source = quote.get("source") or {}
        about = entry.get("label") if where == "theme" else entry.get("title") if where == "item" else ""
        rows.append([where, where_labels[where], about, quote.get("language"), quote.get("text"), source.get("kind"),
                     source.get("id"), source.get("attachment_id"), source.get("page"), source.get("paragraph"),
                     labels.source_text(source) if source else "", doc.link(source) or ""])
    return head, rows


def _participation(doc: document.SummaryDocument) -> Table:
    head = [_("Table (key)"), _("Table"), _("Group (key)"), _("Group"), _("Number"), _("Suppressed"), _("As shown")]
    rows = []
    for key, dimension, caption, counts in doc.participation_tables():
        for count in counts:
            rows.append([key, caption, count.get("key"), labels.count_label(dimension, count),
                         None if count.get("suppressed") else count.get("value"), bool(count.get("suppressed")),
                         labels.count_shown(count)])
    return head, rows


_BUILDERS: dict[str, Callable[[document.SummaryDocument], Table]] = {
    "themes": _themes, "items": _items, "positions": _positions, "quotes": _quotes, "participation": _participation,
}


def table(summary: Summary, name: str, lang: str) -> Table:
    """The header and rows of one table, in `lang`, with cells made safe for spreadsheets."""
    if name not in _BUILDERS:
        raise KeyError(name)
    with in_language(lang):
        head, rows = _BUILDERS[name](document.for_file(summary, external=True))
        return [str(safe_cell(h)) for h in head], [[safe_cell(value) for value in row] for row in rows]


def csv_bytes(summary: Summary, table_name: str, lang: str) -> bytes:
    """UTF-8 with a byte-order mark (so that a spreadsheet opens the accents right), comma-separated."""
    head, rows = table(summary, table_name, lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(head)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _sheet_name(title: str, taken: set[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet"
    base, n = name, 2
    while name in taken:
        name = f"{base[:28]} {n}"
        n += 1
    taken.add(name)
    return name


def xlsx_bytes(summary: Summary, lang: str) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    # Text stays text: never turned into a formula, a number or a link by the writer itself.
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    bold = workbook.add_format({"bold": True})
    taken: set[str] = set()
    for name in TABLES:
        head, rows = table(summary, name, lang)
        with in_language(lang):
            title = str(TABLES[name])
        sheet = workbook.add_worksheet(_sheet_name(title, taken))
        sheet.write_row(0, 0, head, bold)
        for index, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if isinstance(value, int | float):
                    sheet.write_number(index, column, value)
                else:
                    sheet.write_string(index, column, value)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(head) - 1)
    with in_language(lang):
        title = str(_("Summary of the consultation")) + " · " + clean(summary.content.get("title", ""))
    workbook.set_properties({"title": title, "subject": clean(summary.content.get("project", ""))})
    workbook.close()
    return buffer.getvalue()
