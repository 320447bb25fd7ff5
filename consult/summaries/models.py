"""What the summary pipeline keeps: compilation jobs people watch, the caches that let a recompilation redo
only what changed, the themes planners review, and the compiled summaries they publish.

A summary's content is one JSON document (see `consult.summaries.content`) compiled from the inputs and the
themes at one moment; it is never edited in place. A new compilation makes a new summary; publishing one
makes it the round's public summary, and earlier ones stay readable.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Enum, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.db import Timestamps, UTCDateTime, db, now_utc

if TYPE_CHECKING:
    from consult.accounts.models import User
    from consult.rounds.models import ConsultationRound


def _enum(kind: type[enum.Enum], length: int = 20) -> Enum:
    return Enum(kind, native_enum=False, length=length)


# ------------------------------------------------------------------------------------------------------- jobs


class JobState(enum.Enum):
    queued = "queued"          # waiting for a worker
    running = "running"        # a worker holds it and beats its heart
    succeeded = "succeeded"
    failed = "failed"          # gave up after its retries; `error` says why, in words for a planner
    cancelled = "cancelled"


ACTIVE_JOB_STATES = (JobState.queued, JobState.running)

JOB_STATE_LABELS = {
    JobState.queued: _l("Waiting for a worker"),
    JobState.running: _l("Running"),
    JobState.succeeded: _l("Finished"),
    JobState.failed: _l("Failed"),
    JobState.cancelled: _l("Cancelled"),
}

# Stages in the order a compilation goes through them.
STAGES = ("waiting", "extracting", "analysing", "assigning", "themes", "compiling", "rendering", "done")
STAGE_LABELS = {
    "waiting": _l("Waiting"),
    "extracting": _l("Reading attachments"),
    "analysing": _l("Analysing the inputs"),
    "assigning": _l("Assigning the themes"),
    "themes": _l("Finding themes"),
    "compiling": _l("Compiling the summary"),
    "rendering": _l("Producing the PDF and DOCX files"),
    "done": _l("Done"),
}


class SummaryJob(db.Model):
    """One compilation of one round, from the click (or beat's tick) to its summary.

    At most one job per round is queued or running at a time (a partial unique index), so two workers never
    compile the same round at once; a worker takes a job with a conditional UPDATE and proves it still holds
    it by its heartbeat. A job whose worker died (heartbeat too old) is taken over by the next delivery."""

    __tablename__ = "summary_jobs"
    __table_args__ = (
        Index("uq_summary_jobs_one_active_per_round", "round_id", unique=True,
              sqlite_where=text("state IN ('queued', 'running')"),
              postgresql_where=text("state IN ('queued', 'running')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("consultation_rounds.id", ondelete="CASCADE"), index=True)
    state: Mapped[JobState] = mapped_column(_enum(JobState), default=JobState.queued, index=True)
    stage: Mapped[str] = mapped_column(String(20), default="waiting")
    progress: Mapped[int] = mapped_column(Integer, default=0)       # 0–100, over the whole job
    done: Mapped[int] = mapped_column(Integer, default=0)           # units done in the current stage
    total: Mapped[int] = mapped_column(Integer, default=0)          # units in the current stage
    trigger: Mapped[str] = mapped_column(String(20), default="manual")  # manual | periodic | closing
    outcome: Mapped[str | None] = mapped_column(String(20))          # compiled | unchanged
    error: Mapped[str | None] = mapped_column(Text)                  # for planners; details go to the logs
    input_digest: Mapped[str | None] = mapped_column(String(64))     # of the inputs and approved themes
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    worker: Mapped[str | None] = mapped_column(String(200))           # hostname and pid of the holder
    attempts: Mapped[int] = mapped_column(Integer, default=0)         # how many times a worker took it
    cancel_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    round: Mapped[ConsultationRound] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_JOB_STATES

    @property
    def state_label(self) -> str:
        return str(JOB_STATE_LABELS[self.state])

    @property
    def stage_label(self) -> str:
        return str(STAGE_LABELS.get(self.stage, self.stage))


# ----------------------------------------------------------------------------------------------------- caches


class AttachmentText(db.Model):
    """The text of one attachment, by the SHA-256 of its bytes (its storage key): read once, whatever the
    number of briefs or compilations that use it. Also the work list of parallel extraction: a worker claims
    a row (`claimed_by`, `claimed_at`) with a conditional UPDATE; a claim older than the extraction time limit
    is taken over."""

    __tablename__ = "attachment_texts"

    storage_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | extraction.STATUSES
    pages: Mapped[int] = mapped_column(Integer, default=0)
    passages: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)  # [[page or null, paragraph, text]]
    detail: Mapped[str | None] = mapped_column(Text)      # technical reason, for logs and admins
    reason: Mapped[str | None] = mapped_column(String(20))  # to rebuild the planner's message (message_for)
    limit: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extracted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class InputAnalysis(db.Model):
    """The analysis of one text (language, sentences, lemmas, keyphrases), by `analysis.cache_key`: the
    pipeline version and the digest of the normalized text. An unchanged input is never analysed twice."""

    __tablename__ = "input_analyses"

    cache_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)


class ThemeScorerState(db.Model):
    """The fitted assignment model (themes.ThemeScorer, pickled) of one set of approved themes of a round.

    Fitted once, at the first compilation after the approved themes change, then reused: a recompilation
    scores only its new inputs, and gives every other input the score a full run would. Written and read by
    the workers alone, never from anything a user sent."""

    __tablename__ = "summary_scorers"
    __table_args__ = (UniqueConstraint("round_id", "themes_digest", name="uq_summary_scorers_round_digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("consultation_rounds.id", ondelete="CASCADE"), index=True)
    themes_digest: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)


# ----------------------------------------------------------------------------------------------------- themes


class ThemeState(enum.Enum):
    proposed = "proposed"      # found by the workers, not reviewed yet
    approved = "approved"      # a planner approved it: assigned to every input from now on
    discarded = "discarded"    # a planner set it aside; never proposed again under the same key
    merged = "merged"          # merged into another theme (`merged_into_id`); kept so links still resolve


THEME_STATE_LABELS = {
    ThemeState.proposed: _l("Proposed, not reviewed"),
    ThemeState.approved: _l("Approved"),
    ThemeState.discarded: _l("Set aside"),
    ThemeState.merged: _l("Merged"),
}


class Theme(Timestamps, db.Model):
    """A theme of one round. Workers propose them (origin "workers"); planners rename, merge, split, set
    aside or add their own (origin "planner"); only approved themes are assigned to the inputs."""

    __tablename__ = "summary_themes"
    __table_args__ = (UniqueConstraint("round_id", "key", name="uq_summary_themes_round_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("consultation_rounds.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))        # stable: from the first label, never renamed
    label: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[ThemeState] = mapped_column(_enum(ThemeState), default=ThemeState.proposed)
    origin: Mapped[str] = mapped_column(String(20), default="workers")   # workers | planner | split | merge
    language: Mapped[str] = mapped_column(String(2), default="fr")      # of the label as proposed
    keyphrases: Mapped[list[str]] = mapped_column(JSON, default=list)
    size: Mapped[int] = mapped_column(Integer, default=0)               # inputs when last proposed/assigned
    position: Mapped[int] = mapped_column(Integer, default=0)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("summary_themes.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    round: Mapped[ConsultationRound] = relationship()
    quotes: Mapped[list[ThemeQuote]] = relationship(back_populates="theme", cascade="all, delete-orphan",
                                                    order_by="ThemeQuote.position")
    merged_into: Mapped[Theme | None] = relationship(remote_side=[id])
    reviewed_by: Mapped[User | None] = relationship()

    @property
    def state_label(self) -> str:
        return str(THEME_STATE_LABELS[self.state])

    @property
    def examples(self) -> list[ThemeQuote]:
        """The quotes a planner kept: they teach assignment what the theme is about."""
        return [quote for quote in self.quotes if quote.kept]


class ThemeQuote(db.Model):
    """A passage quoted for a theme, verbatim, with the exact place it comes from: a comment, a proposed need,
    or a brief (its body's paragraph, or an attachment's page and paragraph). `kept` quotes are the theme's
    examples; a planner-written example has source_kind "planner" and no source."""

    __tablename__ = "summary_theme_quotes"

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("summary_themes.id", ondelete="CASCADE"), index=True)
    source_kind: Mapped[str] = mapped_column(String(20))    # comment | brief | proposed_need | planner
    source_id: Mapped[int | None] = mapped_column(Integer)
    attachment_id: Mapped[int | None] = mapped_column(Integer)   # a brief's attachment, or null for its body
    page: Mapped[int | None] = mapped_column(Integer)            # 1-based page of a PDF
    paragraph: Mapped[int | None] = mapped_column(Integer)       # 1-based paragraph (of the page, or the text)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2), default="fr")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    kept: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)

    theme: Mapped[Theme] = relationship(back_populates="quotes")

    def source(self) -> dict[str, Any]:
        """The source reference of `consult.summaries.content` (resolved to a link by `content.source_url`)."""
        return {"kind": self.source_kind, "id": self.source_id, "attachment_id": self.attachment_id,
                "page": self.page, "paragraph": self.paragraph}


# -------------------------------------------------------------------------------------------------- summaries


class SummaryState(enum.Enum):
    draft = "draft"            # compiled; planners review and answer it
    published = "published"    # public; the latest published one is the round's summary


SUMMARY_STATE_LABELS = {
    SummaryState.draft: _l("Draft"),
    SummaryState.published: _l("Published"),
}


class Summary(db.Model):
    """One compiled summary of a round: `content` is the whole document (see consult.summaries.content), and
    `files` the storage keys of its renderings ("pdf:fr", "pdf:en", "docx:fr", "docx:en")."""

    __tablename__ = "summaries"
    __table_args__ = (UniqueConstraint("round_id", "number", name="uq_summaries_round_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("consultation_rounds.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)    # 1, 2, … within the round
    # The job that compiled it: unique, so a job redelivered after its commit cannot make a second summary.
    job_id: Mapped[int | None] = mapped_column(ForeignKey("summary_jobs.id", ondelete="SET NULL"), unique=True)
    state: Mapped[SummaryState] = mapped_column(_enum(SummaryState), default=SummaryState.draft)
    input_digest: Mapped[str] = mapped_column(String(64))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    files: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    round: Mapped[ConsultationRound] = relationship()
    job: Mapped[SummaryJob | None] = relationship()
    published_by: Mapped[User | None] = relationship()
    assignments: Mapped[list[ThemeAssignment]] = relationship(back_populates="summary", cascade="all, delete-orphan",
                                                              passive_deletes=True, lazy="raise_on_sql")

    @property
    def state_label(self) -> str:
        return str(SUMMARY_STATE_LABELS[self.state])


class ThemeAssignment(db.Model):
    """Which inputs carry which theme in one summary (an input may carry several): the list behind each
    theme's count, so a reader can open every input counted."""

    __tablename__ = "summary_assignments"
    __table_args__ = (Index("ix_summary_assignments_theme", "summary_id", "theme_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    summary_id: Mapped[int] = mapped_column(ForeignKey("summaries.id", ondelete="CASCADE"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("summary_themes.id", ondelete="CASCADE"))
    source_kind: Mapped[str] = mapped_column(String(20))    # comment | brief | proposed_need
    source_id: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float, default=0.0)

    summary: Mapped[Summary] = relationship(back_populates="assignments")
    theme: Mapped[Theme] = relationship()
