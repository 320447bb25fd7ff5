"""Small, valid PDFs with a real text layer, written without a PDF library (one page per string).

Demo briefs, the benchmark's 5-page briefs and the extraction tests need real PDFs; the writer is short
because the format is simple when only Helvetica text is needed.
"""

from __future__ import annotations

import textwrap


def _escape(text: str) -> bytes:
    # PDF literal strings in WinAnsi (cp1252) encoding: accents of French text survive; the rest becomes "?".
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _page_stream(text: str, *, width: int = 90, lines_per_page: int = 50) -> bytes:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(textwrap.wrap(paragraph, width) or [""])
    ops = [b"BT", b"/F1 10 Tf", b"12 TL", b"56 790 Td"]
    for line in lines[:lines_per_page]:
        ops.append(b"(" + _escape(line) + b") Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def make_pdf(pages: list[str], *, title: str = "") -> bytes:
    """A PDF with one A4 page per string (paragraphs separated by newlines, wrapped at 90 characters)."""
    if not pages:
        pages = [""]
    objects: list[bytes] = []  # object n is objects[n - 1]
    count = len(pages)
    page_ids = [4 + 2 * i for i in range(count)]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(b"<< /Type /Pages /Kids [" + b" ".join(f"{i} 0 R".encode() for i in page_ids)
                   + f"] /Count {count} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for text in pages:
        content_id = len(objects) + 2
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R "
                       f">> >> /Contents {content_id} 0 R >>".encode())
        stream = _page_stream(text)
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream")
    info_id = None
    if title:
        objects.append(b"<< /Title (" + _escape(title) + b") /Producer (consult) >>")
        info_id = len(objects)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R" + (f" /Info {info_id} 0 R" if info_id else "") + " >>"
    out += f"trailer\n{trailer}\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
