"""Pages of compiled summaries: a summary (drafts for the planners only), the round's latest published summary,
its downloads (PDF, DOCX, JSON, XLSX, CSV), publishing, and the page that opens a quote's source."""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from consult.accounts.forms import EmptyForm
from consult.core import permissions
from consult.core.db import db
from consult.core.errors import acting_user as _user
from consult.core.pagination import paginate
from consult.core.ratelimits import limit_posts
from consult.i18n.locale import current_lang
from consult.participation.comments import queries as comment_queries
from consult.participation.models import Brief, BriefAttachment, Comment, ProposedNeed
from consult.rounds.models import ConsultationRound
from consult.storage import StorageError, get_storage
from consult.summaries import publishing, render
from consult.summaries.blueprint import bp
from consult.summaries.models import AttachmentText, Summary, SummaryState
from consult.summaries.render import document, labels

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
}
LANGUAGE_NAMES = (("fr", "Français"), ("en", "English"))
# Paragraphs shown around the quoted one when a text is long.
CONTEXT_PARAGRAPHS = 6


# Loading ------------------------------------------------------------------------------------------------


def _summary_or_404(summary_id: int) -> Summary:
    """A draft does not exist for those who may not read it."""
    found = db.get_or_404(Summary, summary_id)
    if not permissions.can(current_user, "summaries.read", found):
        abort(404)
    return found


def _round_or_404(round_id: int) -> ConsultationRound:
    round_ = db.get_or_404(ConsultationRound, round_id)
    if not permissions.can(current_user, "rounds.view", round_):
        abort(404)
    return round_


def _endpoint_url(endpoint: str, **values: Any) -> str | None:
    """A link to a page another part of the summaries module provides, once it exists."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


# The summary page ----------------------------------------------------------------------------------------


def _page(summary: Summary):
    round_ = summary.round
    planner = permissions.can(current_user, "summaries.oversee", round_)
    may_manage = permissions.can(current_user, "summaries.manage", round_)
    others_stmt = select(Summary).where(Summary.round_id == round_.id, Summary.id != summary.id)
    if not planner:
        others_stmt = others_stmt.where(Summary.state == SummaryState.published)
    others = paginate(others_stmt.order_by(Summary.number.desc()))
    return render_template(
        "summaries/summary/page.html", summary=summary, round=round_, doc=document.for_page(summary, planner=planner),
        L=labels, planner=planner, may_manage=may_manage,
        publish_problems=publishing.problems(summary) if may_manage and summary.state is SummaryState.draft else [],
        review_url=_endpoint_url("summaries.review", round_id=round_.id) if planner else None,
        jobs_url=_endpoint_url("summaries.jobs", round_id=round_.id) if planner else None,
        others=others, languages=LANGUAGE_NAMES,
        csv_tables=[(name, str(title)) for name, title in render.TABLES.items()])


@bp.get("/summaries/<int:summary_id>")
def summary(summary_id: int):
    return _page(_summary_or_404(summary_id))


def latest_published(round_: ConsultationRound) -> Summary | None:
    return db.session.scalar(select(Summary).where(Summary.round_id == round_.id,
                                                   Summary.state == SummaryState.published)
                             .order_by(Summary.published_at.desc().nulls_last(), Summary.number.desc()).limit(1))


@bp.get("/rounds/<int:round_id>/summary")
def round_summary(round_id: int):
    round_ = _round_or_404(round_id)
    found = latest_published(round_)
    if found is not None:
        return _page(found)
    planner = permissions.can(current_user, "summaries.oversee", round_)
    drafts = []
    if planner:
        drafts = list(db.session.scalars(select(Summary).where(Summary.round_id == round_.id)
                                         .order_by(Summary.number.desc()).limit(5)))
    return render_template("summaries/summary/none.html", round=round_, planner=planner, drafts=drafts,
                           jobs_url=_endpoint_url("summaries.jobs", round_id=round_.id) if planner else None)


# Downloads ---------------------------------------------------------------------------------------------


def _lang() -> str:
    asked = request.args.get("lang")
    return asked if asked in labels.LANGS else (current_lang() if current_lang() in labels.LANGS else "fr")


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-") or "consultation"


def _filename(summary: Summary, lang: str, extension: str, table: str | None = None) -> str:
    """"synthese-<round>-2-fr.pdf" / "summary-<round>-2-en.pdf": named in the file's language."""
    prefix = "synthese" if lang == "fr" else "summary"
    parts = [prefix, _slug(summary.round.title), str(summary.number)]
    if table:
        parts.append(table)
    parts.append(lang)
    return "-".join(parts) + "." + extension


def _send(summary: Summary, data: bytes, fmt: str, filename: str):
    response = send_file(io.BytesIO(data), mimetype=MEDIA_TYPES[fmt], as_attachment=True, download_name=filename,
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if summary.state is SummaryState.draft:
        response.headers["Cache-Control"] = "private, no-cache"  # never in a shared cache
    else:
        response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _stored_or_rendered(summary: Summary, fmt: str, lang: str) -> bytes:
    """The file the worker stored, else a fresh rendering (a missing stored file is not an error)."""
    key = (summary.files or {}).get(f"{fmt}:{lang}")
    if key:
        try:
            return get_storage().read(key)
        except StorageError:
            current_app.logger.warning("summary %s: stored %s:%s file %s unreadable; rendering it again",
                                       summary.id, fmt, lang, key)
    return render.pdf_bytes(summary, lang) if fmt == "pdf" else render.docx_bytes(summary, lang)


@bp.get("/summaries/<int:summary_id>/download/<fmt>")
def download(summary_id: int, fmt: str):
    if fmt not in ("pdf", "docx", "json", "xlsx"):
        abort(404)
    found = _summary_or_404(summary_id)
    lang = _lang()
    if fmt == "json":
        return _send(found, render.json_bytes(found), "json", _filename(found, lang, "json"))
    if fmt == "xlsx":
        return _send(found, render.xlsx_bytes(found, lang), "xlsx", _filename(found, lang, "xlsx"))
    return _send(found, _stored_or_rendered(found, fmt, lang), fmt, _filename(found, lang, fmt))


@bp.get("/summaries/<int:summary_id>/download/csv/<table>")
def download_csv(summary_id: int, table: str):
    if table not in render.TABLES:
        abort(404)
    found = _summary_or_404(summary_id)
    lang = _lang()
    return _send(found, render.csv_bytes(found, table, lang), "csv", _filename(found, lang, "csv", table))


# Publishing --------------------------------------------------------------------------------------------


@bp.post("/summaries/<int:summary_id>/publish")
@login_required
@limit_posts
def publish(summary_id: int):
    found = _summary_or_404(summary_id)
    permissions.require(current_user, "summaries.manage", found.round)
    back = url_for("summaries.summary", summary_id=found.id)
    if not EmptyForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(back)
    try:
        moved = publishing.publish(found, _user())
    except publishing.PublishRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(back)
    db.session.commit()
    message = _("The summary is published. The people who follow the project were told.")
    if moved:
        message += " " + _("The round is now marked as summarized.")
    flash(message, "success")
    return redirect(back)


# The source of a quote ---------------------------------------------------------------------------------


def _arg(name: str) -> int | None:
    value = request.args.get(name, type=int)
    return value if value is not None and value > 0 else None


def _window(passages: list[tuple[int, str]], quoted: int | None) -> tuple[list[tuple[int, str]], bool]:
    """The paragraphs to show: all of a short text; around the quoted one in a long one. Returns (shown, cut)."""
    limit = 2 * CONTEXT_PARAGRAPHS + 1
    if len(passages) <= limit:
        return passages, False
    if quoted is None:
        return passages[:limit], True
    index = next((i for i, (number, _text) in enumerate(passages) if number == quoted), 0)
    start = max(0, index - CONTEXT_PARAGRAPHS)
    return passages[start:start + limit], True


def _brief_source(round_: ConsultationRound, brief_id: int):
    brief = db.get_or_404(Brief, brief_id)
    if brief.round_id != round_.id or not permissions.can(current_user, "brief.read", brief):
        abort(404)
    attachment_id, page, quoted = _arg("attachment_id"), _arg("page"), _arg("paragraph")
    attachment = None
    extracted = None
    if attachment_id is not None:
        attachment = db.session.get(BriefAttachment, attachment_id)
        if attachment is None or attachment.brief_id != brief.id:
            abort(404)
        extracted = db.session.get(AttachmentText, attachment.storage_key)
        rows = (extracted.passages or []) if extracted is not None and extracted.status == "ok" else []
        passages = [(int(row[1]), str(row[2])) for row in rows
                    if len(row) >= 3 and (page is None or row[0] == page)]
    else:
        # Numbered exactly as the pipeline numbered them when it quoted the brief (imported here: the
        # pipeline's text analysis is heavy to load and only this page needs it).
        from consult.summaries.pipeline import paragraphs

        passages = list(enumerate(paragraphs(brief.body), start=1))
    shown, cut = _window(passages, quoted)
    found = quoted is not None and any(number == quoted for number, _text in shown)
    return render_template(
        "summaries/summary/source.html", round=round_, brief=brief, attachment=attachment, extracted=extracted,
        page=page, asked=quoted, quoted=quoted if found else None, paragraphs=shown, cut=cut,
        anchor_prefix=f"page-{page}-paragraph-" if page is not None else "paragraph-")


@bp.get("/rounds/<int:round_id>/sources/<kind>/<int:source_id>")
def source(round_id: int, kind: str, source_id: int):
    round_ = _round_or_404(round_id)
    if kind == "comment":
        comment = db.get_or_404(Comment, source_id)
        if comment.round_id != round_.id:
            abort(404)
        return redirect(comment_queries.where_it_appears(comment))
    if kind == "proposed_need":
        proposed = db.get_or_404(ProposedNeed, source_id)
        if proposed.round_id != round_.id:
            abort(404)
        return redirect(url_for("participation.proposed_need", proposed_need_id=proposed.id))
    if kind == "brief":
        return _brief_source(round_, source_id)
    abort(404)
