"""Render one compiled summary (`Summary.content`) for its readers: the HTML page and a PDF made from the same
template (pdf.py), a DOCX (docx.py), and data exports: JSON, CSV, XLSX (data.py). UI labels follow the
reader's language (labels.py); quotes stay in the language they were written in.

Files and exports carry the whole content while the summary is a draft (only planners may download it) and
the public view once it is published (document.py); `render_files` makes the four files the worker stores
in `Summary.files`, and publishing makes them again from the public view.
"""

from __future__ import annotations

from consult.summaries.models import Summary
from consult.summaries.render.data import TABLES, csv_bytes, json_bytes, json_document, safe_cell, xlsx_bytes
from consult.summaries.render.docx import docx_bytes
from consult.summaries.render.labels import LANGS
from consult.summaries.render.pdf import pdf_bytes

FILE_FORMATS = ("pdf", "docx")

__all__ = ["FILE_FORMATS", "LANGS", "TABLES", "csv_bytes", "docx_bytes", "json_bytes", "json_document", "pdf_bytes",
           "render_files", "safe_cell", "store_files", "xlsx_bytes"]


def render_files(summary: Summary) -> dict[str, bytes]:
    """The PDF and DOCX in French and English: {"pdf:fr": …, "pdf:en": …, "docx:fr": …, "docx:en": …}."""
    makers = {"pdf": pdf_bytes, "docx": docx_bytes}
    return {f"{fmt}:{lang}": makers[fmt](summary, lang) for fmt in FILE_FORMATS for lang in LANGS}


def store_files(summary: Summary) -> dict[str, str]:
    """Render the files, put them in the storage and return their keys (as `Summary.files` holds them)."""
    from consult.storage import get_storage

    storage = get_storage()
    return {name: storage.put_bytes(data) for name, data in render_files(summary).items()}
