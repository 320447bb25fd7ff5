"""What the equity lens keeps: the tags put on inputs (suggested by the pipeline, confirmed or rejected by a
person), the local code lists an establishment adds to the built-in taxonomy, and a project's rule for
reading population figures in its needs portrait.

Tags point to an input by (kind, id), like dispositions. A tag's key is stable text: a built-in key of
`consult.equity.taxonomy` or "local:<id>" for a local tag. Nothing here is deleted by a person: a rejected
tag keeps its row (so the pipeline never suggests it again), and a local tag is retired, never removed, so
that old inputs still show what they were tagged with.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Enum, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.db import Timestamps, UTCDateTime, db, now_utc
from consult.participation.models import Brief, Comment, InputKind, ProposedNeed

if TYPE_CHECKING:
    from consult.accounts.models import User
    from consult.rounds.models import ConsultationRound
    from consult.territories.models import Establishment

JUSTIFICATION_MAX = 500
LOCAL_PREFIX = "local:"


def _enum(kind: type[enum.Enum], length: int = 20) -> Enum:
    return Enum(kind, native_enum=False, length=length)


class TagState(enum.Enum):
    suggested = "suggested"    # proposed by the summary pipeline; counts nowhere until a person confirms it
    confirmed = "confirmed"    # put or confirmed by a person
    rejected = "rejected"      # a person said no (or took a tag back); never suggested again


TAG_STATE_LABELS = {
    TagState.suggested: _l("Suggested, not reviewed"),
    TagState.confirmed: _l("Confirmed"),
    TagState.rejected: _l("Rejected"),
}


class TagOrigin(enum.Enum):
    pipeline = "pipeline"      # suggested by keyword matching when the summary is compiled
    person = "person"          # put by the author or a planner


class InputTag(db.Model):
    """One tag on one input. One row per (input, tag): its state moves, it is never duplicated."""

    __tablename__ = "equity_input_tags"
    __table_args__ = (
        UniqueConstraint("input_kind", "input_id", "tag", name="uq_equity_input_tags_input_tag"),
        Index("ix_equity_input_tags_round_state", "round_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("consultation_rounds.id", ondelete="CASCADE"))
    input_kind: Mapped[InputKind] = mapped_column(_enum(InputKind))
    input_id: Mapped[int] = mapped_column(Integer)
    tag: Mapped[str] = mapped_column(String(80))
    justification: Mapped[str | None] = mapped_column(String(JUSTIFICATION_MAX))
    state: Mapped[TagState] = mapped_column(_enum(TagState), default=TagState.suggested)
    origin: Mapped[TagOrigin] = mapped_column(_enum(TagOrigin), default=TagOrigin.person)
    score: Mapped[float | None] = mapped_column(Float)       # of a suggestion: keyword evidence, 0–1
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    round: Mapped[ConsultationRound] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def state_label(self) -> str:
        return str(TAG_STATE_LABELS[self.state])

    @property
    def is_suggested(self) -> bool:
        return self.state is TagState.suggested

    @property
    def is_confirmed(self) -> bool:
        return self.state is TagState.confirmed


class LocalGroup(enum.Enum):
    """Where an establishment's own tag sits: beside the social relations, beside the community types, or
    in a code list of its own."""

    social_relation = "social_relation"
    community = "community"
    local = "local"


class LocalTag(Timestamps, db.Model):
    """A tag an establishment's planners add, with their own labels and keywords. Retired, never deleted."""

    __tablename__ = "equity_local_tags"
    __table_args__ = (UniqueConstraint("establishment_id", "code", name="uq_equity_local_tags_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishments.id", ondelete="CASCADE"),
                                                  index=True)
    group: Mapped[LocalGroup] = mapped_column(_enum(LocalGroup))
    list_name: Mapped[str | None] = mapped_column(String(120))   # the code list's name, for group "local"
    code: Mapped[str] = mapped_column(String(40))
    label_fr: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120))
    keywords_fr: Mapped[str] = mapped_column(Text, default="")   # comma-separated; "isol*" matches a prefix
    keywords_en: Mapped[str] = mapped_column(Text, default="")
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    establishment: Mapped[Establishment] = relationship()

    @property
    def key(self) -> str:
        return f"{LOCAL_PREFIX}{self.id}"

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    def label_for(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_fr

    def keywords(self) -> dict[str, tuple[str, ...]]:
        return {"fr": split_keywords(self.keywords_fr), "en": split_keywords(self.keywords_en)}


def split_keywords(text: str | None) -> tuple[str, ...]:
    return tuple(k.strip() for k in (text or "").replace("\n", ",").split(",") if k.strip())


class EquitySettings(Timestamps, db.Model):
    """How the equity lens reads one project's needs portrait. Absent: the defaults of
    `consult.equity.representativeness` (indicators named "population", threshold 0.5)."""

    __tablename__ = "equity_settings"

    project_id: Mapped[int] = mapped_column(ForeignKey("clinical_projects.id", ondelete="CASCADE"),
                                            primary_key=True)
    # An indicator is a population figure when its name holds this word (accents and case aside) and its
    # unit is a count, not a rate.
    population_keyword: Mapped[str] = mapped_column(String(60), default="population")
    # A group whose share of participants is below this fraction of its share of the population is
    # flagged as under-represented.
    threshold: Mapped[float] = mapped_column(Float, default=0.5)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


@dataclass(frozen=True)
class Target:
    """The input a tag is put on, with the round it belongs to: what the tagging rules look at."""

    kind: InputKind
    obj: Any   # Brief | Comment | ProposedNeed

    @property
    def id(self) -> int:
        return self.obj.id

    @property
    def round(self) -> ConsultationRound:
        return self.obj.round

    @property
    def author_id(self) -> int | None:
        return self.obj.author_id

    @classmethod
    def of(cls, obj: Brief | Comment | ProposedNeed) -> Target:
        kind = (InputKind.brief if isinstance(obj, Brief) else InputKind.comment if isinstance(obj, Comment)
                else InputKind.proposed_need)
        return cls(kind, obj)
