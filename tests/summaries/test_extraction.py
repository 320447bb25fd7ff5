"""Attachments' text: PDF, DOCX and ODT read in a limited child process, and hostile files that must end as a
clear status rather than a crash, a stall or a bloated worker. All files are built here, in memory."""

from __future__ import annotations

import io
import random
import sys
import threading
import time
import zipfile
import zlib

import docx
import pytest
from flask import has_app_context
from flask_babel import force_locale
from pypdf import PdfReader, PdfWriter

from consult.sampledata.pdf import make_pdf
from consult.sampledata.texts import brief_pages
from consult.summaries import extraction
from consult.summaries.extraction import DOCX, ODT, PDF, Extractor, ExtractorUnavailable, extract, extract_many

pytestmark = pytest.mark.dialect_free  # text and files only: run once, on SQLite


def english(message) -> str:
    # The suite runs inside an app context whose default locale is French; the msgids are English.
    with force_locale("en"):
        return str(message)


def _peak_rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc/self/status")


def _raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF from numbered object bodies (object 1 is the catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length " + str(len(data)).encode() + extra + b" >>\nstream\n" + data + b"\nendstream"


def _image_only_pdf() -> bytes:
    """One page that paints a scanned-looking image (a 2×2 RGB picture) and no text operator at all."""
    pixels = bytes([200, 200, 200, 30, 30, 30, 30, 30, 30, 200, 200, 200])
    image = _stream(pixels, b" /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceRGB "
                            b"/BitsPerComponent 8")
    return _raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        _stream(b"q 500 0 0 700 48 70 cm /Im1 Do Q"),
        image,
    ])


def _docx_bytes(build) -> bytes:
    document = docx.Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


ODT_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"')


def _odt_bytes(content: str, *, pages: int | None = None, manifest_extra: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("META-INF/manifest.xml",
                         '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                         '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
                         f'manifest:full-path="content.xml" manifest:media-type="text/xml">{manifest_extra}'
                         '</manifest:file-entry></manifest:manifest>')
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        if pages is not None:
            archive.writestr("meta.xml", f'<?xml version="1.0"?><office:document-meta {ODT_NS}><office:meta>'
                                         f'<meta:document-statistic meta:page-count="{pages}"/></office:meta>'
                                         '</office:document-meta>')
    return out.getvalue()


def _odt_content(body: str, prolog: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content {ODT_NS} office:version="1.3">'
            f"<office:body><office:text>{body}</office:text></office:body></office:document-content>")


# ---------------------------------------------------------------------------------------------- readable files


def test_pdf_gives_its_paragraphs_with_page_numbers_in_reading_order():
    pdf = make_pdf(["Mémoire de la Table des aînés\n\nLe soutien à domicile manque le soir et la fin de semaine.",
                    "Les proches aidants s'épuisent : il faut du répit.\n\nNous demandons un transport adapté."])

    result = extract(pdf, PDF)

    assert result.status == "ok"
    assert result.pages == 2
    assert result.passages == [
        (1, 1, "Mémoire de la Table des aînés"),
        (1, 2, "Le soutien à domicile manque le soir et la fin de semaine."),
        (2, 1, "Les proches aidants s'épuisent : il faut du répit."),
        (2, 2, "Nous demandons un transport adapté."),
    ]
    assert english(result.message) == "The text of this document was extracted."


def test_a_realistic_brief_keeps_each_page_text_on_its_page():
    pages = brief_pages(random.Random(3), "Centre d'action bénévole")
    result = extract(make_pdf(pages), PDF, max_pages=5)

    assert result.status == "ok"
    assert result.pages == 5
    assert {p.page for p in result.passages} == {1, 2, 3, 4, 5}
    for number, page in enumerate(pages, start=1):
        on_page = " ".join(p.text for p in result.passages if p.page == number)
        assert on_page == " ".join(page.split())
    # Each page's paragraphs are numbered from 1.
    assert [p.paragraph for p in result.passages if p.page == 2][:2] == [1, 2]


def test_docx_gives_paragraphs_and_table_cells_in_document_order():
    def build(document):
        document.add_heading("Mémoire du Comité des usagers", level=1)
        document.add_paragraph("Les délais d'attente en santé mentale dépassent six mois.")
        document.add_paragraph("")  # empty paragraphs are not counted
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).merge(table.cell(0, 1)).text = "Priorités"
        table.cell(1, 0).text = "Répit"
        table.cell(1, 1).text = "Transport"
        document.add_paragraph("Nous demandons un suivi.\tMerci.")

    result = extract(_docx_bytes(build), DOCX)

    assert result.status == "ok"
    assert result.passages == [
        (None, 1, "Mémoire du Comité des usagers"),
        (None, 2, "Les délais d'attente en santé mentale dépassent six mois."),
        (None, 3, "Priorités"),  # a merged cell is read once
        (None, 4, "Répit"),
        (None, 5, "Transport"),
        (None, 6, "Nous demandons un suivi. Merci."),
    ]


def test_odt_gives_headings_paragraphs_lists_tables_and_notes_without_comments():
    body = ('<text:h text:outline-level="1">Mémoire de la Popote roulante</text:h>'
            '<text:p>Les repas<text:s text:c="3"/>livrés <text:span>le soir</text:span> manquent.'
            '<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body>'
            "<text:p>Selon nos données de 2024.</text:p></text:note-body></text:note></text:p>"
            "<text:p/>"
            "<text:list><text:list-item><text:p>Plus de bénévoles</text:p></text:list-item></text:list>"
            "<table:table><table:table-row><table:table-cell><text:p>Transport</text:p></table:table-cell>"
            "</table:table-row></table:table>"
            "<text:p>Fin<office:annotation><text:p>Commentaire interne</text:p></office:annotation>.</text:p>")

    result = extract(_odt_bytes(_odt_content(body), pages=2), ODT)

    assert result.status == "ok"
    assert result.pages == 2
    assert result.passages == [
        (None, 1, "Mémoire de la Popote roulante"),
        (None, 2, "Les repas livrés le soir manquent."),
        (None, 3, "Selon nos données de 2024."),
        (None, 4, "Plus de bénévoles"),
        (None, 5, "Transport"),
        (None, 6, "Fin."),
    ]


def test_a_pdf_protected_only_against_editing_is_read():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Texte lisible par tous."]))))
    writer.encrypt(user_password="", owner_password="propriétaire", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)

    result = extract(out.getvalue(), PDF)

    assert result.status == "ok"
    assert result.text == "Texte lisible par tous."


# ------------------------------------------------------------------------------------------------ hostile files


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_a_password_protected_pdf_is_encrypted(algorithm):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Secret"]))))
    writer.encrypt(user_password="motdepasse", owner_password="propriétaire", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)

    result = extract(out.getvalue(), PDF)

    assert result.status == "encrypted"
    assert result.passages == []
    assert "password" in english(result.message)


def test_an_encrypted_odt_is_encrypted():
    manifest_extra = '<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x"/>'
    result = extract(_odt_bytes("\x00\x13binary ciphertext", manifest_extra=manifest_extra), ODT)
    assert result.status == "encrypted"


def test_an_image_only_pdf_has_no_text_layer():
    result = extract(_image_only_pdf(), PDF)

    assert result.status == "no_text_layer"
    assert result.pages == 1
    assert "scan" in english(result.message)


@pytest.mark.parametrize(("data", "media_type"), [
    (b"%PDF-1.4\n" + bytes(random.Random(1).randrange(256) for _ in range(4000)), PDF),
    (make_pdf(["Une page tronquée."])[:60], PDF),
    (b"PK\x03\x04" + b"\x00" * 200, DOCX),
    (b"This is not a document at all.", ODT),
    (_odt_bytes('<?xml version="1.0"?><office:document-content><text:p>unclosed'), ODT),
])
def test_garbage_and_truncated_files_are_unreadable(data, media_type):
    result = extract(data, media_type)
    assert result.status == "unreadable"
    assert result.passages == []
    assert "could not be read" in english(result.message)


def test_an_unsupported_media_type_is_unreadable_without_a_child():
    result = extract(b"GIF89a", "image/gif")
    assert result.status == "unreadable"
    assert "only PDF, DOCX and ODT" in english(result.message)


def test_billion_laughs_odt_is_refused_at_once():
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    content = _odt_content("<text:p>&lol9;</text:p>", prolog=f"<!DOCTYPE lolz [{entities}]>")

    started = time.monotonic()
    result = extract(_odt_bytes(content), ODT, timeout_s=10)

    assert result.status == "unreadable"
    assert "DOCTYPE" in result.detail
    assert time.monotonic() - started < 5


def test_a_docx_zip_bomb_is_refused_without_growing_the_worker():
    good = _docx_bytes(lambda d: d.add_paragraph("Court."))
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED,
                                                                                   compresslevel=1) as archive:
        for member in source.infolist():
            if member.filename != "word/document.xml":
                archive.writestr(member, source.read(member))
        # word/document.xml inflates to 400 MB of text from about 400 kB.
        with archive.open("word/document.xml", "w", force_zip64=True) as out:
            out.write(b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                      b"<w:body><w:p><w:r><w:t>")
            chunk = b"a" * (1 << 20)
            for _ in range(400):
                out.write(chunk)
            out.write(b"</w:t></w:r></w:p></w:body></w:document>")
    data = bomb.getvalue()
    assert len(data) < 2_000_000
    before = _peak_rss_kb()

    result = extract(data, DOCX)

    assert result.status in ("too_large", "unreadable")
    assert _peak_rss_kb() - before < 50_000


def test_a_pdf_stream_bomb_hits_the_memory_limit_of_the_child_only():
    # The page's content stream inflates to 200 MB; its declared size says nothing, so only RLIMIT_AS stops it.
    compressor = zlib.compressobj(1)
    blank = b" " * (1 << 20)
    packed = b"".join(compressor.compress(blank) for _ in range(200)) + compressor.flush()
    pdf = _raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        _stream(packed, b" /Filter /FlateDecode"),
    ])
    before = _peak_rss_kb()

    with Extractor(memory_mb=160) as extractor:
        result = extractor.extract(pdf, PDF, timeout_s=15)
        after_bomb = extractor.extract(make_pdf(["Le fichier suivant est lu."]), PDF)

    assert result.status == "too_large"
    assert "too large" in english(result.message)
    assert after_bomb.status == "ok"  # a fresh child took over
    assert _peak_rss_kb() - before < 50_000


def test_more_pages_than_allowed_is_too_large_and_says_how_many():
    result = extract(make_pdf([f"Page {n}." for n in range(1, 8)]), PDF, max_pages=5)

    assert result.status == "too_large"
    assert result.pages == 7
    assert "7 pages" in english(result.message)
    assert "5 pages" in english(result.message)


def test_a_slow_file_times_out_and_the_next_file_gets_a_fresh_child():
    long_pdf = make_pdf(brief_pages(random.Random(5), "Regroupement", pages=200))
    with Extractor() as extractor:
        started = time.monotonic()
        slow = extractor.extract(long_pdf, PDF, timeout_s=0.3)
        elapsed = time.monotonic() - started
        following = extractor.extract(make_pdf(["Suivant."]), PDF)

    assert slow.status == "timeout"
    assert elapsed < 3
    assert "seconds" in english(slow.message)
    assert following.status == "ok"
    assert following.text == "Suivant."


def _fake_child(monkeypatch, code: str) -> None:
    monkeypatch.setattr(Extractor, "_command", lambda self: [sys.executable, "-c", code])


READY = "import os, sys, time; sys.stdout.write('{\"ready\": true}\\n'); sys.stdout.flush(); "


def test_a_parser_that_hangs_is_stopped_and_killed(monkeypatch):
    # This child never reads what it is sent: a megabyte cannot even be written to it.
    _fake_child(monkeypatch, READY + "time.sleep(120)")
    with Extractor() as extractor:
        started = time.monotonic()
        result = extractor.extract(b"%PDF-1.4\n" + b"0" * (1 << 20), PDF, timeout_s=0.5)
        child = extractor._proc

    assert result.status == "timeout"
    assert time.monotonic() - started < 5
    assert child is None  # the hung child was killed and forgotten


@pytest.mark.parametrize(("code", "status"), [
    ("sys.stdin.buffer.readline(); os._exit(1)", "unreadable"),
    ("sys.stdin.buffer.readline(); os.kill(os.getpid(), 9)", "too_large"),  # as the kernel's OOM killer does
])
def test_a_child_that_dies_gives_a_status(monkeypatch, code, status):
    _fake_child(monkeypatch, READY + code)
    assert extract(make_pdf(["x"]), PDF).status == status


def test_a_child_that_cannot_start_is_a_deployment_error(monkeypatch):
    _fake_child(monkeypatch, "raise SystemExit(1)")
    with pytest.raises(ExtractorUnavailable):
        extract(make_pdf(["x"]), PDF)


def test_extract_many_reads_a_mixed_batch_in_order_with_one_child(monkeypatch):
    started: list[object] = []
    real_start = Extractor._start

    def counting_start(self):
        started.append(self)
        return real_start(self)

    monkeypatch.setattr(Extractor, "_start", counting_start)
    odt = _odt_bytes(_odt_content("<text:p>Logement social</text:p>"))
    docx_file = _docx_bytes(lambda d: d.add_paragraph("Sécurité alimentaire"))

    results = extract_many([(make_pdf(["Un"]), PDF), (b"garbage", PDF), (odt, ODT), (docx_file, DOCX),
                            (_image_only_pdf(), PDF)])

    assert [r.status for r in results] == ["ok", "unreadable", "ok", "ok", "no_text_layer"]
    assert [r.text for r in results[:4]] == ["Un", "", "Logement social", "Sécurité alimentaire"]
    assert len(started) == 1


def test_messages_are_lazy_and_need_no_app_context():
    # A new thread starts with empty context variables, as a Celery task does: no Flask app at all.
    seen: dict[str, object] = {}

    def run() -> None:
        seen["app"] = has_app_context()
        result = extraction.extract(b"", PDF)
        seen["status"], seen["message"] = result.status, str(result.message)
        seen["timeout"] = str(extraction.message_for("timeout", seconds=2.5))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()

    assert seen["app"] is False
    assert seen["status"] == "unreadable"
    assert str(seen["message"]).startswith("This file could not be read")
    assert seen["timeout"].startswith("Reading this document took more than 2 seconds")
