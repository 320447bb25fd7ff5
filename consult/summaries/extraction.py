"""The text of a brief's attachment (PDF, DOCX or ODT), read in a child process with time and memory limits.

Attachments come from anyone, so every file is parsed by a separate Python process that has an address-space
limit (RLIMIT_AS) and is killed when it runs past its wall-clock time. An encrypted, damaged, image-only, huge
or "bomb" file therefore ends as a status a planner can understand ("no_text_layer", "encrypted",
"unreadable", "too_large", "timeout"); it never crashes, stalls or bloats the worker that asked.

The child is this very file run as a script (``python -I -B extraction.py --child MEMORY_MB``): it imports only
the standard library and the parsers, never Flask or the application, so it starts in a fraction of a second.
One child serves many files in turn (`Extractor`, `extract_many`); it is replaced after a timeout or a crash.
The parent and the child speak JSON lines over pipes (never pickle: the child handles hostile bytes).

Passages are ``(page, paragraph, text)`` in reading order. ``page`` is the 1-based physical page of a PDF and
None for DOCX and ODT, which have no fixed pages; ``paragraph`` is 1-based and counts non-empty paragraphs,
within the page for a PDF and across the document otherwise, so a quote can be cited as "page 3, paragraph 2".
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import selectors
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from flask_babel.speaklater import LazyString

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
MEDIA_TYPES = (PDF, DOCX, ODT)

STATUSES = ("ok", "no_text_layer", "encrypted", "unreadable", "too_large", "timeout")

# A page of dense text is about 3,000 characters; beyond this many per allowed page the text is not a
# document a person wrote, and shipping it back would bloat the worker.
CHARS_PER_PAGE_LIMIT = 10_000
# A real DOCX or ODT has a few dozen ZIP members.
MAX_ZIP_MEMBERS = 10_000
STARTUP_TIMEOUT_S = 30.0


class Passage(NamedTuple):
    page: int | None
    paragraph: int
    text: str


@dataclass
class Extraction:
    status: str                 # one of STATUSES
    message: LazyString         # what happened, in words fit for a planner (translated when rendered)
    pages: int = 0              # PDF pages; for DOCX/ODT the count the word processor saved, or 0
    passages: list[Passage] = field(default_factory=list)
    detail: str = ""            # the technical reason, for logs; never shown to planners
    values: dict[str, Any] = field(default_factory=dict)    # what rebuilds `message` (message_for's keywords)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.passages)


class ExtractorUnavailable(RuntimeError):
    """The child process could not start: a deployment problem (missing parser, memory limit too low for
    Python itself), not a problem with any file, so the caller should fail or retry rather than blame it."""


def message_for(status: str, *, pages: int = 0, limit: int = 0, seconds: float = 0, reason: str = "") -> LazyString:
    """The planner-facing message of a status (also usable to rebuild one from stored values)."""
    # Imported here, not at the top, because this file is also the sandboxed child, which must stay free of
    # Flask so that it starts fast; lazy strings need no application context to be built.
    from flask_babel import lazy_gettext as _l

    if status == "ok":
        return _l("The text of this document was extracted.")
    if status == "no_text_layer":
        return _l("This PDF contains no text, only images: it is probably a scan. Read it directly, or ask its "
                  "author for a version whose text can be selected.")
    if status == "encrypted":
        return _l("This document is protected by a password, so its text cannot be read. Ask its author for a "
                  "copy without a password.")
    if status == "too_large" and reason == "pages":
        return _l("This document has %(pages)s pages, more than the %(limit)s pages that are read "
                  "automatically. Read it directly, or ask its author for a shorter version.",
                  pages=pages, limit=limit)
    if status == "too_large":
        return _l("This document is too large to be read automatically. Read it directly.")
    if status == "timeout":
        return _l("Reading this document took more than %(seconds)s seconds and was stopped. It may be very long "
                  "or unusually built; read it directly.", seconds=int(seconds) or 1)
    if reason == "media_type":
        return _l("This type of file cannot be read automatically: only PDF, DOCX and ODT documents can.")
    return _l("This file could not be read: it is damaged, or it is not really a PDF, DOCX or ODT document. Ask "
              "its author to send it again.")


def _result(status: str, *, pages: int = 0, passages: list[Passage] | None = None, detail: str = "",
            **values: Any) -> Extraction:
    return Extraction(status=status, message=message_for(status, pages=pages, **values), pages=pages,
                      passages=passages or [], detail=detail, values=values)


# --------------------------------------------------------------------------------------------------------------
# Parent side


class _Timeout(Exception):
    pass


class _Died(Exception):
    pass


class _Oversize(Exception):
    pass


class Extractor:
    """One sandboxed child process that reads files in turn; use it as a context manager.

    `memory_mb` is the child's address-space limit. Each file's `timeout_s` counts from the moment it is sent;
    starting the child has its own limit. A file that times out, or kills the child, gets its status and a fresh
    child is started for the next one. Not thread-safe: one Extractor per thread or task.
    """

    def __init__(self, *, memory_mb: int = 512, startup_timeout_s: float = STARTUP_TIMEOUT_S) -> None:
        self.memory_mb = memory_mb
        self.startup_timeout_s = startup_timeout_s
        self._proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _command(self) -> list[str]:
        # -I: no PYTHONPATH, user site or script directory on sys.path; -B: never write .pyc files.
        return [sys.executable, "-I", "-B", str(Path(__file__).resolve()), "--child", str(self.memory_mb)]

    def _start(self) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(self._command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, close_fds=True)
        assert proc.stdin is not None
        os.set_blocking(proc.stdin.fileno(), False)
        try:
            ready = json.loads(_exchange(proc, b"", time.monotonic() + self.startup_timeout_s, 4096))
        except (_Timeout, _Died, _Oversize, ValueError) as exc:
            _kill(proc)
            raise ExtractorUnavailable(f"the extraction child did not start ({type(exc).__name__}); "
                                       f"is memory_mb={self.memory_mb} too low, or a parser missing?") from exc
        if not ready.get("ready"):
            _kill(proc)
            raise ExtractorUnavailable(f"the extraction child did not start: {ready.get('error', ready)}")
        return proc

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            proc.stdin.close()  # type: ignore[union-attr]  # EOF: the child leaves its loop
        _reap(proc)

    def extract(self, data: bytes, media_type: str, *, timeout_s: float = 30, max_pages: int = 500) -> Extraction:
        media_type = media_type.split(";")[0].strip().lower()
        if media_type not in MEDIA_TYPES:
            return _result("unreadable", detail=f"unsupported media type {media_type!r}", reason="media_type")
        if not data:
            return _result("unreadable", detail="empty file")
        # The child could not even hold such a file next to what it decompresses.
        if len(data) > self.memory_mb * 1024 * 1024 // 2:
            return _result("too_large", detail=f"{len(data)} bytes over the memory limit")
        if self._proc is None or self._proc.poll() is not None:
            self.close()
            self._proc = self._start()
        proc = self._proc
        max_chars = max_pages * CHARS_PER_PAGE_LIMIT
        header = json.dumps({"media_type": media_type, "max_pages": max_pages, "max_chars": max_chars,
                             "size": len(data)}).encode() + b"\n"
        try:
            # UTF-8 text is at most 4 bytes a character; the rest is the JSON around it.
            raw = _exchange(proc, header + data, time.monotonic() + timeout_s, max_chars * 4 + 4 * 1024 * 1024)
        except _Timeout:
            self._discard()
            return _result("timeout", detail=f"no answer after {timeout_s} s", seconds=timeout_s)
        except _Oversize:
            self._discard()
            return _result("too_large", detail="answer over the size limit")
        except _Died:
            self._proc = None
            code = _reap(proc)
            # -9 is SIGKILL, which on Linux is what the kernel's out-of-memory killer sends.
            if code == -9:
                return _result("too_large", detail="the child was killed (out of memory?)")
            return _result("unreadable", detail=f"the child died with exit code {code}")
        try:
            answer = json.loads(raw)
            status = answer["status"]
            passages = [Passage(p[0], int(p[1]), str(p[2])) for p in answer.get("passages", ())]
            if status not in STATUSES:
                raise ValueError(status)
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            # The child parses hostile bytes; an answer that makes no sense is not trusted, and neither is it.
            self._discard()
            return _result("unreadable", detail=f"nonsensical answer from the child: {type(exc).__name__}")
        if answer.get("exit"):
            self.close()  # the child leaves after running out of memory: its heap may be fragmented
        return _result(status, pages=int(answer.get("pages", 0)), passages=passages,
                       detail=str(answer.get("detail", "")), limit=max_pages, reason=answer.get("reason", ""))

    def _discard(self) -> None:
        if self._proc is not None:
            _kill(self._proc)
            self._proc = None


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        proc.kill()
    _reap(proc)


def _reap(proc: subprocess.Popen[bytes]) -> int | None:
    """Wait for a child that is ending (killing it if it lingers), close its pipes, return its exit code."""
    try:
        code = proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(OSError):
            proc.kill()
        code = None
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
    for pipe in (proc.stdin, proc.stdout):
        with contextlib.suppress(OSError):
            if pipe is not None:
                pipe.close()
    return code


def _exchange(proc: subprocess.Popen[bytes], payload: bytes, deadline: float, max_bytes: int) -> bytes:
    """Write `payload` to the child and read one answer line, both before `deadline`.

    Writing and reading are multiplexed so that a child that stops reading cannot block the parent on a full
    pipe, and an answer longer than `max_bytes` is refused before it fills the parent's memory."""
    assert proc.stdin is not None and proc.stdout is not None
    out_fd, in_fd = proc.stdin.fileno(), proc.stdout.fileno()
    pending = memoryview(payload)
    received = bytearray()
    with selectors.DefaultSelector() as selector:
        selector.register(in_fd, selectors.EVENT_READ)
        if pending:
            selector.register(out_fd, selectors.EVENT_WRITE)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout
            for key, _mask in selector.select(remaining):
                if key.fd == out_fd:
                    try:
                        written = os.write(out_fd, pending[:1 << 16])
                    except BlockingIOError:
                        continue
                    except (BrokenPipeError, ConnectionResetError) as exc:
                        raise _Died from exc
                    pending = pending[written:]
                    if not pending:
                        selector.unregister(out_fd)
                else:
                    chunk = os.read(in_fd, 1 << 20)
                    if not chunk:
                        raise _Died
                    received += chunk
                    end = received.find(b"\n")
                    if end >= 0:
                        return bytes(received[:end])
                    if len(received) > max_bytes:
                        raise _Oversize


def extract(data: bytes, media_type: str, *, timeout_s: float = 30, memory_mb: int = 512,
            max_pages: int = 500) -> Extraction:
    """The text of one file, read in a fresh child process. For many files, `extract_many` is faster."""
    with Extractor(memory_mb=memory_mb) as extractor:
        return extractor.extract(data, media_type, timeout_s=timeout_s, max_pages=max_pages)


def extract_many(items: Iterable[tuple[bytes, str]], *, timeout_s: float = 30, memory_mb: int = 512,
                 max_pages: int = 500) -> list[Extraction]:
    """The text of each (data, media_type), in order, read by one child process reused across the batch;
    `timeout_s` applies to each file."""
    with Extractor(memory_mb=memory_mb) as extractor:
        return [extractor.extract(data, media_type, timeout_s=timeout_s, max_pages=max_pages)
                for data, media_type in items]


# --------------------------------------------------------------------------------------------------------------
# Child side: everything below runs in the sandboxed process and returns plain JSON-able dicts.


class _Stop(Exception):
    """Ends the reading of a file with a status other than "ok"."""

    def __init__(self, status: str, detail: str, **values: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.values = values


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_CID = re.compile(r"\(cid:\d+\)")  # glyphs pdfminer could not map to characters


def _clean(text: str) -> str:
    return " ".join(_CONTROL.sub("", text).split())


class _Collector:
    """Numbers non-empty paragraphs and enforces the character limit."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.chars = 0
        self.passages: list[list[Any]] = []
        self._numbers: dict[int | None, int] = {}

    def add(self, page: int | None, text: str) -> None:
        text = _clean(text)
        if not text:
            return
        self.chars += len(text)
        if self.chars > self.max_chars:
            raise _Stop("too_large", f"more than {self.max_chars} characters of text")
        number = self._numbers.get(page, 0) + 1
        self._numbers[page] = number
        self.passages.append([page, number, text])


def _parse(data: bytes, media_type: str, max_pages: int, max_chars: int, memory_mb: int) -> dict[str, Any]:
    try:
        if media_type == PDF:
            return _pdf(data, max_pages, max_chars)
        if media_type == DOCX:
            return _docx(data, max_pages, max_chars, memory_mb)
        if media_type == ODT:
            return _odt(data, max_pages, max_chars, memory_mb)
        return {"status": "unreadable", "detail": f"unsupported media type {media_type!r}", "reason": "media_type"}
    except _Stop as stop:
        return {"status": stop.status, "detail": stop.detail, **stop.values}
    except MemoryError:
        raise
    except Exception as exc:  # a hostile file can make any parser raise anything; none of it is a crash
        text = str(exc)
        status = "too_large" if "memory" in text.lower() else "unreadable"
        return {"status": status, "detail": f"{type(exc).__name__}: {text[:300]}"}


def _pdf(data: bytes, max_pages: int, max_chars: int) -> dict[str, Any]:
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)), password="")
    except PDFPasswordIncorrect as exc:
        raise _Stop("encrypted", "a user password is required") from exc
    except PDFEncryptionError as exc:
        raise _Stop("encrypted", f"unsupported encryption: {exc}") from exc
    pages = list(PDFPage.create_pages(document))
    if not pages:
        raise _Stop("unreadable", "no pages")
    if len(pages) > max_pages:
        raise _Stop("too_large", f"{len(pages)} pages", pages=len(pages), reason="pages")
    resources = PDFResourceManager(caching=True)
    # all_texts: also lay out text drawn inside figures (form XObjects), which some PDF printers produce.
    device = PDFPageAggregator(resources, laparams=LAParams(all_texts=True))
    interpreter = PDFPageInterpreter(resources, device)
    collector = _Collector(max_chars)
    for number, page in enumerate(pages, start=1):
        interpreter.process_page(page)
        for paragraph in _pdf_paragraphs(device.get_result()):
            collector.add(number, paragraph)
    if not collector.passages:
        return {"status": "no_text_layer", "pages": len(pages), "detail": "no text on any page"}
    return {"status": "ok", "pages": len(pages), "passages": collector.passages}


_ENDS_SENTENCE = tuple('.!?:»"”…')
_STARTS_PARAGRAPH = tuple('•-–—«"*')


def _ends_paragraph(line: Any, text: str, following: Any, following_text: str, right: float) -> bool:
    """Whether a line ends its paragraph although no blank space follows it: it ends a sentence, the next line
    starts one, and the next line's first word would have fitted on this line (so the writer broke it)."""
    from pdfminer.layout import LTChar

    if not following_text or not text.endswith(_ENDS_SENTENCE):
        return False
    if not (following_text[0].isupper() or following_text[0].isdigit() or following_text.startswith(_STARTS_PARAGRAPH)):
        return False
    chars = [c for c in following if isinstance(c, LTChar)]
    word = []
    for char in chars:
        if char.get_text().isspace():
            break
        word.append(char)
    if not word:
        return False
    space = sum(c.width for c in chars) / len(chars)  # about the width of a space in this font
    return line.x1 + space + (word[-1].x1 - word[0].x0) <= right + 0.5


def _pdf_paragraphs(container: Any) -> Iterator[str]:
    """Paragraphs of a laid-out page, in pdfminer's reading order.

    A text box is a block of lines with regular spacing: a blank gap, or a new box, ends a paragraph, and so does
    a line break the writer made on purpose (see `_ends_paragraph`) when it left no space between paragraphs."""
    from pdfminer.layout import LTFigure, LTTextBox, LTTextLine

    for obj in container:
        if isinstance(obj, LTFigure):
            yield from _pdf_paragraphs(obj)
            continue
        if not isinstance(obj, LTTextBox):
            continue
        lines = [(line, _clean(_CID.sub("", line.get_text()))) for line in obj if isinstance(line, LTTextLine)]
        if not lines:
            continue
        right = max(line.x1 for line, _ in lines)
        current: list[str] = []
        for index, (line, text) in enumerate(lines):
            if not text:
                if current:
                    yield _join(current)
                    current = []
                continue
            current.append(text)
            if index + 1 < len(lines) and _ends_paragraph(line, text, *lines[index + 1], right):
                yield _join(current)
                current = []
        if current:
            yield _join(current)


def _join(lines: list[str]) -> str:
    parts: list[str] = []
    for line in lines:
        # A line ending in a hyphen continues the word ("peut-" + "être"); keep the hyphen, add no space.
        if parts and not parts[-1].endswith("-"):
            parts.append(" ")
        parts.append(line)
    return "".join(parts)


def _open_zip(data: bytes, memory_mb: int) -> zipfile.ZipFile:
    """The container of a DOCX or ODT, refused before anything is decompressed if it would not fit."""
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # An OLE compound file: either a password-protected Office document or an old binary .doc.
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise _Stop("encrypted", "an encrypted Office package")
        raise _Stop("unreadable", "an OLE compound file (old binary format)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise _Stop("unreadable", f"not a ZIP container: {exc}") from exc
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise _Stop("too_large", f"{len(members)} ZIP members")
    declared = sum(member.file_size for member in members)
    # The parsers hold decompressed parts in memory; declared sizes can lie, and then RLIMIT_AS still holds.
    if declared > memory_mb * 1024 * 1024 // 2:
        raise _Stop("too_large", f"{declared} bytes once decompressed")
    return archive


def _expat(handler: Any | None = None) -> Any:
    """An expat parser that refuses any DOCTYPE, hence any entity declaration ("billion laughs") and any
    external entity. (xml.etree's own parser keeps expanding entities after its target's doctype() raises,
    so expat is used directly: an exception in its handler stops it at once.)"""
    from xml.parsers import expat

    def refuse(*_args: object) -> None:
        raise _Stop("unreadable", "the XML declares a DOCTYPE (entity expansion is refused)")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.buffer_text = True
    if handler is not None:
        parser.StartElementHandler = handler.start
        parser.EndElementHandler = handler.end
        parser.CharacterDataHandler = handler.data
    return parser


def _parse_member(archive: zipfile.ZipFile, name: str, handler: Any) -> None:
    parser = _expat(handler)
    try:
        with archive.open(name) as stream:  # streamed: never the whole member in memory
            parser.ParseFile(stream)
    except _Stop:
        raise
    except Exception as exc:
        raise _Stop("unreadable", f"{name}: {type(exc).__name__}: {exc}") from exc


class _PageCount:
    """Reads a saved page count: <Pages> in a DOCX's docProps/app.xml, meta:page-count in an ODT's meta.xml."""

    def __init__(self) -> None:
        self.pages = 0
        self._in_pages = False
        self._text: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self._in_pages = name.endswith(" Pages")
        count = attrs.get("urn:oasis:names:tc:opendocument:xmlns:meta:1.0 page-count")
        if count and count.isdigit():
            self.pages = int(count)

    def end(self, name: str) -> None:
        if self._in_pages and "".join(self._text).strip().isdigit():
            self.pages = int("".join(self._text).strip())
        self._in_pages = False
        self._text = []

    def data(self, text: str) -> None:
        if self._in_pages:
            self._text.append(text)


def _saved_pages(archive: zipfile.ZipFile, name: str, max_pages: int) -> int:
    if name not in archive.namelist():
        return 0
    counter = _PageCount()
    try:
        _parse_member(archive, name, counter)
    except _Stop:
        return 0  # metadata is a nicety; the body decides whether the file is readable
    if counter.pages > max_pages:
        raise _Stop("too_large", f"{counter.pages} pages", pages=counter.pages, reason="pages")
    return counter.pages


def _docx(data: bytes, max_pages: int, max_chars: int, memory_mb: int) -> dict[str, Any]:
    archive = _open_zip(data, memory_mb)
    pages = _saved_pages(archive, "docProps/app.xml", max_pages)
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise _Stop("unreadable", f"not a Word document: {type(exc).__name__}: {exc}") from exc
    collector = _Collector(max_chars)

    def walk(container: Any) -> None:
        for block in container.iter_inner_content():
            if isinstance(block, Paragraph):
                collector.add(None, block.text)
            elif isinstance(block, Table):
                seen: set[Any] = set()  # a merged cell appears once per grid column it spans
                for row in block.rows:
                    for cell in row.cells:
                        if cell._tc not in seen:
                            seen.add(cell._tc)
                            walk(cell)

    walk(document)
    return {"status": "ok", "pages": pages, "passages": collector.passages}


_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0 "
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0 "
_ODT_PARAGRAPHS = {_TEXT + "p", _TEXT + "h"}
# Subtrees whose text is not the document's: note markers, reviewers' comments, deleted tracked changes.
_ODT_SKIPPED = {_TEXT + "note-citation", _OFFICE + "annotation", _TEXT + "tracked-changes"}


class _OdtText:
    """Paragraphs (text:p, text:h) of an ODT's content.xml, in document order.

    A paragraph nested in another (a footnote, a text frame) becomes its own passage, right after the one that
    holds it; ODF collapses whitespace like HTML and writes extra spaces as text:s."""

    def __init__(self) -> None:
        self._body = 0
        self._skip = 0
        self._open: list[tuple[int, list[str]]] = []
        self._order = 0
        self.paragraphs: list[tuple[int, str]] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == _OFFICE + "body":
            self._body += 1
        if not self._body:
            return
        if self._skip or name in _ODT_SKIPPED:
            self._skip += 1
        elif name in _ODT_PARAGRAPHS:
            self._order += 1
            self._open.append((self._order, []))
        elif self._open and name == _TEXT + "s":
            count = attrs.get(_TEXT + "c", "1")
            self._open[-1][1].append(" " * min(int(count) if count.isdigit() else 1, 100))
        elif self._open and name in (_TEXT + "tab", _TEXT + "line-break"):
            self._open[-1][1].append(" ")

    def end(self, name: str) -> None:
        if self._skip:
            self._skip -= 1
        elif self._open and name in _ODT_PARAGRAPHS:
            order, parts = self._open.pop()
            self.paragraphs.append((order, "".join(parts)))
        if name == _OFFICE + "body":
            self._body -= 1

    def data(self, text: str) -> None:
        if self._open and not self._skip:
            self._open[-1][1].append(text)


def _odt(data: bytes, max_pages: int, max_chars: int, memory_mb: int) -> dict[str, Any]:
    archive = _open_zip(data, memory_mb)
    names = set(archive.namelist())
    if "META-INF/manifest.xml" in names:
        with archive.open("META-INF/manifest.xml") as manifest:
            if b"encryption-data" in manifest.read(1024 * 1024):
                raise _Stop("encrypted", "the manifest lists encrypted members")
    if "content.xml" not in names:
        raise _Stop("unreadable", "no content.xml")
    pages = _saved_pages(archive, "meta.xml", max_pages)
    text = _OdtText()
    _parse_member(archive, "content.xml", text)
    collector = _Collector(max_chars)
    for _order, paragraph in sorted(text.paragraphs):
        collector.add(None, paragraph)
    return {"status": "ok", "pages": pages, "passages": collector.passages}


def _child_main(memory_mb: int) -> None:
    import logging
    import resource

    # The protocol owns the real stdout; anything a library prints goes to stderr instead.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    requests = sys.stdin.buffer
    logging.disable(logging.WARNING)  # pdfminer warns about every oddity of every file

    def send(message: dict[str, Any]) -> None:
        answers.write(json.dumps(message, ensure_ascii=False).encode() + b"\n")
        answers.flush()

    try:
        limit = memory_mb * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        import pdfminer.converter
        import pdfminer.pdfinterp  # noqa: F401  (PDFs are most files: load their parser before the first one)
    except (ImportError, MemoryError, OSError, ValueError) as exc:
        send({"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        return
    send({"ready": True})
    while True:
        line = requests.readline()
        if not line:
            return
        request = json.loads(line)
        data = requests.read(request["size"])
        if len(data) != request["size"]:
            return
        try:
            answer = _parse(data, request["media_type"], request["max_pages"], request["max_chars"], memory_mb)
        except MemoryError:
            answer = {"status": "too_large", "detail": "MemoryError under the memory limit", "exit": True}
        del data
        try:
            send(answer)
        except MemoryError:
            return  # the parent sees the child die and reports the file as unreadable
        if answer.get("exit"):
            return


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "--child":
    _child_main(int(sys.argv[2]))
