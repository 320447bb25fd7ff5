"""Shared by the brief tests: real documents built in memory, and the few steps every test repeats
(start a draft through the form, attach a file, read the mail sent). No tests here."""

from __future__ import annotations

import email
import io
import re
import zipfile
from email import policy

from pypdf import PdfWriter
from sqlalchemy import select

from consult.core.db import db
from consult.participation.models import Brief

TOKEN = "a-form-token-of-forty-characters-xxxxxxx"


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes(main_type: str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                                  ".main+xml") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{main_type}"/></Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>'))
        archive.writestr("word/document.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            '<w:p><w:r><w:t>Mémoire du Carrefour des aînés</w:t></w:r></w:p></w:body></w:document>'))
    return out.getvalue()


def odt_bytes(mimetype: str = "application/vnd.oasis.opendocument.text") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        # The OpenDocument rule: "mimetype" first, stored uncompressed.
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
            '<text:p>Mémoire</text:p></office:text></office:body></office:document-content>'),
            compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="'
            'application/vnd.oasis.opendocument.text"/></manifest:manifest>'), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def exe_bytes() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot " \
        b"be run in DOS mode.\r\r\n$" + b"\x00" * 200


def speak_english(consultation) -> None:
    """Every person of the consultation reads English, so the messages asserted stay true once the French
    catalogue is filled in."""
    for user in (consultation.planner, consultation.moderator, consultation.citizen, consultation.representative,
                 consultation.other_representative, consultation.coalition_representative, consultation.member):
        user.locale = "en"
    db.session.commit()


def sign_in(client, user) -> None:
    """Sign in as `user`, signing out whoever was signed in (the login page sends a signed-in person on)."""
    client.logout()
    if user is not None:
        client.login(user)


def start_draft(client, consultation, title: str = "Mémoire sur l'isolement des aînés",
                token: str = TOKEN) -> Brief:
    """Sign in as the representative and start a draft through the form."""
    sign_in(client, consultation.representative)
    response = client.post(f"/rounds/{consultation.round.id}/briefs/new", data={
        "organization_id": consultation.organization.id, "title": title, "form_token": token})
    assert response.status_code == 302, response.text
    return db.session.scalar(select(Brief).where(Brief.form_token == token))


def write(client, brief: Brief, **fields):
    data = {"title": brief.title, "summary": "Un résumé.", "body": "Le texte du mémoire.",
            "visibility": "public", **fields}
    return client.post(f"/briefs/{brief.id}", data=data)


def attach(client, brief: Brief, name: str, content: bytes):
    return client.post(f"/briefs/{brief.id}/attachments", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def position(client, brief: Brief, version_id: int, uid: str, stance: str, text: str = ""):
    return client.post(f"/briefs/{brief.id}/positions", data={
        "item": f"{version_id}:{uid}", "stance": stance, "text": text})


def reload(brief: Brief) -> Brief:
    db.session.expire_all()
    return db.session.get(Brief, brief.id)


def read_mail(raw: str) -> tuple[str, str, str]:
    """(to, subject, body) of an outbox message, decoded."""
    message = email.message_from_string(raw, policy=policy.default)
    return str(message["To"]), str(message["Subject"]), message.get_body().get_content()


def mails_to(outbox, address: str) -> list[tuple[str, str]]:
    return [(subject, body) for to, subject, body in map(read_mail, outbox()) if to == address]


def text_of(html: str) -> str:
    """The page's text with tags removed and spaces collapsed, for phrases that cross markup."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
