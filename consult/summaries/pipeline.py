"""One compilation of a round, stage by stage: read the attachments, analyse every input (once, by its
content digest), find and assign themes, compile the counts and positions, and store the summary.

A compilation is either *full* (the compile button, and the closing of a round) or *periodic* (beat's
recompilation of open rounds). Both give every input the themes a full run would: approved themes are scored
by a model fitted once per set of approved themes (ThemeScorerState) and scores are cached per input digest.
A full compilation also proposes new themes from the inputs no approved theme covers, and finds campaigns
among all texts; a periodic one keeps the proposals it finds and attaches new copies to known campaigns.

Same inputs and same approved themes give the same summary: every step is seeded or ordered, and a rerun whose
input digest (texts, themes, and every count the summary shows) equals the latest summary's writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

from consult.core.db import db, insert_ignoring_duplicates, now_utc
from consult.equity.summary_section import equity_section
from consult.participation.models import Brief, BriefState, BriefVisibility, Comment, ProposedNeed
from consult.rounds.models import ConsultationRound
from consult.summaries import compile as aggregate
from consult.summaries import extracting, jobs
from consult.summaries.analysis import PIPELINE_VERSION, Analysis, analyse_many, cache_key, digest, near_duplicates
from consult.summaries.models import (
    AttachmentText,
    InputAnalysis,
    JobState,
    Summary,
    SummaryJob,
    Theme,
    ThemeAssignment,
    ThemeQuote,
    ThemeScorerState,
    ThemeState,
)
from consult.summaries.themes import ApprovedTheme, ThemeScorer, propose_themes

log = logging.getLogger("consult.summaries")

MIN_WORDS = 4            # a passage shorter than this ("Page 2", a signature) says nothing to analyse
CHUNK = 2_000            # inputs analysed or scored between two heartbeats
QUOTES_PER_THEME = 3
CAMPAIGNS_SHOWN = 100     # the largest ones; the totals count them all
QUOTE_MAX_CHARS = 600
# With approved themes, new ones are proposed only from at least this many uncovered inputs, and this share.
PROPOSE_MIN_INPUTS = 20
PROPOSE_MIN_SHARE = 0.10
SEED = 0

# Analyses kept in the worker's memory between compilations (a periodic recompilation then loads nothing).
_ANALYSES: dict[str, Analysis] = {}
_ANALYSES_MAX = 250_000


@dataclass(frozen=True, slots=True)
class Unit:
    """One analysable text of the round, and the exact place it comes from."""

    kind: str                       # comment | brief | proposed_need
    id: int
    attachment_id: int | None
    page: int | None
    paragraph: int | None
    text: str
    public: bool                    # may be quoted (not a confidential brief)
    label: str                      # an organization's name for a brief, "" otherwise
    filename: str | None = None
    digest: str = ""                # of the normalized text (analysis.digest)

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.id)

    def source(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "id": self.id, "attachment_id": self.attachment_id,
                               "page": self.page, "paragraph": self.paragraph, "label": self.label}
        if self.filename:
            out["filename"] = self.filename
        return out


Beat = Callable[..., None]


# The ORM rows a compilation reads are turned into plain values at once: every heartbeat commits, and an
# expired ORM object would reload itself row by row (thousands of queries on a large round).
@dataclass(frozen=True, slots=True)
class FileRef:
    id: int
    storage_key: str
    filename: str
    media_type: str


@dataclass(frozen=True, slots=True)
class BriefRef:
    id: int
    public: bool
    organization: str
    body: str
    attachments: tuple[FileRef, ...]


@dataclass(frozen=True, slots=True)
class FileText:
    status: str
    pages: int
    passages: list[list[Any]]
    reason: str | None
    limit: int


# Digests of the texts seen by this worker: normalizing 70,000 texts again at each recompilation costs seconds.
_DIGESTS: dict[str, str] = {}


def _digest_of(text: str) -> str:
    found = _DIGESTS.get(text)
    if found is None:
        if len(_DIGESTS) > _ANALYSES_MAX:
            _DIGESTS.clear()
        found = _DIGESTS[text] = digest(text)
    return found


# ------------------------------------------------------------------------------------------------- the run


def compile_round(job: SummaryJob, worker: str) -> str:
    """Run `job` (claimed by `worker`) to its end; returns its outcome. Raises jobs.Cancelled / jobs.Lost."""
    round_ = job.round
    periodic = job.trigger == "periodic"
    clock = {"stage": "start", "at": time.perf_counter()}

    def beat(**values: Any) -> None:
        stage = values.get("stage")
        if stage is not None:
            now = time.perf_counter()
            log.info("job %s: %s took %.1f s", job.id, clock["stage"], now - clock["at"])
            clock.update(stage=stage, at=now)
        jobs.heartbeat(job.id, worker, **values)

    beat(stage="extracting", done=0, total=0)
    briefs = _briefs(round_)
    texts = _read_attachments(briefs, beat)

    units = _units(round_, briefs, texts)
    approved = _approved(round_)
    themes_digest = _themes_digest(approved)
    input_digest = _input_digest(round_, units, themes_digest, periodic)
    latest = _latest(round_)
    if latest is not None and latest.input_digest == input_digest:
        jobs.finish(job.id, worker, state=JobState.succeeded, outcome="unchanged", input_digest=input_digest)
        db.session.commit()
        return "unchanged"

    beat(stage="analysing", done=0, total=len(units))
    analyses = _analyses(units, lambda done: beat(done=done, total=len(units)))

    # Approved themes first: the inputs they cover are those new proposals leave out.
    beat(stage="assigning", done=0, total=len(units))
    assignments = _assign(round_, approved, themes_digest, units, analyses,
                          lambda done: beat(done=done, total=len(units)))
    beat(stage="themes", done=0, total=0)
    campaigns = _campaigns(units, latest if periodic else None)
    copies = {member for group in campaigns for member in group[1:]}
    if not periodic:
        _propose(round_, units, analyses, bool(approved), assignments, copies, beat)

    beat(stage="compiling", done=0, total=1)
    _suggest_tags(round_, units, latest if periodic else None)
    summary = _compile(round_, job, units, analyses, texts, briefs, assignments, campaigns, input_digest)
    if not jobs.finish(job.id, worker, state=JobState.succeeded, outcome="compiled", input_digest=input_digest):
        db.session.rollback()
        raise jobs.Lost(job.id)
    db.session.commit()
    from consult.core.tasking import enqueue_after_commit
    from consult.summaries.tasks import render_summary

    enqueue_after_commit(render_summary, summary.id)
    db.session.commit()
    return "compiled"


# ------------------------------------------------------------------------------------------------- inputs


def _briefs(round_: ConsultationRound) -> list[BriefRef]:
    rows = db.session.scalars(
        select(Brief).where(Brief.round_id == round_.id, Brief.state == BriefState.submitted,
                            Brief.hidden_at.is_(None))
        .options(selectinload(Brief.attachments), selectinload(Brief.organization))
        .order_by(Brief.id)).all()
    return [BriefRef(brief.id, brief.visibility is BriefVisibility.public, brief.organization.name, brief.body or "",
                     tuple(FileRef(a.id, a.storage_key, a.filename, a.media_type) for a in brief.attachments))
            for brief in rows]


def _read_attachments(briefs: list[BriefRef], beat: Beat) -> dict[str, FileText]:
    files = {a.storage_key: a.media_type for brief in briefs for a in brief.attachments}
    keys = sorted(files)
    pending = extracting.register(files.items())
    if pending:
        helpers = min(current_app.config["CONSULT_EXTRACTION_HELPERS"], (pending - 1) // extracting.BATCH)
        if helpers > 0:
            from consult.summaries.tasks import read_files

            for _ in range(helpers):
                read_files.delay(keys)
        extracting.wait(keys, beat=lambda left: beat(done=len(keys) - left, total=len(keys)))
    found: dict[str, FileText] = {}
    columns = (AttachmentText.storage_key, AttachmentText.status, AttachmentText.pages, AttachmentText.passages,
               AttachmentText.reason, AttachmentText.limit)
    for start in range(0, len(keys), 500):
        for key, status, pages, passages, reason, limit in db.session.execute(
                select(*columns).where(AttachmentText.storage_key.in_(keys[start:start + 500]))):
            found[key] = FileText(status, pages, passages, reason, limit)
    return found


_BLANK_LINES = re.compile(r"\n\s*\n")
_HEADING = re.compile(r"#{1,6}(\s|$)")


def _blocks(markdown: str | None) -> list[str]:
    return [part for part in _BLANK_LINES.split(markdown or "") if part.strip()]


def paragraphs(markdown: str | None) -> list[str]:
    """A brief's own text as paragraphs (blank-line separated), numbered from 1 by their position."""
    return [" ".join(block.split()) for block in _blocks(markdown)]


def _readable_paragraphs(markdown: str | None) -> list[tuple[int, str]]:
    """`paragraphs` with the same numbers, less the Markdown heading lines: a heading is not something a
    participant said, and quoting "## Ce que nous voyons" tells a reader nothing."""
    found = []
    for number, block in enumerate(_blocks(markdown), start=1):
        kept = [line for line in block.splitlines() if not _HEADING.match(line.strip())]
        found.append((number, " ".join(" ".join(kept).split())))
    return found


def _units(round_: ConsultationRound, briefs: list[BriefRef], texts: dict[str, FileText]) -> list[Unit]:
    units: list[Unit] = []
    for brief in briefs:
        for number, text in _readable_paragraphs(brief.body):
            if len(text.split()) >= MIN_WORDS:
                units.append(Unit("brief", brief.id, None, None, number, text, brief.public, brief.organization,
                                  digest=_digest_of(text)))
        for attachment in brief.attachments:
            row = texts.get(attachment.storage_key)
            if row is None or row.status != "ok":
                continue
            for page, number, text in row.passages:
                if len(text.split()) >= MIN_WORDS:
                    units.append(Unit("brief", brief.id, attachment.id, page, number, text, brief.public,
                                      brief.organization, attachment.filename, _digest_of(text)))
    comments = db.session.execute(
        select(Comment.id, Comment.body).where(Comment.round_id == round_.id, Comment.hidden_at.is_(None))
        .order_by(Comment.id)).tuples().all()
    units.extend(Unit("comment", comment_id, None, None, None, body, True, "", digest=_digest_of(body))
                 for comment_id, body in comments if body and body.strip())
    needs = db.session.execute(
        select(ProposedNeed.id, ProposedNeed.title, ProposedNeed.description)
        .where(ProposedNeed.round_id == round_.id, ProposedNeed.hidden_at.is_(None))
        .order_by(ProposedNeed.id)).tuples().all()
    for need_id, title, description in needs:
        text = f"{title}\n\n{description}"
        units.append(Unit("proposed_need", need_id, None, None, None, text, True, "", digest=_digest_of(text)))
    return units


def _approved(round_: ConsultationRound) -> list[Theme]:
    return db.session.scalars(select(Theme).where(Theme.round_id == round_.id, Theme.state == ThemeState.approved)
                              .options(selectinload(Theme.quotes)).order_by(Theme.position, Theme.id)).all()


def _approved_for_scoring(approved: list[Theme]) -> list[ApprovedTheme]:
    return [ApprovedTheme(str(theme.id), theme.label, theme.description,
                          tuple(quote.text for quote in theme.examples)) for theme in approved]


def _themes_digest(approved: list[Theme]) -> str:
    described = [[theme.id, theme.label, theme.description, sorted(quote.text for quote in theme.examples)]
                 for theme in approved]
    return _sha({"pipeline": PIPELINE_VERSION, "themes": described})


def _sha(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _input_digest(round_: ConsultationRound, units: list[Unit], themes_digest: str, periodic: bool) -> str:
    """What the summary is a function of: the texts, the themes (approved and proposed), and every count."""
    texts = hashlib.sha256()
    for unit in units:
        texts.update(f"{unit.kind}:{unit.id}:{unit.attachment_id}:{unit.page}:{unit.paragraph}:{unit.public}:"
                     f"{unit.label}:".encode())
        texts.update(unit.digest.encode())
    # Themes a planner touched (the workers' untouched proposals are an output, not an input).
    proposed = db.session.execute(select(Theme.id, Theme.state, Theme.label, Theme.description, Theme.merged_into_id)
                                  .where(Theme.round_id == round_.id, Theme.reviewed_at.is_not(None))
                                  .order_by(Theme.id)).tuples().all()
    return _sha({"texts": texts.hexdigest(), "themes": themes_digest, "periodic": periodic,
                 "theme_rows": [list(map(str, row)) for row in proposed],
                 "counts": aggregate.fingerprint(round_), "state": round_.state.value})


@dataclass(frozen=True, slots=True)
class Prior:
    """What a compilation needs of the round's latest summary, read once (its content is large, and an
    expired ORM row would decode it again after every heartbeat)."""

    input_digest: str
    campaign_digests: list[list[Any]] | None
    watermark: dict[str, int]


def _latest(round_: ConsultationRound) -> Prior | None:
    row = db.session.execute(select(Summary.input_digest, Summary.content).where(Summary.round_id == round_.id)
                             .order_by(Summary.number.desc()).limit(1)).first()
    if row is None:
        return None
    digest_, content = row
    return Prior(digest_, content.get("campaign_digests"), content.get("watermark", {}))


# ----------------------------------------------------------------------------------------------- analyses


def _analyses(units: list[Unit], progress: Callable[[int], None]) -> list[Analysis]:
    """Each unit's analysis: from the worker's memory, else the database cache, else computed (and stored)."""
    keys = [cache_key(unit.digest) for unit in units]
    found: dict[str, Analysis] = {key: _ANALYSES[key] for key in keys if key in _ANALYSES}
    wanted = sorted({key for key in keys if key not in found})
    for start in range(0, len(wanted), 500):
        for key, data in db.session.execute(select(InputAnalysis.cache_key, InputAnalysis.data)
                                            .where(InputAnalysis.cache_key.in_(wanted[start:start + 500]))):
            try:
                found[key] = Analysis.from_dict(data)
            except (ValueError, KeyError, TypeError):
                continue    # made by an older pipeline: analysed again below
    missing_at: dict[str, int] = {}
    for index, key in enumerate(keys):
        if key not in found and key not in missing_at:
            missing_at[key] = index
    todo = list(missing_at.items())
    done = len(units) - len(todo)
    progress(done)
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start:start + CHUNK]
        made = analyse_many([units[index].text for _, index in chunk])
        rows = []
        for (key, _), analysis in zip(chunk, made, strict=True):
            found[key] = analysis
            rows.append({"cache_key": key, "data": analysis.to_dict(), "created_at": now_utc()})
        insert_ignoring_duplicates(InputAnalysis, rows)
        done += len(chunk)
        progress(done)     # commits the cache rows: a killed worker loses at most one chunk
    if len(_ANALYSES) + len(found) > _ANALYSES_MAX:
        _ANALYSES.clear()
    _ANALYSES.update(found)
    return [found[key] for key in keys]


# ------------------------------------------------------------------------------------------------ campaigns


def _campaigns(units: list[Unit], latest: Prior | None) -> list[list[int]]:
    """Groups of near-identical comments and proposed needs (indices into units), largest first; the first
    index of a group stands for it. A periodic run attaches new copies to the campaigns the latest summary
    knew (by the digest of their first copy) rather than comparing every pair again."""
    candidates = [i for i, unit in enumerate(units) if unit.kind != "brief"]
    if latest is not None and latest.campaign_digests is not None:
        return _known_campaigns(units, candidates, latest)
    groups = near_duplicates([units[i].text for i in candidates])
    return [[candidates[m] for m in group.members] for group in groups]


def _known_campaigns(units: list[Unit], candidates: list[int], latest: Prior) -> list[list[int]]:
    from consult.summaries.analysis import NEAR_DUPLICATE_THRESHOLD, _jaccard, shingles

    known = latest.campaign_digests or []      # [[representative digest, [member keys]]]
    by_key = {units[i].key: i for i in candidates}
    groups: list[list[int]] = []
    seen: set[int] = set()
    for _rep_digest, members in known:
        group = [by_key[(kind, ident)] for kind, ident in members if (kind, ident) in by_key]
        if len(group) >= 2:
            groups.append(group)
            seen.update(group)
    old = {key for _, members in known for key in map(tuple, members)}
    watermark = latest.watermark
    fresh = [i for i in candidates if i not in seen and units[i].id > watermark.get(units[i].kind, 0)
             and units[i].key not in old]
    if fresh and groups:
        # Only the campaigns sharing a run of words with a new text are compared with it.
        reps = [shingles(units[group[0]].text) for group in groups]
        holders: dict[int, list[int]] = defaultdict(list)
        for number, rep in enumerate(reps):
            for shingle in rep:
                holders[shingle].append(number)
        for i in fresh:
            own = shingles(units[i].text)
            candidates_ = sorted({number for shingle in own for number in holders.get(shingle, ())})
            for number in candidates_:
                if _jaccard(own, reps[number]) >= NEAR_DUPLICATE_THRESHOLD:
                    groups[number].append(i)
                    break
    return sorted(groups, key=lambda g: (-len(g), g[0]))


# --------------------------------------------------------------------------------------------------- themes


def _propose(round_: ConsultationRound, units: list[Unit], analyses: list[Analysis], approved: bool,
             assignments: list[list[tuple[str, float]]], copies: set[int], beat: Beat) -> None:
    """Replace the round's proposed themes by those found in the inputs no approved theme covers."""
    pool = [i for i, fits in enumerate(assignments) if not fits and i not in copies]
    beat()
    if approved and len(pool) < max(PROPOSE_MIN_INPUTS, PROPOSE_MIN_SHARE * len(units)):
        # Once planners have approved themes, a few inputs no theme covers are reported as such (content's
        # "unthemed"), not turned into new proposals that would need another review at every compilation.
        for theme in db.session.scalars(select(Theme).where(Theme.round_id == round_.id,
                                                            Theme.state == ThemeState.proposed,
                                                            Theme.reviewed_at.is_(None))):
            db.session.delete(theme)
        db.session.flush()
        return
    found = (propose_themes([analyses[i] for i in pool], seed=SEED, quotes=QUOTES_PER_THEME * 3)
             if len(pool) >= 2 else [])
    existing = db.session.scalars(select(Theme).where(Theme.round_id == round_.id)).all()
    # Untouched proposals are replaced; one a planner renamed stays until they approve or set it aside.
    replaced = [theme for theme in existing if theme.state is ThemeState.proposed and theme.reviewed_at is None]
    for theme in replaced:
        db.session.delete(theme)
    db.session.flush()
    kept = [theme for theme in existing if theme not in replaced]
    taken = {theme.key for theme in kept}
    position = max((theme.position for theme in kept), default=0)
    for proposal in found:
        if proposal.key in taken:
            continue        # set aside, merged or approved under this key already: never proposed again
        position += 1
        theme = Theme(round_id=round_.id, key=proposal.key, label=proposal.label[:200], language=proposal.language,
                      keyphrases=list(proposal.keyphrases), size=proposal.size, position=position,
                      state=ThemeState.proposed, origin="workers")
        kept = 0
        quoted: set[str] = set()
        for quote in proposal.quotes:
            unit = units[pool[quote.input]]
            if not unit.public or quote.text in quoted:
                continue
            quoted.add(quote.text)
            theme.quotes.append(ThemeQuote(
                source_kind=unit.kind, source_id=unit.id, attachment_id=unit.attachment_id, page=unit.page,
                paragraph=unit.paragraph, text=quote.text, language=analyses[pool[quote.input]].language,
                score=quote.score, position=kept))
            kept += 1
            if kept == QUOTES_PER_THEME:
                break
        db.session.add(theme)
        _PROPOSED_MEMBERS[(round_.id, theme.key)] = [units[pool[m]].key for m in proposal.members]
    db.session.flush()


# Members of the themes proposed in this run, by (round, key): a proposal's members are its count in the summary.
_PROPOSED_MEMBERS: dict[tuple[int, str], list[tuple[str, int]]] = {}


def _scorer(round_: ConsultationRound, approved: list[Theme], themes_digest: str,
            analyses: list[Analysis]) -> ThemeScorer:
    row = db.session.scalar(select(ThemeScorerState).where(ThemeScorerState.round_id == round_.id,
                                                           ThemeScorerState.themes_digest == themes_digest))
    if row is not None:
        return pickle.loads(row.data)
    scorer = ThemeScorer.fit(analyses, _approved_for_scoring(approved))
    insert_ignoring_duplicates(ThemeScorerState, [{"round_id": round_.id, "themes_digest": themes_digest,
                                                    "data": pickle.dumps(scorer), "created_at": now_utc()}])
    return scorer


# Scores per (themes digest, input digest), kept in the worker's memory: a periodic run scores new inputs only.
_FITS: dict[tuple[str, str], list[tuple[str, float]]] = {}


def _cached_assign(scorer: ThemeScorer, themes_digest: str, units: list[Unit], analyses: list[Analysis],
                   progress: Callable[[int], None]) -> list[list[tuple[str, float]]]:
    out: list[list[tuple[str, float]] | None] = []
    todo: list[int] = []
    for index, analysis in enumerate(analyses):
        cached = _FITS.get((themes_digest, analysis.digest))
        out.append(cached)
        if cached is None:
            todo.append(index)
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start:start + CHUNK]
        for index, fits in zip(chunk, scorer.assign([analyses[i] for i in chunk]), strict=True):
            out[index] = fits
            _FITS[(themes_digest, analyses[index].digest)] = fits
        progress(len(units) - len(todo) + start + len(chunk))
    if len(_FITS) > _ANALYSES_MAX:
        _FITS.clear()
    return [fits or [] for fits in out]


def _assign(round_: ConsultationRound, approved: list[Theme], themes_digest: str, units: list[Unit],
            analyses: list[Analysis], progress: Callable[[int], None]) -> list[list[tuple[str, float]]]:
    if not approved:
        return [[] for _ in units]
    scorer = _scorer(round_, approved, themes_digest, analyses)
    return _cached_assign(scorer, themes_digest, units, analyses, progress)


# ------------------------------------------------------------------------------------------------- compile


def _compile(round_: ConsultationRound, job: SummaryJob, units: list[Unit], analyses: list[Analysis],
             texts: dict[str, FileText], briefs: list[BriefRef], assignments: list[list[tuple[str, float]]],
             campaigns: list[list[int]], input_digest: str) -> Summary:
    themes = db.session.scalars(select(Theme).where(Theme.round_id == round_.id,
                                                    Theme.state.in_((ThemeState.approved, ThemeState.proposed)))
                                .options(selectinload(Theme.quotes)).order_by(Theme.position, Theme.id)).all()
    by_id = {theme.id: theme for theme in themes}

    # Which sources carry which theme, and the best-scoring public passages of each approved theme.
    carriers: dict[int, dict[tuple[str, int], float]] = defaultdict(dict)
    passages: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for index, fits in enumerate(assignments):
        unit = units[index]
        for theme_key, score in fits:
            theme_id = int(theme_key)
            if theme_id not in by_id:
                continue
            if score > carriers[theme_id].get(unit.key, -1.0):
                carriers[theme_id][unit.key] = score
            if unit.public:
                passages[theme_id].append((score, index))
    for theme in themes:
        if theme.state is ThemeState.proposed:
            members = _PROPOSED_MEMBERS.pop((round_.id, theme.key), None)
            if members is not None:
                carriers[theme.id] = {tuple(key): 0.0 for key in members}

    themes_of: dict[tuple[str, int], list[int]] = defaultdict(list)
    for theme_id, sources in carriers.items():
        for key in sources:
            themes_of[key].append(theme_id)
    labels = {theme.id: theme.label for theme in themes}
    items, agreements, disagreements = aggregate.items(round_, themes_of, labels)
    # A project may hold thousands of items (indicators, services); the ones nobody spoke of would bury the
    # others, so they are only counted, by kind.
    quiet = Counter(item["kind"] for item in items
                    if not (item["supports"] or item["comments"] or any(item["positions"].values())))
    items = [item for item in items if item["supports"] or item["comments"] or any(item["positions"].values())]

    languages_of: dict[tuple[str, int], str] = {}
    for unit, analysis in zip(units, analyses, strict=True):
        languages_of.setdefault(unit.key, analysis.language)

    theme_entries = []
    for theme in sorted(themes, key=lambda t: (t.state is not ThemeState.approved,
                                               -len(carriers.get(t.id, {})), t.position, t.id)):
        sources = carriers.get(theme.id, {})
        kinds = Counter(kind for kind, _ in sources)
        theme_entries.append({
            "id": theme.id, "key": theme.key, "label": theme.label, "description": theme.description,
            "state": theme.state.value, "count": len(sources) if sources or theme.state is ThemeState.approved
            else theme.size,
            "comments": kinds["comment"], "briefs": kinds["brief"], "proposed_needs": kinds["proposed_need"],
            "languages": dict(sorted(Counter(languages_of.get(key, "fr") for key in sources).items())),
            "keyphrases": list(theme.keyphrases or []),
            "quotes": _theme_quotes(theme, passages.get(theme.id, []), units, analyses),
        })

    campaign_entries = []
    for group in campaigns[:CAMPAIGNS_SHOWN]:
        first = units[group[0]]
        campaign_entries.append({
            "text": first.text, "language": analyses[group[0]].language, "count": len(group),
            "source": first.source(),
            "themes": [{"id": t, "label": labels[t], "count": len(carriers.get(t, {}))}
                       for t in themes_of.get(first.key, []) if t in labels],
        })

    themed = {key for sources in carriers.values() for key in sources}
    totals = aggregate.totals(round_)
    totals.update(unthemed=len({unit.key for unit in units} - themed), campaigns=len(campaigns),
                  campaign_copies=sum(len(group) for group in campaigns),
                  pages_read=sum(texts[a.storage_key].pages for brief in briefs for a in brief.attachments
                                 if a.storage_key in texts and texts[a.storage_key].status == "ok"))
    participation = aggregate.participation(round_)
    if any(cell["suppressed"] for cell in participation["by_kind"]):
        # The total less the organizations shown would give away the suppressed number of citizens.
        totals["participants"] = None
    until = aggregate.inputs_until(round_)
    content: dict[str, Any] = {
        "schema": 1,
        "round_id": round_.id,
        "title": round_.title,
        "project": round_.project.title,
        "compiled_at": now_utc().isoformat(),
        "inputs_until": until.isoformat() if isinstance(until, datetime) else None,
        "round_state": round_.state.value,
        # Reviewed: planners approved themes (proposals left after that are drafts' suggestions only, never
        # published), or the workers proposed nothing.
        "themes_reviewed": any(theme.state is ThemeState.approved for theme in themes)
        or not any(theme.state is ThemeState.proposed for theme in themes),
        "totals": totals,
        "participation": participation,
        "themes": theme_entries,
        "items": items,
        "agreements": agreements,
        "disagreements": disagreements,
        "campaigns": campaign_entries,
        "proposed_needs": aggregate.proposed_needs(round_),
        "answers": aggregate.answers(round_),
        "extraction_problems": _extraction_problems(briefs, texts),
        "items_without_input": dict(sorted(quiet.items())),
        "equity": equity_section(round_),
        # For the next periodic run: the campaigns known, and the newest input id of each kind.
        "campaign_digests": [[units[group[0]].digest, [list(units[i].key) for i in group]]
                             for group in campaigns],
        "watermark": _watermark(units),
    }
    number = (db.session.scalar(select(func.max(Summary.number)).where(Summary.round_id == round_.id)) or 0) + 1
    summary = Summary(round_id=round_.id, number=number, job_id=job.id, input_digest=input_digest,
                      content=content, created_at=now_utc())
    db.session.add(summary)
    db.session.flush()
    rows = [{"summary_id": summary.id, "theme_id": theme_id, "source_kind": kind, "source_id": ident,
             "score": score} for theme_id, sources in carriers.items() if theme_id in by_id
            for (kind, ident), score in sorted(sources.items())]
    for start in range(0, len(rows), 5_000):
        db.session.execute(insert(ThemeAssignment), rows[start:start + 5_000])
    for theme in themes:
        theme.size = len(carriers.get(theme.id, {})) or theme.size
    return summary


def _suggest_tags(round_: ConsultationRound, units: list[Unit], latest: Prior | None) -> None:
    """Equity tags suggested from each input's whole text (a brief: its text and attachments), shown to
    people as suggestions until someone confirms them. A periodic run reads only the inputs that are new."""
    from consult.equity.suggestions import store_suggestions

    watermark = latest.watermark if latest is not None else {}
    texts: dict[tuple[str, int], list[str]] = defaultdict(list)
    for unit in units:
        if unit.id > watermark.get(unit.kind, 0):
            texts[unit.key].append(unit.text)
    store_suggestions(round_, [(kind, ident, "\n\n".join(parts)) for (kind, ident), parts in texts.items()])


def _watermark(units: Sequence[Unit]) -> dict[str, int]:
    marks: dict[str, int] = {}
    for unit in units:
        marks[unit.kind] = max(marks.get(unit.kind, 0), unit.id)
    return marks


def _sentence_quote(analysis: Analysis) -> str:
    """The passage itself when short enough to quote, else its longest sentence that is."""
    text = analysis.text
    if len(text) <= QUOTE_MAX_CHARS:
        return text
    fitting = [s.text for s in analysis.sentences if 20 <= len(s.text) <= QUOTE_MAX_CHARS]
    return max(fitting, key=len) if fitting else text[:QUOTE_MAX_CHARS].rsplit(" ", 1)[0] + " …"


def _theme_quotes(theme: Theme, scored: list[tuple[float, int]], units: list[Unit],
                  analyses: list[Analysis]) -> list[dict[str, Any]]:
    """For a proposed theme, the quotes found with it; for an approved one, its best-scoring public passages,
    one per source, then the examples the planner kept from real sources."""
    if theme.state is ThemeState.proposed:
        return [{"text": q.text, "language": q.language, "source": q.source()} for q in theme.quotes]
    quotes = []
    used: set[tuple[str, int]] = set()
    texts: set[str] = set()
    for _score, index in sorted(scored, key=lambda pair: (-pair[0], pair[1])):
        unit = units[index]
        text = _sentence_quote(analyses[index])
        if unit.key in used or text in texts:
            continue
        used.add(unit.key)
        texts.add(text)
        quotes.append({"text": text, "language": analyses[index].language,
                       "source": unit.source()})
        if len(quotes) == QUOTES_PER_THEME:
            break
    if not quotes:
        quotes = [{"text": q.text, "language": q.language, "source": q.source()} for q in theme.examples
                  if q.source_kind != "planner"][:QUOTES_PER_THEME]
    return quotes


def _extraction_problems(briefs: list[BriefRef], texts: dict[str, FileText]) -> list[dict[str, Any]]:
    problems = []
    for brief in briefs:
        for attachment in brief.attachments:
            row = texts.get(attachment.storage_key)
            if row is not None and row.status not in ("ok", "pending"):
                problems.append({"brief_id": brief.id, "attachment_id": attachment.id,
                                 "filename": attachment.filename, "status": row.status, "pages": row.pages,
                                 "reason": row.reason, "limit": row.limit})
    return problems
