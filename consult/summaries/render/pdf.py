"""The PDF of a summary: the page's own body (templates/summaries/summary/_body.html) wrapped for print and
laid out by WeasyPrint, with page numbers and a running title. Nothing is fetched over the network: the
stylesheet is read from static/, and the document refers to no image or font file."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app, render_template
from flask_babel import gettext as _

from consult.summaries.models import Summary
from consult.summaries.render import document, labels
from consult.summaries.render.context import in_language

log = logging.getLogger("consult.summaries.render")

STYLESHEET = "css/summary-print.css"


def _no_fetching(url: str, *args, **kwargs):
    # The content is text typed by participants: never let a rendering reach out to a URL.
    raise ValueError(f"the summary PDF fetches nothing ({url[:80]})")


def _css_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _page_numbers_css() -> str:
    """`Page 3 of 12` in the file's language, as CSS generated content."""
    marker_page, marker_pages = "\x00PAGE\x00", "\x00PAGES\x00"
    text = _("Page %(page)s of %(pages)s", page=marker_page, pages=marker_pages)
    parts: list[str] = []
    for chunk in text.replace(marker_pages, "\x01pages\x01").replace(marker_page, "\x01page\x01").split("\x01"):
        if chunk == "page":
            parts.append("counter(page)")
        elif chunk == "pages":
            parts.append("counter(pages)")
        elif chunk:
            parts.append(_css_string(chunk))
    content = " ".join(parts)
    return f"@page {{ @bottom-center {{ content: {content}; font-size: 8.5pt; color: #444; }} }}"


def html_for_print(summary: Summary, lang: str) -> str:
    """The HTML the PDF is made from (in `lang`, inside a request context)."""
    doc = document.for_file(summary, external=True)
    return render_template(
        "summaries/summary/print.html", doc=doc, L=labels, file_lang=lang,
        establishment=summary.round.project.establishment.name,
        page_url=doc.url("summaries.summary", summary_id=summary.id))


def pdf_bytes(summary: Summary, lang: str) -> bytes:
    from weasyprint import CSS, HTML

    with in_language(lang):
        html = html_for_print(summary, lang)
        page_numbers = _page_numbers_css()
    stylesheet = Path(current_app.static_folder or "static") / STYLESHEET
    rendered = HTML(string=html, url_fetcher=_no_fetching, base_url=str(stylesheet.parent))
    # Tagged: headings, tables and quotes (with their language) stay structure for screen readers.
    data = rendered.write_pdf(stylesheets=[CSS(filename=str(stylesheet)), CSS(string=page_numbers)], pdf_tags=True)
    log.info("summary %s: PDF in %s, %d bytes", summary.id, lang, len(data or b""))
    return bytes(data or b"")
