"""Briefs: drafting, positions, attachments, co-signers, submission with a receipt, withdrawal.

Services flush and never commit; the view commits once. Every refusal is a BriefError whose message is
shown as is, and nothing already saved is touched by a refused action.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import current_app, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from consult.accounts.models import User
from consult.core.db import db, now_utc
from consult.core.timefmt import datetime_filter
from consult.mail import services as mail
from consult.notifications.services import notify
from consult.organizations.models import Organization
from consult.participation.briefs import uploads
from consult.participation.models import (
    Brief,
    BriefAttachment,
    BriefCosigner,
    BriefPosition,
    BriefState,
    BriefVisibility,
    CosignState,
    Stance,
)
from consult.projects.models import VersionItem
from consult.rounds import services as rounds
from consult.rounds.models import ConsultationRound
from consult.storage import StorageError, get_storage

log = logging.getLogger("consult.participation.briefs")


class BriefError(Exception):
    """A refused action; `message` is shown to the person, `field` names the form field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class LateSubmission(BriefError):
    """The round is not taking briefs right now (closed, even by a second, or not yet open)."""


def _draft_only(brief: Brief) -> None:
    if brief.state is not BriefState.draft:
        raise BriefError(_("This brief was submitted and can no longer be changed. While the round is open, "
                           "you may withdraw it."))


def timing_message(round_: ConsultationRound, at: datetime | None = None) -> str | None:
    """Why briefs cannot be submitted now, naming the dates; None while the round takes them."""
    at = at or now_utc()
    if round_.is_open(at):
        return None
    extend = _("Only the establishment can change the round's dates, and a change applies to everyone.")
    if at >= round_.closes_at or round_.has_closed:
        return " ".join([_("This round closed on %(closes)s (Montréal time): briefs can no longer be "
                           "submitted.", closes=datetime_filter(round_.closes_at)), extend])
    return " ".join([_("This round is not open yet: it opens on %(opens)s and closes on %(closes)s (Montréal "
                       "time). Briefs can be submitted only while it is open.",
                       opens=datetime_filter(round_.opens_at), closes=datetime_filter(round_.closes_at)),
                     extend])


# Drafting -------------------------------------------------------------------------------------------


def start_brief(round_: ConsultationRound, organization: Organization, author: User, *, title: str,
                form_token: str) -> Brief:
    if not round_.welcomes_organizations():
        raise BriefError(_("This round does not take briefs from organizations."))
    if not round_.is_open():
        raise LateSubmission(timing_message(round_) or "")
    brief = Brief(round=round_, organization=organization, author=author, title=title,
                  visibility=BriefVisibility.public, state=BriefState.draft, form_token=form_token)
    db.session.add(brief)
    db.session.flush()
    log.info("brief started", extra={"brief_id": brief.id, "round_id": round_.id,
                                     "organization_id": organization.id})
    return brief


def save_text(brief: Brief, *, title: str, summary: str | None, body: str | None,
              visibility: BriefVisibility) -> None:
    _draft_only(brief)
    brief.title = title
    brief.summary = summary or None
    brief.body = body or None
    brief.visibility = visibility
    db.session.flush()


def set_position(brief: Brief, item: VersionItem, stance: Stance, text: str | None) -> bool:
    """One position per item: a second one on the same item replaces the first. True when new."""
    _draft_only(brief)
    if stance is Stance.amend and not (text or "").strip():
        raise BriefError(_("Write the wording you ask for: an amendment needs its text."), field="text")
    for position in brief.positions:
        if position.version_id == item.version_id and position.item_uid == item.uid:
            position.stance, position.text = stance, text or None
            db.session.flush()
            return False
    brief.positions.append(BriefPosition(version_id=item.version_id, item_uid=item.uid, item_kind=item.kind,
                                         stance=stance, text=text or None))
    db.session.flush()
    return True


def remove_position(brief: Brief, position: BriefPosition) -> None:
    _draft_only(brief)
    brief.positions.remove(position)
    db.session.flush()


# Attachments ----------------------------------------------------------------------------------------


def add_attachment(brief: Brief, upload: FileStorage) -> BriefAttachment:
    """Check the file from its bytes, store it, and add it to the draft. The brief's row is locked while
    counting, so two uploads at once cannot pass the limit together."""
    _draft_only(brief)
    db.session.refresh(brief, with_for_update=True)
    limit = current_app.config["CONSULT_BRIEF_MAX_ATTACHMENTS"]
    if len(brief.attachments) >= limit:
        raise BriefError(_("A brief can have at most %(max)d attachments. Remove one before adding another.",
                           max=limit), field="file")
    storage = get_storage()
    try:
        found = uploads.inspect(upload.stream, upload.filename, max_bytes=storage.max_bytes)
    except uploads.UploadRefused as refused:
        raise BriefError(refused.message, field="file") from None
    try:
        key = storage.put(upload.stream)
    except StorageError as failure:  # too large after all, a full disk, an unreachable bucket
        raise BriefError(_("“%(name)s” was not attached: %(problem)s", name=found.name,
                           problem=str(failure.message)), field="file") from None
    position = max((a.position for a in brief.attachments), default=-1) + 1
    attachment = BriefAttachment(storage_key=key, filename=found.name, media_type=found.media_type,
                                 size=found.size, position=position)
    brief.attachments.append(attachment)
    db.session.flush()
    log.info("brief attachment added", extra={"brief_id": brief.id, "attachment_id": attachment.id,
                                              "media_type": found.media_type, "size": found.size})
    return attachment


def remove_attachment(brief: Brief, attachment: BriefAttachment) -> None:
    """Drop it from the draft. The stored file stays: storage is by content, and another brief may hold
    the same bytes."""
    _draft_only(brief)
    brief.attachments.remove(attachment)
    db.session.flush()


# Co-signers -----------------------------------------------------------------------------------------


def _brief_url(brief: Brief) -> str:
    return url_for("participation.brief", brief_id=brief.id, _external=True)


def request_cosigner(brief: Brief, organization: Organization, actor: User) -> BriefCosigner:
    """Ask another organization to co-sign; each of its representatives gets a notice."""
    _draft_only(brief)
    if organization.id == brief.organization_id:
        raise BriefError(_("%(name)s writes this brief: it signs it already.", name=organization.name))
    existing = next((c for c in brief.cosigners if c.organization_id == organization.id), None)
    if existing is not None and existing.state is not CosignState.declined:
        raise BriefError(_("%(name)s was already asked to co-sign.", name=organization.name))
    if existing is None:
        existing = BriefCosigner(organization=organization, requested_by_id=actor.id)
        brief.cosigners.append(existing)
    else:  # it declined before: asking again is a new request
        existing.state, existing.answered_at, existing.answered_by_id = CosignState.requested, None, None
        existing.requested_by_id = actor.id
    db.session.flush()
    for membership in organization.representatives():
        notify(membership.user, "participation/cosign_request", organization=brief.organization.name,
               cosigner=organization.name, title=brief.title, round=brief.round.title, url=_brief_url(brief))
    return existing


def cancel_cosigner(brief: Brief, cosigner: BriefCosigner) -> None:
    _draft_only(brief)
    brief.cosigners.remove(cosigner)
    db.session.flush()


def answer_cosign(cosigner: BriefCosigner, actor: User, *, confirm: bool) -> bool:
    """Confirm or decline; the brief's representatives are told. False when nothing changed."""
    brief = cosigner.brief
    if brief.state is BriefState.withdrawn:
        raise BriefError(_("This brief was withdrawn: there is nothing to co-sign."))
    if brief.state is BriefState.submitted and not brief.round.is_open():
        raise BriefError(_("The round has closed: the signatories of this brief can no longer change."))
    state = CosignState.confirmed if confirm else CosignState.declined
    if cosigner.state is state:
        return False
    cosigner.state, cosigner.answered_at, cosigner.answered_by_id = state, now_utc(), actor.id
    db.session.flush()
    for membership in brief.organization.representatives():
        notify(membership.user, "participation/cosign_answer", organization=brief.organization.name,
               cosigner=cosigner.organization.name, title=brief.title, confirmed=confirm, url=_brief_url(brief))
    return True


# Submitting and withdrawing -------------------------------------------------------------------------


def content_digest(brief: Brief) -> str:
    """SHA-256 of a canonical JSON of what was submitted: anyone holding the same content finds the same
    digest, so the receipt proves what the establishment received."""
    payload = {
        "title": brief.title,
        "summary": brief.summary or "",
        "body": brief.body or "",
        "visibility": brief.visibility.value,
        "positions": sorted(
            ({"version_id": p.version_id, "item_uid": p.item_uid, "item_kind": p.item_kind,
              "stance": p.stance.value, "text": p.text or ""} for p in brief.positions),
            key=lambda p: (p["version_id"], p["item_uid"])),
        "attachments": [a.storage_key for a in sorted(brief.attachments, key=lambda a: (a.position, a.id))],
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _local_time(moment: datetime, lang: str) -> str:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return format_datetime(moment, "long", tzinfo=zone, locale=mail.LOCALES.get(lang, "fr_CA"))


def submit(brief: Brief, actor: User, at: datetime | None = None) -> bool:
    """Draft → submitted, with a receipt by e-mail to whoever submitted. False when it already was (a
    double-clicked button): nothing is sent twice."""
    if brief.state is BriefState.submitted:
        return False
    if brief.state is BriefState.withdrawn:
        raise BriefError(_("This brief was withdrawn; it cannot be submitted again. Start a new brief "
                           "while the round is open."))
    at = at or now_utc()
    late = timing_message(brief.round, at)
    if late:
        raise LateSubmission(late)
    if not (brief.body or "").strip() and not brief.attachments:
        raise BriefError(_("The brief is empty: write its text or attach a document before submitting it."),
                         field="body")
    brief.state, brief.submitted_at, brief.submitted_by_id = BriefState.submitted, at, actor.id
    brief.digest = content_digest(brief)
    db.session.flush()
    rounds.record_participation(brief.round, brief.organization)
    mail.send(actor.email, "participation/brief_receipt", lang=actor.locale, user_id=actor.id,
              round=brief.round.title, organization=brief.organization.name, title=brief.title,
              submitted=_local_time(at, actor.locale), digest=brief.digest,
              confidential=brief.visibility is BriefVisibility.confidential,
              attachments=[a.filename for a in brief.attachments],
              signatories=[c.organization.name for c in brief.signatories], url=_brief_url(brief))
    log.info("brief submitted", extra={"brief_id": brief.id, "round_id": brief.round_id, "digest": brief.digest})
    return True


def withdraw(brief: Brief, actor: User, at: datetime | None = None) -> bool:
    """Submitted → withdrawn while the round is open; the brief is kept for audit. False when it already was."""
    if brief.state is BriefState.withdrawn:
        return False
    if brief.state is BriefState.draft:
        raise BriefError(_("This brief is a draft: it was never submitted, so there is nothing to withdraw."))
    at = at or now_utc()
    if not brief.round.is_open(at):
        raise BriefError(_("The round closed on %(closes)s (Montréal time): a submitted brief can no longer be "
                           "withdrawn.", closes=datetime_filter(brief.round.closes_at)))
    brief.state, brief.withdrawn_at, brief.withdrawn_by_id = BriefState.withdrawn, at, actor.id
    db.session.flush()
    log.info("brief withdrawn", extra={"brief_id": brief.id, "round_id": brief.round_id})
    return True

