"""The database side of compiling a summary: counts, participation, positions on each item, agreements and
disagreements, proposed needs and answers of one round, as the parts of `consult.summaries.content`.

Pure reads: nothing here writes, commits or calls the text pipeline (except `detect_language` on quotes).
A round may hold 50,000 comments and 1,500 briefs, so every function reads the round in a handful of
grouped queries (GROUP BY in SQL, eager joins), never one query per item, comment or brief.

What counts as an input here, everywhere the same way:
- a comment (replies included) of the round not hidden by moderation. Comments are never withdrawn; a
  person who erases their account leaves their comments, authorless: they still count as comments, but
  not as a person, since nobody can tell how many people wrote them;
- a brief submitted (not a draft, not withdrawn) and not hidden by moderation; confidential ones count
  everywhere but are flagged, so that `content.public_view` can drop their attribution;
- a proposed need not hidden by moderation; a support (retracting one deletes its row).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import case, exists, func, select, union, union_all
from sqlalchemy.orm import contains_eager

from consult.core.db import db
from consult.organizations.models import Organization, OrganizationKind, organization_territories
from consult.participation.answers.queries import _part as input_part
from consult.participation.models import (
    Brief,
    BriefAttachment,
    BriefCosigner,
    BriefPosition,
    BriefState,
    BriefVisibility,
    Comment,
    CosignState,
    InputKind,
    Outcome,
    ParticipantProfile,
    ProposedNeed,
    Stance,
    Support,
)
from consult.projects.kinds import KINDS
from consult.projects.models import ProjectStep, StepVersion, VersionItem
from consult.rounds.models import ConsultationRound, round_versions
from consult.rounds.queries import item_label
from consult.summaries.analysis import detect_language
from consult.summaries.content import (
    SUPPRESS_BELOW,
    Answers,
    Count,
    Holder,
    Item,
    Participation,
    Position,
    ProposedNeedEntry,
    Quote,
    Source,
    ThemeRef,
)
from consult.territories.models import TerritoryNode

QUOTES_PER_ITEM = 3
QUOTE_MAX = 600          # characters: a quote is a comment shown whole, so long ones are passed over
STANCES = ("support", "oppose", "amend")
Agreement = Literal["consensus", "disagreement", "mixed", "none"]


# ---------------------------------------------------------------------------------------- the visible inputs


def _comments(round_id: int) -> tuple[Any, ...]:
    return (Comment.round_id == round_id, Comment.hidden_at.is_(None))


def _briefs(round_id: int) -> tuple[Any, ...]:
    return (Brief.round_id == round_id, Brief.state == BriefState.submitted, Brief.hidden_at.is_(None))


def _proposed(round_id: int) -> tuple[Any, ...]:
    return (ProposedNeed.round_id == round_id, ProposedNeed.hidden_at.is_(None))


def _people(round_id: int):
    """user_id of every person who took part as themselves: commented, supported or proposed a need."""
    return union(
        select(Comment.author_id.label("user_id")).where(*_comments(round_id), Comment.author_id.is_not(None)),
        select(Support.user_id.label("user_id")).where(Support.round_id == round_id),
        select(ProposedNeed.author_id.label("user_id")).where(*_proposed(round_id),
                                                              ProposedNeed.author_id.is_not(None)),
    ).subquery("participating_people")


def _organizations(round_id: int):
    """organization_id of every organization that submitted a brief, as its author or a confirmed co-signer."""
    return union(
        select(Brief.organization_id.label("organization_id")).where(*_briefs(round_id)),
        select(BriefCosigner.organization_id.label("organization_id"))
        .join(Brief, Brief.id == BriefCosigner.brief_id)
        .where(*_briefs(round_id), BriefCosigner.state == CosignState.confirmed),
    ).subquery("participating_organizations")


# ------------------------------------------------------------------------------------------------------ counts


def _small(value: int) -> bool:
    return 0 < value < SUPPRESS_BELOW


def people_count(key: str | None, value: int, *, label: str | None = None, people: int | None = None) -> Count:
    """One cell of a participation table. A cell of 1 to SUPPRESS_BELOW - 1 is not shown (`value` None,
    `suppressed` True): nobody can be singled out of a small group. Zero is shown: it reveals nobody.

    `people` is the part of `value` made of people when the cell also counts organizations (local areas):
    the cell is suppressed when that part is small too, since organizations' territories are public and
    subtracting them would give the people away."""
    suppressed = _small(value) or (people is not None and _small(people))
    count: Count = {"key": key, "value": None if suppressed else value, "suppressed": suppressed}
    if label is not None:
        count["label"] = label
    return count


def _by_keys(counts: Counter, known: Iterable[str], *, not_stated: bool = True) -> list[Count]:
    """Every known key in its defined order (zeros included: who did not take part shows too), then any
    other stored value in alphabetical order, then "not stated" (None)."""
    keys = list(known)
    keys += sorted(k for k in counts if k is not None and k not in keys)
    if not_stated:
        keys.append(None)
    return [people_count(key, counts.get(key, 0)) for key in keys]


def totals(round_: ConsultationRound) -> dict[str, int]:
    """Every key of `content.Totals` but `campaigns`, `campaign_copies` and `pages_read` (the pipeline
    knows those). Replies count as comments; `threads` are first comments; `participants` are the distinct
    people who commented, supported or proposed a need plus the distinct organizations that submitted a
    brief (as author or confirmed co-signer)."""
    rid = round_.id
    comments, threads = db.session.execute(
        select(func.count(Comment.id), func.count(case((Comment.parent_id.is_(None), Comment.id))))
        .where(*_comments(rid))).one()
    briefs, confidential = db.session.execute(
        select(func.count(Brief.id),
               func.count(case((Brief.visibility == BriefVisibility.confidential, Brief.id))))
        .where(*_briefs(rid))).one()
    people, organizations = _people(rid), _organizations(rid)
    attachments, proposed, supports, persons, orgs = db.session.execute(select(
        select(func.count(BriefAttachment.id)).join(Brief, Brief.id == BriefAttachment.brief_id)
        .where(*_briefs(rid)).scalar_subquery(),
        select(func.count(ProposedNeed.id)).where(*_proposed(rid)).scalar_subquery(),
        select(func.count(Support.id)).where(Support.round_id == rid).scalar_subquery(),
        select(func.count()).select_from(people).scalar_subquery(),
        select(func.count()).select_from(organizations).scalar_subquery(),
    )).one()
    return {"comments": comments or 0, "threads": threads or 0, "briefs": briefs or 0,
            "confidential_briefs": confidential or 0, "attachments": attachments or 0,
            "proposed_needs": proposed or 0, "supports": supports or 0,
            "participants": (persons or 0) + (orgs or 0)}


# ----------------------------------------------------------------------------------------------- participation


def participation(round_: ConsultationRound) -> Participation:
    """Who took part, in `Count` cells (see `people_count` for suppression).

    - by_kind: "citizen" = distinct people who took part as themselves (commented, supported, proposed a
      need; a representative commenting counts here too), "organization" = distinct organizations with a
      submitted brief, as author or confirmed co-signer.
    - by_organization_kind: those organizations by OrganizationKind, every kind listed in its order.
    - by_area: one table of local areas for both, because a reader asks "who spoke for this area": a person
      counts in the area of their consented profile (None: no profile or no area given), an organization
      in each territory it declares (so one serving three areas counts in each; None: it declares none).
      Areas in territory-code order, None last. A cell is suppressed when its total, or the people in it,
      are 1 to 4.
    - by_age_band, by_gender, by_population_group: the people who took part, by their consented profile;
      None is "not stated" (no profile, or the question left blank): never guessed.
    Organizations are cells too and are suppressed alike: one or two organizations of a kind would point
    at them, including those whose brief is confidential.
    """
    rid = round_.id
    people, organizations = _people(rid), _organizations(rid)

    profile_rows = db.session.execute(
        select(ParticipantProfile.age_band, ParticipantProfile.gender, ParticipantProfile.population_group,
               TerritoryNode.id, TerritoryNode.code, TerritoryNode.name, func.count())
        .select_from(people)
        .outerjoin(ParticipantProfile, ParticipantProfile.user_id == people.c.user_id)
        .outerjoin(TerritoryNode, TerritoryNode.id == ParticipantProfile.area_id)
        .group_by(ParticipantProfile.age_band, ParticipantProfile.gender, ParticipantProfile.population_group,
                  TerritoryNode.id, TerritoryNode.code, TerritoryNode.name)).all()
    ages: Counter = Counter()
    genders: Counter = Counter()
    groups: Counter = Counter()
    areas: dict[int | None, dict[str, Any]] = {}
    citizens = 0
    for age, gender, group, node_id, code, name, number in profile_rows:
        citizens += number
        ages[age] += number
        genders[gender] += number
        groups[group] += number
        cell = areas.setdefault(node_id, {"code": code, "name": name, "people": 0, "organizations": 0})
        cell["people"] += number

    kinds: Counter = Counter({kind: number for kind, number in db.session.execute(
        select(Organization.kind, func.count()).join(organizations, organizations.c.organization_id
                                                     == Organization.id).group_by(Organization.kind))})
    for node_id, code, name, number in db.session.execute(
            select(TerritoryNode.id, TerritoryNode.code, TerritoryNode.name, func.count())
            .select_from(organizations)
            .join(organization_territories,
                  organization_territories.c.organization_id == organizations.c.organization_id)
            .join(TerritoryNode, TerritoryNode.id == organization_territories.c.territory_id)
            .group_by(TerritoryNode.id, TerritoryNode.code, TerritoryNode.name)):
        cell = areas.setdefault(node_id, {"code": code, "name": name, "people": 0, "organizations": 0})
        cell["organizations"] += number
    nowhere = db.session.scalar(select(func.count()).select_from(organizations).where(~exists().where(
        organization_territories.c.organization_id == organizations.c.organization_id))) or 0
    if nowhere:
        areas.setdefault(None, {"code": None, "name": None, "people": 0, "organizations": 0})
        areas[None]["organizations"] += nowhere

    by_area = [people_count(str(node_id), cell["people"] + cell["organizations"], label=cell["name"],
                            people=cell["people"])
               for node_id, cell in sorted(((k, v) for k, v in areas.items() if k is not None),
                                           key=lambda pair: (pair[1]["code"], pair[0]))]
    if None in areas:
        by_area.append(people_count(None, areas[None]["people"] + areas[None]["organizations"],
                                    people=areas[None]["people"]))
    return {
        "by_kind": [people_count("citizen", citizens), people_count("organization", sum(kinds.values()))],
        "by_organization_kind": [people_count(kind.value, kinds.get(kind, 0)) for kind in OrganizationKind],
        "by_area": by_area,
        "by_age_band": _by_keys(ages, ParticipantProfile.AGE_BANDS),
        "by_gender": _by_keys(genders, ParticipantProfile.GENDERS),
        "by_population_group": _by_keys(groups, ParticipantProfile.POPULATION_GROUPS),
    }


# ------------------------------------------------------------------------------------------------------- items


def _versions(round_: ConsultationRound) -> list[StepVersion]:
    """The versions in consultation with their step, in step order."""
    return list(db.session.scalars(
        select(StepVersion).join(round_versions, round_versions.c.version_id == StepVersion.id)
        .join(ProjectStep, ProjectStep.id == StepVersion.step_id)
        .where(round_versions.c.round_id == round_.id).options(contains_eager(StepVersion.step))
        .order_by(ProjectStep.number, StepVersion.number, StepVersion.id)))


def comment_source(comment_id: int) -> Source:
    return {"kind": "comment", "id": comment_id, "attachment_id": None, "page": None, "paragraph": None,
            "label": ""}


def _agreement(positions: Mapping[str, list[Position]]) -> Agreement:
    """consensus: at least two positions, all support or all oppose; disagreement: support and oppose
    both held; none: no position; mixed: anything else (amendments beside support, or a single position).
    Amendments never make a consensus on their own: each asks for its own wording."""
    held = {stance for stance in STANCES if positions[stance]}
    if not held:
        return "none"
    if {"support", "oppose"} <= held:
        return "disagreement"
    if len(held) == 1 and held != {"amend"} and sum(len(v) for v in positions.values()) >= 2:
        return "consensus"
    return "mixed"


def _minority(positions: Mapping[str, list[Position]]) -> list[Position]:
    """The smaller side of a disagreement, verbatim; when both sides are as large, both are listed."""
    support, oppose = positions["support"], positions["oppose"]
    if not support or not oppose:
        return []
    if len(support) == len(oppose):
        return [*support, *oppose]
    return list(support if len(support) < len(oppose) else oppose)


def items(round_: ConsultationRound, themes_of: Mapping[tuple[str, int], Sequence[int]],
          theme_labels: Mapping[int, str]) -> tuple[list[Item], list[dict[str, Any]], list[dict[str, Any]]]:
    """One `Item` per item of the versions in consultation (every kind is open to comments and supports,
    indicators included), in step order then position; with the round's agreements and disagreements.

    themes_of maps ("comment", comment_id) to the ids of the themes it carries; theme_labels names the themes
    to show (a theme missing from it, e.g. one set aside, is not listed). Quotes are up to three first
    comments of the item, whole and verbatim: the longest under QUOTE_MAX characters, then by id (when all
    are longer, the shortest of them).

    Seven queries at most, whatever the number of comments, briefs or items."""
    rid = round_.id
    versions = _versions(round_)
    if not versions:
        return [], [], []
    ids = [v.id for v in versions]
    step_of = {v.id: v.step.number for v in versions}
    order = {v.id: n for n, v in enumerate(versions)}
    rows = sorted(db.session.scalars(select(VersionItem).where(VersionItem.version_id.in_(ids))),
                  key=lambda i: (order[i.version_id], i.position, i.id))

    supports = {(v, u): n for v, u, n in db.session.execute(
        select(Support.version_id, Support.item_uid, func.count(Support.id))
        .where(Support.round_id == rid, Support.version_id.in_(ids))
        .group_by(Support.version_id, Support.item_uid))}
    comments = {(v, u): n for v, u, n in db.session.execute(
        select(Comment.version_id, Comment.item_uid, func.count(Comment.id))
        .where(*_comments(rid), Comment.version_id.in_(ids))
        .group_by(Comment.version_id, Comment.item_uid))}

    # Themes: only the comments that carry one matter, and themes_of says which they are.
    themed = {input_id for (kind, input_id), found in themes_of.items() if kind == "comment" and found}
    theme_counts: dict[tuple[int, str], Counter] = defaultdict(Counter)
    if themed:
        for comment_id, v, u in db.session.execute(
                select(Comment.id, Comment.version_id, Comment.item_uid)
                .where(*_comments(rid), Comment.version_id.in_(ids))):
            if comment_id in themed:
                for theme_id in dict.fromkeys(themes_of[("comment", comment_id)]):
                    if theme_id in theme_labels:
                        theme_counts[(v, u)][theme_id] += 1

    positions: dict[tuple[int, str], dict[str, list[Position]]] = defaultdict(
        lambda: {stance: [] for stance in STANCES})
    for stance, text, v, u, brief_id, visibility, organization_id, name in db.session.execute(
            select(BriefPosition.stance, BriefPosition.text, BriefPosition.version_id, BriefPosition.item_uid,
                   Brief.id, Brief.visibility, Organization.id, Organization.name)
            .join(Brief, Brief.id == BriefPosition.brief_id)
            .join(Organization, Organization.id == Brief.organization_id)
            .where(*_briefs(rid), BriefPosition.version_id.in_(ids))
            .order_by(Brief.submitted_at, Brief.id, BriefPosition.id)):
        holder: Holder = {"organization_id": organization_id, "name": name, "brief_id": brief_id,
                          "confidential": visibility is BriefVisibility.confidential}
        stance_key = Stance(stance).value
        positions[(v, u)][stance_key].append({"stance": stance_key, "holder": holder, "text": text or ""})

    length = func.length(Comment.body)
    short = length < QUOTE_MAX
    ranked = (select(Comment.id, Comment.version_id, Comment.item_uid, Comment.body,
                     func.row_number().over(partition_by=(Comment.version_id, Comment.item_uid),
                                            order_by=(case((short, 0), else_=1), case((short, -length),
                                                                                      else_=length),
                                                      Comment.id)).label("rank"))
              .where(*_comments(rid), Comment.version_id.in_(ids), Comment.parent_id.is_(None)).subquery())
    quotes: dict[tuple[int, str], list[Quote]] = defaultdict(list)
    for comment_id, v, u, body in db.session.execute(
            select(ranked.c.id, ranked.c.version_id, ranked.c.item_uid, ranked.c.body)
            .where(ranked.c.rank <= QUOTES_PER_ITEM).order_by(ranked.c.version_id, ranked.c.item_uid,
                                                              ranked.c.rank)):
        quotes[(v, u)].append({"text": body, "language": detect_language(body), "source": comment_source(comment_id)})

    found: list[Item] = []
    agreements: list[dict[str, Any]] = []
    disagreements: list[dict[str, Any]] = []
    empty: dict[str, list[Position]] = {stance: [] for stance in STANCES}
    for row in rows:
        key = (row.version_id, row.uid)
        held = positions.get(key, empty)
        agreement = _agreement(held)
        title = item_label(row) if row.kind in KINDS else ""
        themes: list[ThemeRef] = [
            {"id": theme_id, "label": theme_labels[theme_id], "count": number}
            for theme_id, number in sorted(theme_counts.get(key, Counter()).items(),
                                           key=lambda pair: (-pair[1], theme_labels[pair[0]], pair[0]))]
        found.append({
            "version_id": row.version_id, "uid": row.uid, "kind": row.kind, "step": step_of[row.version_id],
            "title": title, "supports": supports.get(key, 0), "comments": comments.get(key, 0),
            "positions": {stance: list(held[stance]) for stance in STANCES}, "agreement": agreement,
            "minority": _minority(held), "themes": themes, "quotes": quotes.get(key, []),
        })
        if agreement == "consensus":
            stance = next(s for s in STANCES if held[s])
            agreements.append({"version_id": row.version_id, "uid": row.uid, "title": title, "stance": stance,
                               "holders": [p["holder"] for p in held[stance]]})
        elif agreement == "disagreement":
            disagreements.append({"version_id": row.version_id, "uid": row.uid, "title": title,
                                  **{stance: list(held[stance]) for stance in STANCES}})
    return found, agreements, disagreements


# ---------------------------------------------------------------------------------------------- proposed needs


def proposed_needs(round_: ConsultationRound) -> list[ProposedNeedEntry]:
    """The visible proposed needs, oldest first, with the name of the local area they concern."""
    rows = db.session.execute(
        select(ProposedNeed.id, ProposedNeed.title, ProposedNeed.description, ProposedNeed.state,
               TerritoryNode.name)
        .outerjoin(TerritoryNode, TerritoryNode.id == ProposedNeed.area_id)
        .where(*_proposed(round_.id)).order_by(ProposedNeed.created_at, ProposedNeed.id))
    return [{"id": need_id, "title": title, "description": description or "", "state": state.value,
             "area": area,
             "source": {"kind": "proposed_need", "id": need_id, "attachment_id": None, "page": None,
                        "paragraph": None, "label": ""}}
            for need_id, title, description, state, area in rows]


# ----------------------------------------------------------------------------------------------------- answers


def answers(round_: ConsultationRound) -> Answers:
    """The establishment's answers to the visible inputs: threads (first comments), submitted briefs and
    proposed needs, counted as the answers page counts them (`participation.answers.queries`) but leaving
    out what moderation hid, so that they add up with `totals`. Counts of inputs: never suppressed."""
    rid = round_.id
    inputs = union_all(
        input_part(InputKind.brief, Brief, func.coalesce(Brief.submitted_at, Brief.created_at), rid,
                   *_briefs(rid)),
        input_part(InputKind.comment, Comment, Comment.created_at, rid, *_comments(rid),
                   Comment.parent_id.is_(None)),
        input_part(InputKind.proposed_need, ProposedNeed, ProposedNeed.created_at, rid, *_proposed(rid)),
    ).subquery("inputs")
    outcomes: Counter = Counter()
    for outcome, number in db.session.execute(select(inputs.c.outcome, func.count()).group_by(inputs.c.outcome)):
        outcomes[Outcome(outcome) if isinstance(outcome, str) else outcome] += number
    unanswered = outcomes.pop(None, 0)
    return {"by_outcome": [{"key": o.value, "value": outcomes.get(o, 0), "suppressed": False} for o in Outcome],
            "answered": sum(outcomes.values()), "unanswered": unanswered}


def inputs_until(round_: ConsultationRound) -> datetime | None:
    """The newest moment among the visible inputs: comments written or edited, briefs submitted, proposed
    needs and supports given. None when the round has no input."""
    rid = round_.id
    found = db.session.execute(select(
        select(func.max(Comment.created_at)).where(*_comments(rid)).scalar_subquery(),
        select(func.max(Comment.edited_at)).where(*_comments(rid)).scalar_subquery(),
        select(func.max(Brief.submitted_at)).where(*_briefs(rid)).scalar_subquery(),
        select(func.max(ProposedNeed.created_at)).where(*_proposed(rid)).scalar_subquery(),
        select(func.max(Support.created_at)).where(Support.round_id == rid).scalar_subquery(),
    )).one()
    moments = [_aware(value) for value in found if value is not None]
    return max(moments) if moments else None


def _aware(value: datetime | str) -> datetime:
    # A max() over a subquery may come back without the column's type on some drivers: read it as UTC.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def fingerprint(round_: ConsultationRound) -> list[Any]:
    """What changes when any count or position the summary shows changes: per table of the round, its rows and
    their newest change. Cheap (one aggregate query per table); part of a compilation's input digest."""
    from consult.participation.models import Disposition

    round_id = round_.id
    queries = [
        select(func.count(), func.max(Comment.updated_at)).where(Comment.round_id == round_id),
        select(func.count(), func.max(Support.id)).where(Support.round_id == round_id),
        select(func.count(), func.max(Brief.updated_at)).where(Brief.round_id == round_id),
        select(func.count(), func.max(BriefPosition.id)).join(Brief, Brief.id == BriefPosition.brief_id)
        .where(Brief.round_id == round_id),
        select(func.count(), func.max(BriefCosigner.updated_at)).join(Brief, Brief.id == BriefCosigner.brief_id)
        .where(Brief.round_id == round_id),
        select(func.count(), func.max(ProposedNeed.updated_at)).where(ProposedNeed.round_id == round_id),
        select(func.count(), func.max(Disposition.updated_at)).where(Disposition.round_id == round_id),
        select(func.count(), func.max(ParticipantProfile.updated_at)),
    ]
    return [[str(value) for value in db.session.execute(query).one()] for query in queries]
