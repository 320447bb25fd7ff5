"""The DOCX of a summary (python-docx): the same sections as the page and the PDF, as real headings, tables
with a repeated header row, and quotes as quoted paragraphs in their own language with a link to their source,
so the file can be edited in LibreOffice or Word and still read well with a screen reader."""

from __future__ import annotations

import io
import re
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from flask_babel import gettext as _

from consult.core.timefmt import datetime_filter
from consult.summaries.models import Summary
from consult.summaries.render import document, labels
from consult.summaries.render.context import in_language

LANG_TAGS = {"fr": "fr-CA", "en": "en-CA"}
LINK_COLOR = RGBColor(0x0B, 0x4F, 0x8A)
# Characters XML 1.0 refuses: a pasted control character must not make the file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: Any) -> str:
    return _NOT_XML.sub("", str(text if text is not None else ""))


def _set_lang(run: Run, lang: str | None) -> None:
    if not lang:
        return
    props = run._r.get_or_add_rPr()
    tag = OxmlElement("w:lang")
    tag.set(qn("w:val"), LANG_TAGS.get(lang, lang))
    props.append(tag)


def _hyperlink(paragraph: Paragraph, text: str, url: str) -> None:
    """A clickable link (python-docx has no API for it: a w:hyperlink holding a styled run)."""
    rel_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = Run(OxmlElement("w:r"), paragraph)
    run.text = clean(text)
    run.font.color.rgb = LINK_COLOR
    run.font.underline = True
    link.append(run._r)
    paragraph._p.append(link)


class _Writer:
    def __init__(self, doc: document.SummaryDocument, lang: str) -> None:
        self.doc = doc
        self.lang = lang
        self.out = Document()
        normal = self.out.styles["Normal"]
        normal.font.name = "DejaVu Sans"
        normal.font.size = Pt(10)
        _set_lang_style(normal, LANG_TAGS[lang])

    # Blocks ----------------------------------------------------------------------------------------------

    def heading(self, text: Any, level: int) -> None:
        self.out.add_heading(clean(text), level=level)

    def para(self, text: Any = "", *, bold: bool = False, style: str | None = None) -> Paragraph:
        paragraph = self.out.add_paragraph(style=style)
        if text:
            run = paragraph.add_run(clean(text))
            run.bold = bold
        return paragraph

    def bullet(self, text: Any = "") -> Paragraph:
        return self.para(text, style="List Bullet")

    def link_para(self, before: Any, text: Any, url: str | None, *, style: str | None = None) -> Paragraph:
        paragraph = self.para(before, style=style)
        if url:
            _hyperlink(paragraph, str(text), url)
        elif text:
            paragraph.add_run(clean(text))
        return paragraph

    def quote(self, text: str, language: str | None, source: dict[str, Any] | None) -> None:
        opening, closing = ("« ", " »") if language == "fr" else ("“", "”")
        paragraph = self.out.add_paragraph(style="Quote")
        run = paragraph.add_run(clean(f"{opening}{text}{closing}"))
        _set_lang(run, language)
        if source is None:
            return
        where = self.para("— " + labels.source_text(source))
        where.paragraph_format.left_indent = Pt(24)
        href = self.doc.link(source)
        if href:
            where.add_run(" · ")
            _hyperlink(where, _("Open the source"), href)

    def table(self, caption: str, headings: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> None:
        self.para(caption, style="Caption")
        table = self.out.add_table(rows=1, cols=len(headings))
        table.style = "Table Grid"
        header = table.rows[0]
        _repeat_header(header)
        for cell, text in zip(header.cells, headings, strict=True):
            cell.text = clean(text)
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for values in rows:
            cells = table.add_row().cells
            for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
                cell.text = clean(value)
                if numeric and index in numeric:
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self.para()

    def counts(self, caption: str, dimension: str, counts: list[dict[str, Any]], group: str) -> None:
        self.table(caption, [group, _("Number")],
                   [[labels.count_label(dimension, count), labels.count_shown(count)] for count in counts], {1})

    def holders(self, positions: list[dict[str, Any]]) -> None:
        for position in positions:
            paragraph = self.bullet()
            _hyperlink(paragraph, labels.holder_text(position["holder"]),
                       self.doc.brief_url(position["holder"]["brief_id"]))
            if position.get("text"):
                self.quote(position["text"], None, None)

    # Sections (the order of _body.html) --------------------------------------------------------------

    def write(self) -> bytes:
        c = self.doc.content
        props = self.out.core_properties
        props.title = clean(f"{_('Summary of the consultation')} · {c.get('title', '')}")
        props.subject = clean(c.get("project", ""))
        props.language = LANG_TAGS[self.lang]
        self.out.add_heading(clean(_("Summary of the consultation")), level=0)
        self.para(c.get("title", ""), bold=True)
        self.link_para(_("Online version:") + " ", self.page_url, self.page_url)
        self.about(c)
        self.participation(c)
        self.themes(c)
        self.items()
        self.agreements(c)
        self.campaigns(c)
        self.proposed_needs(c)
        self.answers(c)
        self.problems()
        buffer = io.BytesIO()
        self.out.save(buffer)
        return buffer.getvalue()

    @property
    def page_url(self) -> str:
        return self.doc.url("summaries.summary", summary_id=self.doc.summary.id)

    def about(self, c: dict[str, Any]) -> None:
        summary = self.doc.summary
        self.heading(labels.SECTION_TITLES["about"], 1)
        if not self.doc.themes_reviewed:
            self.para(_("The themes of this summary have not all been reviewed yet."), bold=True)
            self.para(_("Some themes were proposed by the computer and no planner has checked them: their names "
                        "and the inputs grouped under them may change."))
        if self.doc.is_draft:
            self.para(_("Draft: this summary is not public."), bold=True)
            self.para(_("Only the establishment's planners can read it until it is published."))
        state = labels.label("summary_state", summary.state.value)
        if summary.published_at:
            state += " (" + _("published on %(date)s", date=datetime_filter(summary.published_at)) + ")"
        until = self.doc.inputs_until
        facts = [
            (_("Consultation round"), c.get("title", "")),
            (_("Clinical project"), c.get("project", "")),
            (_("Version of this summary"), _("Number %(n)d", n=summary.number) + " — " + state),
            (_("Compiled on"), datetime_filter(self.doc.compiled_at)),
            (_("Inputs taken into account"),
             _("Up to %(date)s", date=datetime_filter(until)) if until else _("None received")),
            (_("State of the round when compiled"), labels.label("round_state", c.get("round_state"))),
        ]
        for name, value in facts:
            paragraph = self.para()
            paragraph.add_run(clean(f"{name} : " if self.lang == "fr" else f"{name}: ")).bold = True
            paragraph.add_run(clean(value))
        self.para(_("This summary was compiled by the platform from every brief, comment and proposed need of the "
                    "round, on the establishment's own servers. Themes are reviewed by the planners. Quotes are "
                    "verbatim, in the language they were written in, and each one links to its source. "
                    "Confidential briefs count in every number but are never quoted."))

    def participation(self, c: dict[str, Any]) -> None:
        totals = c.get("totals") or {}
        self.heading(labels.SECTION_TITLES["participation"], 1)
        self.para(labels.totals_sentence(totals))
        self.para(labels.briefs_sentence(totals))
        self.para(_("Read the themes and the positions below: these numbers say who took part, not what they said."))
        for _key, dimension, caption, counts in self.doc.participation_tables():
            self.counts(caption, dimension, counts, _("Group"))
        self.para(labels.suppression_note())

    def themes(self, c: dict[str, Any]) -> None:
        self.heading(labels.SECTION_TITLES["themes"], 1)
        if not c.get("themes"):
            self.para(_("No theme was found in the inputs of this round."))
        for theme in c.get("themes") or []:
            title = theme.get("label", "")
            if theme.get("state") != "approved":
                title = f"{title} ({labels.label('theme_state', theme.get('state'))})"
            self.heading(title, 2)
            if theme.get("description"):
                self.para(theme["description"])
            self.para(labels.theme_counts(theme), bold=True)
            if theme.get("keyphrases"):
                self.para(_("Words that come back:") + " " + ", ".join(theme["keyphrases"]))
            for quote in theme.get("quotes") or []:
                self.quote(quote["text"], quote.get("language"), quote.get("source"))

    def items(self) -> None:
        self.heading(labels.SECTION_TITLES["items"], 1)
        steps = self.doc.steps()
        if not steps:
            self.para(_("No item was in consultation."))
        for step, items in steps:
            self.heading(labels.step_heading(step), 2)
            for item in items:
                self.heading(f"{item.get('title', '')} ({labels.label('item_kind', item.get('kind'))})", 3)
                paragraph = self.para(labels.item_counts(item), bold=True)
                paragraph.add_run(" " + clean(labels.label("agreement", item.get("agreement"))) + ".")
                positions = item.get("positions") or {}
                for stance in ("support", "oppose", "amend"):
                    held = positions.get(stance) or []
                    if held:
                        self.para(f"{labels.STANCE_HEADINGS[stance]} ({labels.number(len(held))})", bold=True)
                        self.holders(held)
                if item.get("minority"):
                    self.para(_("The minority position, in its own words:"), bold=True)
                    self.holders(item["minority"])
                if item.get("themes"):
                    self.para(_("Themes of the comments:") + " "
                              + ", ".join(labels.theme_ref(ref) for ref in item["themes"]))
                for quote in item.get("quotes") or []:
                    self.quote(quote["text"], quote.get("language"), quote.get("source"))
                if not item.get("quotes") and not item.get("minority") and not any(positions.values()):
                    self.para(_("No comment was quoted and no organization took a position on this item."))

    def agreements(self, c: dict[str, Any]) -> None:
        self.heading(labels.SECTION_TITLES["agreements"], 1)
        self.para(_("Where organizations agree, and where they still disagree. A disagreement is reported with who "
                    "holds each side; it is not averaged away."))
        self.heading(_("Agreements"), 2)
        if not c.get("agreements"):
            self.para(_("No item has every position going the same way."))
        for entry in c.get("agreements") or []:
            names = [labels.holder_text(h) for h in entry.get("holders") or []]
            self.bullet(f"{entry.get('title', '')} — {_('held by:')} "
                        + (", ".join(names) or _("organizations whose briefs are confidential")))
        self.heading(_("Lasting disagreements"), 2)
        if not c.get("disagreements"):
            self.para(_("No item is both supported and opposed."))
        for entry in c.get("disagreements") or []:
            self.heading(entry.get("title", ""), 3)
            for side in ("support", "oppose", "amend"):
                if entry.get(side):
                    self.para(f"{labels.STANCE_HEADINGS[side]} ({labels.number(len(entry[side]))})", bold=True)
                    self.holders(entry[side])

    def campaigns(self, c: dict[str, Any]) -> None:
        if not c.get("campaigns"):
            return
        self.heading(labels.SECTION_TITLES["campaigns"], 1)
        self.para(_("Texts received many times with almost the same words are shown once, with how many times they "
                    "were received. Each copy counts in the themes."))
        for campaign in c["campaigns"]:
            self.para(labels.campaign_count(campaign), bold=True)
            self.quote(campaign["text"], campaign.get("language"), campaign.get("source"))
            if campaign.get("themes"):
                self.para(_("Themes:") + " " + ", ".join(ref.get("label", "") for ref in campaign["themes"]))

    def proposed_needs(self, c: dict[str, Any]) -> None:
        self.heading(labels.SECTION_TITLES["proposed_needs"], 1)
        if not c.get("proposed_needs"):
            self.para(_("Nobody proposed a missing need."))
        for need in c.get("proposed_needs") or []:
            paragraph = self.bullet()
            href = self.doc.link(need.get("source"))
            if href:
                _hyperlink(paragraph, need.get("title", ""), href)
            else:
                paragraph.add_run(clean(need.get("title", "")))
            tail = " — " + labels.label("proposed_need_state", need.get("state"))
            if need.get("area"):
                tail += " · " + need["area"]
            paragraph.add_run(clean(tail))
            if need.get("description"):
                self.para(need["description"]).paragraph_format.left_indent = Pt(18)

    def answers(self, c: dict[str, Any]) -> None:
        answers = c.get("answers") or {}
        self.heading(labels.SECTION_TITLES["answers"], 1)
        self.para(labels.answers_sentence(answers))
        if answers.get("by_outcome"):
            self.counts(_("Answers by outcome"), "outcome", answers["by_outcome"], _("Outcome"))

    def problems(self) -> None:
        problems = self.doc.extraction_problems
        if not problems:
            return
        self.heading(labels.SECTION_TITLES["problems"], 1)
        self.para(_("Only the establishment sees this list. These files were not read automatically: their text is "
                    "missing from the themes and quotes. Read them directly."))
        self.table(_("Attached documents whose text could not be read"), [_("File"), _("Problem"), _("What to do")],
                   [[p.get("filename", ""), labels.label("extraction", p.get("status")), labels.extraction_message(p)]
                    for p in problems])


def _set_lang_style(style, tag: str) -> None:
    props = style.element.get_or_add_rPr()
    found = props.find(qn("w:lang"))
    if found is None:
        found = OxmlElement("w:lang")
        props.append(found)
    found.set(qn("w:val"), tag)


def _repeat_header(row) -> None:
    """Mark a table's first row as its header: repeated on every page and announced by screen readers."""
    props = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    props.append(header)


def docx_bytes(summary: Summary, lang: str) -> bytes:
    with in_language(lang):
        return _Writer(document.for_file(summary, external=True), lang).write()
