"""The reader's-language words of a compiled summary: labels of the keys stored in `Content`, and the
sentences every rendering (page, PDF, DOCX, data exports) shares, so that they all say the same thing.

Content holds keys and numbers only; these functions turn them into words in the current locale (a request's,
or the one `flask_babel.force_locale` sets for a file). Quotes are never translated.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.organizations.models import KIND_LABELS
from consult.participation.models import (
    OUTCOME_LABELS,
    PROPOSED_NEED_STATE_LABELS,
    STANCE_LABELS,
    ParticipantProfile,
)
from consult.projects.kinds import KINDS
from consult.projects.models import STEP_TITLES
from consult.rounds.models import ROUND_STATE_LABELS
from consult.summaries.content import SUPPRESS_BELOW
from consult.summaries.extraction import message_for
from consult.summaries.models import SUMMARY_STATE_LABELS, THEME_STATE_LABELS

LOCALES = {"fr": "fr_CA", "en": "en_CA"}
LANGS = tuple(LOCALES)

PARTICIPANT_KIND_LABELS = {"citizen": _l("Citizens"), "organization": _l("Organizations")}

AGREEMENT_LABELS = {
    "consensus": _l("Agreement: every position taken goes the same way"),
    "disagreement": _l("Lasting disagreement: the item is both supported and opposed"),
    "mixed": _l("Changes asked, no opposition"),
    "none": _l("No organization took a position"),
}

# Who holds each side, as a heading above the organizations.
STANCE_HEADINGS = {
    "support": _l("Support it"),
    "oppose": _l("Oppose it"),
    "amend": _l("Ask for changes"),
}

EXTRACTION_STATUS_LABELS = {
    "ok": _l("Read"),
    "no_text_layer": _l("No text, only images"),
    "encrypted": _l("Protected by a password"),
    "unreadable": _l("Unreadable"),
    "too_large": _l("Too large"),
    "timeout": _l("Took too long to read"),
}

# Participation tables: (key in Content.participation, dimension of its keys, caption).
PARTICIPATION_TABLES: tuple[tuple[str, str, Any], ...] = (
    ("by_kind", "participant_kind", _l("Participants by kind")),
    ("by_organization_kind", "organization_kind", _l("Organizations that submitted a brief, by kind")),
    ("by_area", "area", _l("Participants by local area")),
    ("by_age_band", "age_band", _l("Participants by age group (those who chose to say)")),
    ("by_gender", "gender", _l("Participants by gender (those who chose to say)")),
    ("by_population_group", "population_group", _l("Participants by population group (those who chose to say)")),
)

SECTION_TITLES = {
    "about": _l("About this summary"),
    "participation": _l("Who took part"),
    "themes": _l("Themes"),
    "items": _l("Items in consultation"),
    "agreements": _l("Agreements and lasting disagreements"),
    "campaigns": _l("Texts sent by many people"),
    "proposed_needs": _l("Needs people found missing"),
    "answers": _l("Answers given so far"),
    "problems": _l("Documents that could not be read"),
}


def _by_value(labels: dict[Any, Any]) -> dict[str, Any]:
    return {getattr(key, "value", key): value for key, value in labels.items()}


_DIMENSIONS: dict[str, dict[str, Any]] = {
    "participant_kind": PARTICIPANT_KIND_LABELS,
    "organization_kind": _by_value(KIND_LABELS),
    "age_band": ParticipantProfile.AGE_BANDS,
    "gender": ParticipantProfile.GENDERS,
    "population_group": ParticipantProfile.POPULATION_GROUPS,
    "outcome": _by_value(OUTCOME_LABELS),
    "stance": _by_value(STANCE_LABELS),
    "agreement": AGREEMENT_LABELS,
    "extraction": EXTRACTION_STATUS_LABELS,
    "round_state": _by_value(ROUND_STATE_LABELS),
    "summary_state": _by_value(SUMMARY_STATE_LABELS),
    "theme_state": _by_value(THEME_STATE_LABELS),
    "proposed_need_state": _by_value(PROPOSED_NEED_STATE_LABELS),
    "step": {str(number): title for number, title in STEP_TITLES.items()},
    "item_kind": {key: kind.label for key, kind in KINDS.items()},
}


def label(dimension: str, key: Any) -> str:
    """The label of `key` (an enum value, a step number…) in the current language. A key the code does not
    know (a later version's value) is shown as it is rather than hidden."""
    if key is None:
        return _("Not stated")
    found = _DIMENSIONS.get(dimension, {}).get(str(key))
    return str(found) if found is not None else str(key)


def count_label(dimension: str, count: dict[str, Any]) -> str:
    """The row label of a `Count`: its own label when it carries one (territory names), else the key's."""
    if count.get("key") is None:
        return _("Not stated")
    if count.get("label"):
        return str(count["label"])
    return label(dimension, count["key"])


def number(value: int | float | None) -> str:
    return "" if value is None else format_decimal(value, format="#,##0.##")


def suppressed_text() -> str:
    return _("fewer than %(n)d", n=SUPPRESS_BELOW)


def count_shown(count: dict[str, Any]) -> str:
    """A count as shown to readers: the number, or "fewer than 5" for a suppressed cell."""
    if count.get("suppressed") or count.get("value") is None:
        return suppressed_text()
    return number(count["value"])


def suppression_note() -> str:
    return _("Groups of fewer than %(n)d people are not counted exactly, so that nobody can be recognized in "
             "a small group.", n=SUPPRESS_BELOW)


def when(value: str | None) -> datetime | None:
    """An ISO 8601 time of the content as an aware datetime (None when absent or malformed)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def step_heading(step: int) -> str:
    return _("Step %(n)d: %(title)s", n=step, title=label("step", step))


def extraction_message(problem: dict[str, Any]) -> str:
    """The planner's message for a file that could not be read (the same words as on the job page)."""
    status = problem.get("status") or "unreadable"
    limit = problem.get("limit") or 0
    return str(message_for(status, pages=problem.get("pages") or 0, limit=limit, seconds=limit,
                           reason=problem.get("reason") or ""))


# Sentences ------------------------------------------------------------------------------------------------


def totals_sentence(totals: dict[str, Any]) -> str:
    if totals.get("participants") is None:
        return _("Participants gave %(comments)s comments (in %(threads)s threads), %(briefs)s briefs, %(needs)s "
                 "proposed needs and %(supports)s supports.",
                 comments=number(totals.get("comments", 0)), threads=number(totals.get("threads", 0)),
                 briefs=number(totals.get("briefs", 0)), needs=number(totals.get("proposed_needs", 0)),
                 supports=number(totals.get("supports", 0)))
    return _("%(participants)s participants gave %(comments)s comments (in %(threads)s threads), %(briefs)s "
             "briefs, %(needs)s proposed needs and %(supports)s supports.",
             participants=number(totals.get("participants", 0)), comments=number(totals.get("comments", 0)),
             threads=number(totals.get("threads", 0)), briefs=number(totals.get("briefs", 0)),
             needs=number(totals.get("proposed_needs", 0)), supports=number(totals.get("supports", 0)))


def briefs_sentence(totals: dict[str, Any]) -> str:
    return _("%(confidential)s of the briefs are confidential: they count in every number but are never quoted. "
             "%(attachments)s attached documents were read (%(pages)s pages).",
             confidential=number(totals.get("confidential_briefs", 0)),
             attachments=number(totals.get("attachments", 0)), pages=number(totals.get("pages_read", 0)))


def unthemed_sentence(totals: dict[str, Any]) -> str:
    """Inputs that carry no theme are said, not hidden: a reader can judge how much the themes cover."""
    if "unthemed" not in totals:
        return ""
    return _("%(count)s inputs carry none of these themes; they are counted everywhere else in this summary.",
             count=number(totals.get("unthemed", 0)))


def theme_counts(theme: dict[str, Any]) -> str:
    return _("%(count)s inputs: %(comments)s comments, %(briefs)s briefs, %(needs)s proposed needs.",
             count=number(theme.get("count", 0)), comments=number(theme.get("comments", 0)),
             briefs=number(theme.get("briefs", 0)), needs=number(theme.get("proposed_needs", 0)))


def item_counts(item: dict[str, Any]) -> str:
    return _("%(supports)s supports and %(comments)s comments.", supports=number(item.get("supports", 0)),
             comments=number(item.get("comments", 0)))


def campaign_count(campaign: dict[str, Any]) -> str:
    return _("Received %(count)s times, almost word for word. Shown once:", count=number(campaign.get("count", 0)))


def theme_ref(ref: dict[str, Any]) -> str:
    return _("%(label)s (%(count)s)", label=ref.get("label", ""), count=number(ref.get("count", 0)))


def answers_sentence(answers: dict[str, Any]) -> str:
    return _("%(answered)s inputs have an answer; %(unanswered)s are still waiting for one.",
             answered=number(answers.get("answered", 0)), unanswered=number(answers.get("unanswered", 0)))


def holder_text(holder: dict[str, Any]) -> str:
    if holder.get("confidential"):
        return _("%(name)s (confidential brief: named for the establishment only)", name=holder.get("name", ""))
    return str(holder.get("name", ""))


def source_text(source: dict[str, Any]) -> str:
    """Where a quote comes from, in words: "Brief of X, report.pdf, page 3, paragraph 2"."""
    kind = source.get("kind")
    who = source.get("label") or ""
    if kind == "comment":
        return _("Comment by %(name)s", name=who) if who else _("Comment by a citizen")
    if kind == "proposed_need":
        return _("Need proposed by %(name)s", name=who) if who else _("Need proposed by a citizen")
    if kind == "planner":
        return _("Example written by the planners")
    parts = [_("Brief of %(name)s", name=who) if who else _("Brief")]
    if source.get("attachment_id") is not None:
        parts.append(source.get("filename") or _("attached document"))
    if source.get("page") is not None:
        parts.append(_("page %(n)d", n=source["page"]))
    if source.get("paragraph") is not None:
        parts.append(_("paragraph %(n)d", n=source["paragraph"]))
    return ", ".join(str(part) for part in parts)
