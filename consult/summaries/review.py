"""The planners' review of the themes the workers propose for a round.

Planners rename, approve, set aside, restore, merge and split the proposed themes, add their own, and keep
quotes as examples. Only approved themes are assigned to every input by the next compilation; the examples a
planner kept teach that assignment what each theme is about. A theme's key never changes, so the next
proposal recognizes a theme set aside and does not propose it again.

Every function flushes and never commits; every change records who reviewed and when. A refused action
raises `ReviewError` (a ValueError) with a message for the planner and, when it is about one form field, that
field's name; `StaleTheme` is the case of a theme a colleague merged or set aside since the page was shown.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from consult.core.db import db, now_utc
from consult.summaries.models import Theme, ThemeQuote, ThemeState

if TYPE_CHECKING:
    from consult.accounts.models import User
    from consult.rounds.models import ConsultationRound

LABEL_MAX = 200
DESCRIPTION_MAX = 2_000
EXAMPLES_MAX = 20          # kept quotes per theme: enough to teach, few enough to read
EXAMPLE_MAX = 2_000

ACTIVE_STATES = (ThemeState.proposed, ThemeState.approved)


class ReviewError(ValueError):
    """A refused review action. `field` names the form field the message belongs to (None: the form)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class StaleTheme(ReviewError):
    """The theme changed since the page was shown: a colleague merged it or set it aside."""


# ------------------------------------------------------------------------------------------------ checks


def _stamp(theme: Theme, user: User) -> None:
    theme.reviewed_by = user
    theme.reviewed_at = now_utc()


def _comparable(label: str) -> str:
    """Case, accents and spacing aside. Not analysis.fold: it drops every non-Latin letter, which would make
    all labels written in another script look the same."""
    decomposed = unicodedata.normalize("NFKD", label.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def _one_line(text: str | None) -> str:
    """Composed Unicode on one line: control characters go (PostgreSQL refuses NUL), runs of spaces become one."""
    text = unicodedata.normalize("NFC", text or "")
    return " ".join("".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text).split())


def _multiline(text: str | None) -> str:
    """Line breaks kept, other control characters dropped."""
    text = unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n"))
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


def clean_label(label: str | None) -> str:
    label = _one_line(label)
    if not label:
        raise ReviewError(_("Enter the theme's label."), "label")
    if len(label) > LABEL_MAX:
        raise ReviewError(_("The label is too long: at most %(max)d characters (it has %(n)d).",
                            max=LABEL_MAX, n=len(label)), "label")
    return label


def clean_description(description: str | None) -> str:
    description = _multiline(description)
    if len(description) > DESCRIPTION_MAX:
        raise ReviewError(_("The description is too long: at most %(max)d characters (it has %(n)d).",
                            max=DESCRIPTION_MAX, n=len(description)), "description")
    return description


def clean_examples(examples: Iterable[str]) -> list[str]:
    cleaned = [_one_line(example) for example in examples]
    cleaned = [example for example in cleaned if example]
    if len(cleaned) > EXAMPLES_MAX:
        raise ReviewError(_("At most %(max)d examples per theme (there are %(n)d).", max=EXAMPLES_MAX,
                            n=len(cleaned)), "examples")
    for number, example in enumerate(cleaned, start=1):
        if len(example) > EXAMPLE_MAX:
            raise ReviewError(_("Example %(number)d is too long: at most %(max)d characters (it has %(n)d).",
                                number=number, max=EXAMPLE_MAX, n=len(example)), "examples")
    return cleaned


def _check_unique_label(round_id: int, label: str, exclude: Theme | None = None) -> None:
    """Two active themes with one label could not be told apart, by planners or by the assignment."""
    wanted = _comparable(label)
    for theme in db.session.scalars(select(Theme).where(Theme.round_id == round_id,
                                                       Theme.state.in_(ACTIVE_STATES))):
        if theme is not exclude and _comparable(theme.label) == wanted:
            raise ReviewError(_("Another theme of this round is already called “%(label)s”. Choose another "
                                "label, or merge the two themes.", label=theme.label), "label")


def stale_message(theme: Theme) -> str:
    if theme.state is ThemeState.merged:
        if theme.merged_into is not None:
            return _("“%(label)s” was already merged into “%(into)s”, perhaps by a colleague. The list is up "
                     "to date now.", label=theme.label, into=theme.merged_into.label)
        return _("“%(label)s” was already merged into another theme, perhaps by a colleague. The list is up "
                 "to date now.", label=theme.label)
    return _("“%(label)s” was set aside, perhaps by a colleague. Restore it first if it should be kept.",
             label=theme.label)


def _require_active(theme: Theme) -> None:
    if theme.state not in ACTIVE_STATES:
        raise StaleTheme(stale_message(theme))


def _require_not_merged(theme: Theme) -> None:
    if theme.state is ThemeState.merged:
        raise StaleTheme(stale_message(theme))


def _new_key(round_id: int, label: str) -> str:
    """A key derived from the label, unique within the round (keys of every state count: they never change
    and a set-aside key must stay recognizable)."""
    # Imported here: the themes module loads numpy and scipy, which the web pages need nowhere else.
    from consult.summaries.themes import _slug, _unique_key

    taken = set(db.session.scalars(select(Theme.key).where(Theme.round_id == round_id)))
    return _unique_key(_slug(label) or "theme", taken)


def _next_position(round_id: int) -> int:
    last = db.session.scalar(select(func.max(Theme.position)).where(Theme.round_id == round_id))
    return (last if last is not None else -1) + 1


def _language(text: str) -> str:
    from consult.summaries.analysis import detect_language

    return detect_language(text)


# --------------------------------------------------------------------------------------------- one theme


def rename(theme: Theme, user: User, label: str | None, description: str | None) -> Theme:
    """A clearer label and description; the key stays, so recompilations still know the theme."""
    _require_not_merged(theme)
    label, description = clean_label(label), clean_description(description)
    if theme.state in ACTIVE_STATES:
        _check_unique_label(theme.round_id, label, exclude=theme)
    theme.label, theme.description = label, description
    _stamp(theme, user)
    db.session.flush()
    return theme


def approve(theme: Theme, user: User) -> Theme:
    if theme.state is ThemeState.discarded:
        raise StaleTheme(stale_message(theme))
    _require_not_merged(theme)
    theme.state = ThemeState.approved
    _stamp(theme, user)
    db.session.flush()
    return theme


def approve_all(round_: ConsultationRound, user: User) -> int:
    """Approve every theme still proposed; returns how many."""
    themes = list(db.session.scalars(select(Theme).where(Theme.round_id == round_.id,
                                                        Theme.state == ThemeState.proposed)))
    for theme in themes:
        theme.state = ThemeState.approved
        _stamp(theme, user)
    db.session.flush()
    return len(themes)


def discard(theme: Theme, user: User) -> Theme:
    """Set aside: not assigned, and not proposed again under the same key."""
    _require_not_merged(theme)
    theme.state = ThemeState.discarded
    _stamp(theme, user)
    db.session.flush()
    return theme


def restore(theme: Theme, user: User) -> Theme:
    """A theme set aside comes back as proposed, to be reviewed again."""
    _require_not_merged(theme)
    if theme.state is not ThemeState.discarded:
        raise ReviewError(_("“%(label)s” is not set aside: there is nothing to restore.", label=theme.label))
    _check_unique_label(theme.round_id, theme.label, exclude=theme)
    theme.state = ThemeState.proposed
    _stamp(theme, user)
    db.session.flush()
    return theme


def keep_quote(quote: ThemeQuote, user: User, kept: bool) -> ThemeQuote:
    """Keep a quote as an example of its theme (or stop keeping it): examples teach the assignment."""
    theme = quote.theme
    _require_not_merged(theme)
    if kept and not quote.kept and len(theme.examples) >= EXAMPLES_MAX:
        raise ReviewError(_("“%(label)s” already has %(max)d examples. Stop keeping one before keeping "
                            "another.", label=theme.label, max=EXAMPLES_MAX))
    quote.kept = kept
    _stamp(theme, user)
    db.session.flush()
    return quote


# ------------------------------------------------------------------------------------------ several themes


def _source_and_text(quote: ThemeQuote) -> tuple[Any, ...]:
    return (quote.source_kind, quote.source_id, quote.attachment_id, quote.page, quote.paragraph, quote.text)


def merge(themes: Sequence[Theme], into: Theme, user: User) -> Theme:
    """Merge `themes` into `into` (which may be among them). The others become "merged" and point to it;
    their quotes are copied to it, without duplicates, so the merged ones keep theirs for old links; its size
    becomes the sum of theirs, an estimate until the next compilation assigns the inputs again."""
    others: list[Theme] = []
    for theme in themes:
        if theme is not into and theme not in others:
            others.append(theme)
    if not others:
        raise ReviewError(_("Choose at least two themes to merge."), "themes")
    if any(theme.round_id != into.round_id for theme in others):
        raise ReviewError(_("Only themes of the same round can be merged."), "themes")
    for theme in (into, *others):
        _require_active(theme)

    seen = {_source_and_text(quote) for quote in into.quotes}
    position = max((quote.position for quote in into.quotes), default=-1) + 1
    phrases = list(into.keyphrases or [])
    for theme in others:
        for quote in theme.quotes:
            if _source_and_text(quote) in seen:
                continue
            seen.add(_source_and_text(quote))
            into.quotes.append(ThemeQuote(
                source_kind=quote.source_kind, source_id=quote.source_id, attachment_id=quote.attachment_id,
                page=quote.page, paragraph=quote.paragraph, text=quote.text, language=quote.language,
                score=quote.score, kept=quote.kept, position=position))
            position += 1
        phrases += [phrase for phrase in theme.keyphrases or [] if phrase not in phrases]
        into.size += theme.size
        theme.state = ThemeState.merged
        theme.merged_into = into
        _stamp(theme, user)
    into.keyphrases = phrases
    into.state = ThemeState.approved
    _stamp(into, user)
    # Themes merged earlier into one of the others now point to the one that remains, so every link resolves
    # to an active theme in one step.
    other_ids = [theme.id for theme in others]
    for earlier in db.session.scalars(select(Theme).where(Theme.merged_into_id.in_(other_ids))):
        earlier.merged_into = into
    db.session.flush()
    return into


def split(theme: Theme, quote_ids: Iterable[int], user: User, label: str | None,
          description: str | None) -> Theme:
    """A new approved theme takes the chosen quotes; the original keeps the rest. Sizes are shared in
    proportion to the quotes, an estimate until the next compilation assigns the inputs again."""
    _require_active(theme)
    wanted = set(quote_ids)
    chosen = [quote for quote in theme.quotes if quote.id in wanted]
    if not chosen:
        raise ReviewError(_("Choose the quotes that belong to the new theme."), "quotes")
    if len(chosen) == len(theme.quotes):
        raise ReviewError(_("Leave at least one quote with “%(label)s”: to rename it, edit it instead of "
                            "splitting it.", label=theme.label), "quotes")
    label, description = clean_label(label), clean_description(description)
    _check_unique_label(theme.round_id, label)

    size = theme.size * len(chosen) // len(theme.quotes)
    new = Theme(round_id=theme.round_id, key=_new_key(theme.round_id, label), label=label,
                description=description, state=ThemeState.approved, origin="split", language=theme.language,
                keyphrases=[], size=size, position=_next_position(theme.round_id))
    db.session.add(new)
    theme.size -= size
    for position, quote in enumerate(chosen):
        quote.theme = new        # moves it: the back-reference takes it out of the original's list
        quote.position = position
    for position, quote in enumerate(theme.quotes):
        quote.position = position
    _stamp(theme, user)
    _stamp(new, user)
    db.session.flush()
    return new


def add(round_: ConsultationRound, user: User, label: str | None, description: str | None,
        examples: Iterable[str]) -> Theme:
    """A planner's own theme, approved, with examples written by the planner (kept quotes with no source)."""
    label, description = clean_label(label), clean_description(description)
    texts = clean_examples(examples)
    _check_unique_label(round_.id, label)
    theme = Theme(round_id=round_.id, key=_new_key(round_.id, label), label=label, description=description,
                  state=ThemeState.approved, origin="planner",
                  language=_language(" ".join([label, description, *texts])), keyphrases=[], size=0,
                  position=_next_position(round_.id))
    for position, text in enumerate(texts):
        theme.quotes.append(ThemeQuote(source_kind="planner", text=text, language=_language(text), kept=True,
                                       position=position))
    _stamp(theme, user)
    db.session.add(theme)
    db.session.flush()
    return theme


def review_state(round_: ConsultationRound) -> dict[str, Any]:
    """How far the review went: {"proposed": n, "approved": n, "discarded": n, "merged": n, "total": n,
    "pending": True while a theme is still proposed}."""
    counts = dict(db.session.execute(select(Theme.state, func.count()).where(Theme.round_id == round_.id)
                                     .group_by(Theme.state)).tuples().all())
    state: dict[str, Any] = {s.value: int(counts.get(s, 0)) for s in ThemeState}
    state["total"] = sum(state[s.value] for s in ThemeState)
    state["pending"] = state[ThemeState.proposed.value] > 0
    return state
