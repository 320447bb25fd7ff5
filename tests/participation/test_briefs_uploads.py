"""Attachments: real PDF, DOCX and ODT accepted; the type read from the bytes; a lying extension, a
program or a web page renamed .pdf, an oversized file, a sixth attachment, a ZIP bomb refused with a clear
message; an upload cut off midway loses only that file; the download keeps the brief's permissions."""

from __future__ import annotations

import io
import zipfile
from html import unescape

import pytest

from consult.core.db import db
from consult.participation.briefs import uploads
from consult.participation.models import BriefAttachment
from consult.storage import get_storage
from tests.participation.test_briefs_helpers import (
    attach,
    docx_bytes,
    exe_bytes,
    odt_bytes,
    pdf_bytes,
    reload,
    sign_in,
    speak_english,
    start_draft,
    text_of,
)


@pytest.fixture(autouse=True)
def _in_english(request):
    if "consultation" in request.fixturenames:
        speak_english(request.getfixturevalue("consultation"))


def attachments_of(brief) -> list[tuple[str, str]]:
    return [(a.filename, a.media_type) for a in reload(brief).attachments]


def test_a_pdf_a_docx_and_an_odt_are_attached_with_their_real_type(client, consultation):
    brief = start_draft(client, consultation)
    assert attach(client, brief, "mémoire.pdf", pdf_bytes()).status_code == 302
    assert attach(client, brief, "annexe.docx", docx_bytes()).status_code == 302
    assert attach(client, brief, "Données.ODT", odt_bytes()).status_code == 302
    assert attachments_of(brief) == [
        ("mémoire.pdf", uploads.PDF), ("annexe.docx", uploads.DOCX), ("Données.ODT", uploads.ODT)]
    stored = reload(brief).attachments[0]
    assert get_storage().read(stored.storage_key) == pdf_bytes()
    page = client.get(f"/briefs/{brief.id}")
    assert "mémoire.pdf" in page.text and "Données.ODT" in page.text


def test_the_download_is_an_attachment_with_the_stored_type_and_no_sniffing(client, consultation):
    brief = start_draft(client, consultation)
    attach(client, brief, "rapport: final* v2 <b>?.pdf", pdf_bytes())
    attachment = reload(brief).attachments[0]
    assert attachment.filename == "rapport final v2 b.pdf"
    response = client.get(f"/briefs/{brief.id}/attachments/{attachment.id}")
    assert response.status_code == 200
    assert response.data == pdf_bytes()
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "rapport final v2 b.pdf" in disposition
    assert "private" in response.headers["Cache-Control"]


def test_a_non_ascii_name_is_sent_encoded(client, consultation):
    brief = start_draft(client, consultation)
    attach(client, brief, "mémoire des aînés.pdf", pdf_bytes())
    attachment = reload(brief).attachments[0]
    disposition = client.get(f"/briefs/{brief.id}/attachments/{attachment.id}").headers["Content-Disposition"]
    assert "filename*=UTF-8''m%C3%A9moire%20des%20a%C3%AEn%C3%A9s.pdf" in disposition


def test_a_file_whose_extension_lies_is_refused_saying_what_it_is(client, consultation):
    brief = start_draft(client, consultation)
    response = attach(client, brief, "mémoire.pdf", docx_bytes())
    assert response.status_code == 422
    message = unescape(response.text)
    assert "named as a PDF file, but its content is a DOCX (Word) document" in message
    assert "Rename it with the .docx extension" in message
    response = attach(client, brief, "rapport.odt", pdf_bytes())
    assert response.status_code == 422 and "content is a PDF document" in unescape(response.text)
    assert attachments_of(brief) == []


@pytest.mark.parametrize(("name", "content", "said"), [
    ("mémoire.pdf", exe_bytes(), "a program"),
    ("mémoire.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "a web page (HTML)"),
    ("mémoire.pdf", b"\xef\xbb\xbf  <html><body>x</body></html>", "a web page (HTML)"),
    ("mémoire.docx", b"PK\x03\x04 not really a zip", "a compressed archive"),
    ("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "an image"),
    ("ancien.odt", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "an older Word"),
])
def test_something_else_renamed_as_a_document_is_refused(client, consultation, name, content, said):
    brief = start_draft(client, consultation)
    response = attach(client, brief, name, content)
    assert response.status_code == 422
    assert "is not a PDF, DOCX or ODT document" in unescape(response.text)
    assert said in unescape(response.text)
    assert attachments_of(brief) == []


def test_other_extensions_are_refused(client, consultation):
    brief = start_draft(client, consultation)
    for name, content in (("programme.exe", exe_bytes()), ("page.html", b"<html></html>"),
                          ("tableau.xlsx", docx_bytes()), ("mémoire.pdf.exe", pdf_bytes())):
        response = attach(client, brief, name, content)
        assert response.status_code == 422, name
        assert "only PDF, DOCX and ODT documents are accepted" in unescape(response.text)
    assert attachments_of(brief) == []


def test_a_word_document_with_macros_or_another_opendocument_is_refused(client, consultation):
    brief = start_draft(client, consultation)
    macro = docx_bytes("application/vnd.ms-word.document.macroEnabled.main+xml")
    assert "with macros" in unescape(attach(client, brief, "macros.docx", macro).text)
    sheet = odt_bytes("application/vnd.oasis.opendocument.spreadsheet")
    assert "not a text document" in unescape(attach(client, brief, "tableur.odt", sheet).text)
    assert attachments_of(brief) == []


def test_a_document_without_an_extension_is_named_by_its_content(client, consultation):
    brief = start_draft(client, consultation)
    assert attach(client, brief, "mémoire", pdf_bytes()).status_code == 302
    assert attachments_of(brief) == [("mémoire.pdf", uploads.PDF)]


def test_an_empty_file_or_no_file_is_refused(client, consultation):
    brief = start_draft(client, consultation)
    assert "is empty" in unescape(attach(client, brief, "vide.pdf", b"").text)
    response = client.post(f"/briefs/{brief.id}/attachments", data={}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a PDF, DOCX or ODT document" in response.text
    assert attachments_of(brief) == []


def test_a_file_over_the_size_limit_is_refused_and_not_stored(client, consultation, monkeypatch):
    storage = get_storage()
    monkeypatch.setattr(storage, "max_bytes", 4096)
    brief = start_draft(client, consultation)
    big = pdf_bytes() + b"%" + b"x" * 5000
    before = set(storage.keys())
    response = attach(client, brief, "gros.pdf", big)
    assert response.status_code == 422
    assert "larger than the limit" in unescape(response.text)
    assert attachments_of(brief) == [] and set(storage.keys()) == before
    assert attach(client, brief, "petit.pdf", pdf_bytes()).status_code == 302


def test_the_storage_limit_is_also_enforced_while_storing(client, consultation, monkeypatch):
    # The storage counts the bytes as they stream in: a limit it enforces alone still gives a clear message.
    storage = get_storage()
    brief = start_draft(client, consultation)
    monkeypatch.setattr(uploads, "size_of", lambda stream: 1)
    monkeypatch.setattr(storage, "max_bytes", 64)
    response = attach(client, brief, "gros.pdf", pdf_bytes())
    assert response.status_code == 422 and "was not attached" in unescape(response.text)
    assert attachments_of(brief) == []


def test_a_sixth_attachment_is_refused(client, consultation):
    brief = start_draft(client, consultation)
    for number in range(5):
        assert attach(client, brief, f"annexe-{number}.pdf", pdf_bytes(number + 1)).status_code == 302
    page = client.get(f"/briefs/{brief.id}")
    assert "the most it can have" in page.text and 'enctype="multipart/form-data"' not in page.text
    response = attach(client, brief, "sixième.pdf", pdf_bytes())
    assert response.status_code == 422
    assert "at most 5 attachments" in unescape(response.text)
    assert len(attachments_of(brief)) == 5


def test_the_limit_of_attachments_is_configurable(client, consultation, app, monkeypatch):
    monkeypatch.setitem(app.config, "CONSULT_BRIEF_MAX_ATTACHMENTS", 1)
    brief = start_draft(client, consultation)
    assert attach(client, brief, "un.pdf", pdf_bytes()).status_code == 302
    assert attach(client, brief, "deux.pdf", pdf_bytes(2)).status_code == 422


def _multipart(brief_id: int, content: bytes) -> tuple[bytes, str]:
    boundary = "----consult-test-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"coupé.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_an_upload_cut_off_midway_loses_only_that_file(client, consultation, app, monkeypatch):
    brief = start_draft(client, consultation)
    client.post(f"/briefs/{brief.id}", data={"title": "Titre gardé", "summary": "", "body": "Texte gardé.",
                                             "visibility": "public"})
    attach(client, brief, "premier.pdf", pdf_bytes())
    body, content_type = _multipart(brief.id, pdf_bytes(3) * 20)
    cut = body[: len(body) // 2]
    # The connection drops: fewer bytes arrive than the request announced.
    response = client.post(f"/briefs/{brief.id}/attachments", input_stream=io.BytesIO(cut),
                           environ_overrides={"CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": content_type})
    assert response.status_code == 400
    assert "The upload was interrupted" in unescape(response.text)
    # With CSRF on (as in production) the body is read before the view, by the CSRF check: same answer.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(f"/briefs/{brief.id}/attachments", input_stream=io.BytesIO(cut),
                           environ_overrides={"CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": content_type})
    assert response.status_code == 400
    assert "The upload was interrupted" in unescape(response.text)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    # A proxy may also pass on a body that simply ends early.
    response = client.post(f"/briefs/{brief.id}/attachments", data=cut, content_type=content_type)
    assert response.status_code == 422
    kept = reload(brief)
    assert [a.filename for a in kept.attachments] == ["premier.pdf"]
    assert (kept.title, kept.body) == ("Titre gardé", "Texte gardé.")
    assert client.get(f"/briefs/{brief.id}").status_code == 200
    assert attach(client, brief, "second.pdf", pdf_bytes(2)).status_code == 302


def test_a_zip_bomb_is_refused_without_expanding_it(client, consultation):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "x")
        archive.writestr("word/document.xml", b"\x00" * (40 * 1024 * 1024))  # 40 MB of zeros, ~40 KB packed
    brief = start_draft(client, consultation)
    response = attach(client, brief, "bombe.docx", out.getvalue())
    assert response.status_code == 422
    assert "unusually large or complex" in unescape(response.text)
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        archive.writestr("[Content_Types].xml", "x")
        for number in range(uploads.MAX_MEMBERS + 1):
            archive.writestr(f"word/{number}.xml", "")
    assert "unusually large" in unescape(attach(client, brief, "membres.docx", many.getvalue()).text)
    assert attachments_of(brief) == []


def test_an_attachment_is_removed_from_a_draft_only(client, consultation):
    brief = start_draft(client, consultation)
    attach(client, brief, "un.pdf", pdf_bytes())
    attach(client, brief, "deux.pdf", pdf_bytes(2))
    first = reload(brief).attachments[0]
    assert client.post(f"/briefs/{brief.id}/attachments/{first.id}/remove").status_code == 302
    assert [a.filename for a in reload(brief).attachments] == ["deux.pdf"]
    client.post(f"/briefs/{brief.id}/submit")
    second = reload(brief).attachments[0]
    assert client.post(f"/briefs/{brief.id}/attachments/{second.id}/remove").status_code == 403
    assert attach(client, brief, "trois.pdf", pdf_bytes(3)).status_code == 403
    assert len(reload(brief).attachments) == 1


def test_the_download_follows_the_briefs_read_permission(client, consultation):
    brief = start_draft(client, consultation)
    attach(client, brief, "un.pdf", pdf_bytes())
    attachment = reload(brief).attachments[0]
    url = f"/briefs/{brief.id}/attachments/{attachment.id}"
    sign_in(client, consultation.member)
    assert client.get(url).status_code == 200
    for user in (consultation.other_representative, consultation.citizen, consultation.planner):
        sign_in(client, user)
        assert client.get(url).status_code == 403
    sign_in(client, None)
    assert "/login" in client.get(url).headers["Location"]
    sign_in(client, consultation.representative)
    other = start_draft(client, consultation, token="another-token-of-forty-characters-xxxxxx")
    assert client.get(f"/briefs/{other.id}/attachments/{attachment.id}").status_code == 404


def test_a_file_missing_from_storage_gives_a_clear_404(client, consultation):
    brief = start_draft(client, consultation)
    attach(client, brief, "un.pdf", pdf_bytes())
    attachment = reload(brief).attachments[0]
    attachment.storage_key = "0" * 64
    db.session.commit()
    response = client.get(f"/briefs/{brief.id}/attachments/{attachment.id}")
    assert response.status_code == 404 and "no longer available" in response.text


def test_file_names_are_cleaned_for_display_and_headers():
    assert uploads.clean_filename("C:\\Users\\moi\\rapport.pdf") == "rapport.pdf"
    assert uploads.clean_filename("../../etc/passwd.pdf") == "passwd.pdf"
    assert uploads.clean_filename("a\x00b\r\nc.pdf") == "a b c.pdf"
    assert uploads.clean_filename("\u202egpj.exe.pdf") == "gpj.exe.pdf"  # no right-to-left override
    long = uploads.clean_filename("x" * 300 + ".docx")
    assert len(long) == 120 and long.endswith(".docx")
    assert uploads.clean_filename("", "pdf") == "pièce jointe.pdf"  # outside a request: French, the default
    assert text_of("<b>x</b>") == "x"


def test_the_stored_row_keeps_size_and_digest(client, consultation):
    brief = start_draft(client, consultation)
    attach(client, brief, "un.pdf", pdf_bytes())
    stored = db.session.scalar(db.select(BriefAttachment))
    import hashlib

    assert stored.size == len(pdf_bytes())
    assert stored.storage_key == hashlib.sha256(pdf_bytes()).hexdigest()
