"""What an attachment really is, read from its bytes, never from its name or the browser's say-so.

A brief accepts PDF, DOCX and ODT documents. The extension must agree with the content: a .pdf that is
really a Word document, or a program renamed .pdf, is refused with a message saying what it is. ZIP-based
formats are opened only as far as needed (the member list and two small members), with limits on the
number of members and on what is decompressed, so a "ZIP bomb" costs nothing.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


@dataclass(frozen=True)
class Accepted:
    extension: str
    media_type: str
    label: str


ACCEPTED = {
    "pdf": Accepted("pdf", PDF, "PDF"),
    "docx": Accepted("docx", DOCX, "DOCX (Word)"),
    "odt": Accepted("odt", ODT, "ODT (OpenDocument)"),
}

# Limits when looking inside a ZIP container. A real document has a few dozen members; the two members
# read here are a few kilobytes.
MAX_MEMBERS = 2000
MAX_DECLARED_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200  # declared uncompressed size / compressed size, over the whole archive
MAX_MEMBER_READ = 1024 * 1024
HEAD = 2048


class UploadRefused(Exception):
    """The file is not accepted; `message` says why, in words fit for the person who sent it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Bomb(Exception):
    pass


# What a refused file looks like, for the message (never used to accept anything).
_OTHER = {
    "program": _l("a program (an executable file)"),
    "html": _l("a web page (HTML)"),
    "image": _l("an image"),
    "doc": _l("an older Word or Office document (DOC, XLS, PPT)"),
    "rtf": _l("a rich-text document (RTF)"),
    "xlsx": _l("a spreadsheet (XLSX)"),
    "pptx": _l("a presentation (PPTX)"),
    "docm": _l("a Word document with macros or a Word template"),
    "opendocument": _l("an OpenDocument file that is not a text document (a spreadsheet or a presentation)"),
    "zip": _l("a compressed archive (ZIP)"),
    "text": _l("plain text"),
    "unknown": _l("a file of an unknown type"),
}


@dataclass(frozen=True)
class Inspected:
    name: str           # the cleaned file name shown to readers and in the download
    extension: str      # pdf, docx or odt
    media_type: str
    size: int


def clean_filename(raw: str | None, fallback_extension: str | None = None) -> str:
    """A file name safe to show and to send in a header: the last path segment, composed Unicode, no
    control characters, quotes, slashes or other characters file systems and headers treat specially,
    at most 120 characters with the extension kept."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(" " if unicodedata.category(ch)[0] in "CZ" and ch != " " else ch for ch in name)
    name = re.sub(r'["*:<>?|;%`$]', "", name)
    name = " ".join(name.split()).strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if len(name) > 120:
        keep = 120 - (len(ext) + 1 if ext else 0)
        name = (stem[:keep].rstrip(" .") + ("." + ext if ext else ""))
    if not name or not stem:
        extension = fallback_extension or ext
        name = _("attachment") + (f".{extension}" if extension else "")
    return name


def extension_of(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def size_of(stream: BinaryIO) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def _zip_kind(stream: BinaryIO) -> str:
    """Which ZIP-based format this is, opening as little as possible."""
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            if not infos:
                return "zip"
            if len(infos) > MAX_MEMBERS:
                raise _Bomb
            declared = sum(i.file_size for i in infos)
            compressed = sum(i.compress_size for i in infos) or 1
            if declared > MAX_DECLARED_BYTES or declared / compressed > MAX_RATIO:
                raise _Bomb

            def read(info: zipfile.ZipInfo, cap: int) -> bytes:
                if info.file_size > cap:
                    raise _Bomb
                with archive.open(info) as member:
                    data = member.read(cap + 1)  # a member that lies about its size stops here
                if len(data) > cap:
                    raise _Bomb
                return data

            first = infos[0]
            if first.filename == "mimetype":
                declared_type = read(first, 256).decode("ascii", "replace").strip()
                if declared_type == ODT:
                    return "odt"
                if declared_type.startswith("application/vnd.oasis.opendocument."):
                    return "opendocument"
            names = {i.filename for i in infos}
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                types = read(archive.getinfo("[Content_Types].xml"), MAX_MEMBER_READ)
                if DOCX_MAIN.encode() in types and "word/vbaProject.bin" not in names:
                    return "docx"
                return "docm"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "ppt/presentation.xml" in names:
                return "pptx"
            return "zip"
    except _Bomb:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, KeyError,
            NotImplementedError, RuntimeError, UnicodeError):
        # Damaged, encrypted or using an unsupported compression: not a document we can accept.
        return "zip"
    finally:
        stream.seek(0)


def kind_of(stream: BinaryIO) -> str:
    """pdf, docx or odt when the content is one of them; otherwise a key of _OTHER."""
    stream.seek(0)
    head = stream.read(HEAD)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(stream)
    if head.startswith((b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")):
        return "program"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "image"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml", b"<iframe")):
        return "html"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "unknown"
    return "text"


def inspect(stream: BinaryIO, raw_name: str | None, *, max_bytes: int) -> Inspected:
    """Check one uploaded file and say what it is; raise UploadRefused with a clear message otherwise.
    The stream must be seekable (Werkzeug spools uploads to memory or a temporary file)."""
    claimed = extension_of(clean_filename(raw_name))
    shown = clean_filename(raw_name, claimed or None)
    if claimed and claimed not in ACCEPTED:
        raise UploadRefused(_("“%(name)s” cannot be attached: only PDF, DOCX and ODT documents are accepted.",
                              name=shown))
    size = size_of(stream)
    if size == 0:
        raise UploadRefused(_("“%(name)s” is empty. Choose the document again.", name=shown))
    if size > max_bytes:
        raise UploadRefused(_("“%(name)s” is larger than the limit of %(mb)s MB. Reduce its size (for "
                              "example, export it again as PDF with compressed images) and try again.",
                              name=shown, mb=round(max_bytes / 1024 / 1024, 1)))
    try:
        kind = kind_of(stream)
    except _Bomb:
        raise UploadRefused(_("“%(name)s” is an archive that would expand to an unusually large or complex "
                              "content, so it was not accepted. Save the document again as PDF and try "
                              "again.", name=shown)) from None
    if kind not in ACCEPTED:
        raise UploadRefused(_("“%(name)s” is not a PDF, DOCX or ODT document: its content looks like "
                              "%(what)s. Only those three formats are accepted; save or export the "
                              "document as PDF and try again.", name=shown, what=_OTHER[kind]))
    actual = ACCEPTED[kind]
    if not claimed:
        shown = clean_filename(f"{shown}.{actual.extension}")
    elif claimed != kind:
        raise UploadRefused(_("“%(name)s” is named as a %(claimed)s file, but its content is a %(actual)s "
                              "document. Rename it with the .%(extension)s extension (or export it again "
                              "in the format its name says) and try again.", name=shown,
                              claimed=ACCEPTED[claimed].label, actual=actual.label,
                              extension=actual.extension))
    return Inspected(name=shown, extension=kind, media_type=actual.media_type, size=size)
