"""Who took part in a round compared with who lives in the territory, by local area and by age band.

Participants are the people who took part as themselves: wrote a visible comment, supported an item or
proposed a need (a representative commenting counts too). The establishment's own planners and moderators
are left out: they speak for the institution, not as residents. A person counts once, with their consented
profile; a person with no profile, or who left a question blank, is "not stated" — never guessed.

Population figures come from the needs portrait (step 1), read with the project's rule (`EquitySettings`,
or the defaults): **an indicator is a population figure when its name contains the word "population"
(accents and case aside) and its unit is a count — not a rate (%, "pour 1 000", "per 1,000")**. Its age
band is read from its name: "moins de 18 ans" / "under 18", "18 à 34 ans" / "18 to 34", "75 ans et plus" /
"75 and over"; a name with no age is the whole population of its territory. Only the latest year of each
(territory, age band) counts. The version read is the needs portrait in consultation in the round when it
holds population figures, otherwise the latest published version of the portrait that does.
When figures exist for a territory and for territories inside it, the most detailed ones are kept.

A participant's area is the population area that is their profile's area or contains it; a profile area
wider than the portrait's areas, or outside them, is counted apart ("wider area" / "outside").

Shares compare like with like: a group's share of the participants placed in the portrait's areas (or of
the participants with a stated age band that the portrait covers) against its share of the population.
The participants' shares are taken among the groups whose count is shown, so that a hidden count cannot be
worked out from them.
A group is **under-represented** when that ratio is below the threshold (0.5 by default). Counts of 1 to 4
people are never shown; a cell hidden this way is flagged as under-represented only when even 4 people
would be too few, so the flag tells nothing more than "fewer than 5". When exactly one cell of a table is
hidden, the next smallest is hidden too, so it cannot be worked out from the total.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, union

from consult.core.db import db
from consult.equity import services
from consult.equity.models import EquitySettings
from consult.organizations.models import Organization, organization_territories
from consult.participation.models import (
    Brief,
    BriefCosigner,
    BriefState,
    Comment,
    CosignState,
    ParticipantProfile,
    ProposedNeed,
    Support,
)
from consult.projects.models import ProjectStep, StepVersion, VersionItem
from consult.rounds.models import ConsultationRound, InvitationState, RoundInvitation
from consult.summaries.analysis import fold
from consult.territories.models import TerritoryNode

SUPPRESS_BELOW = ParticipantProfile.MIN_GROUP  # 5
_NUMBER = re.compile(r"\d+")
_RATE_WORDS = {"pour", "per", "par", "taux", "rate"}
MAX_AGE = 150

# The participant profile's age bands as (low, high) years.
PROFILE_BANDS: dict[str, tuple[int, int]] = {
    "under_18": (0, 17), "18_34": (18, 34), "35_49": (35, 49), "50_64": (50, 64), "65_74": (65, 74),
    "75_plus": (75, MAX_AGE),
}


# ------------------------------------------------------------------------------------------------ cells


@dataclass
class Cell:
    """A count of people as shown: `value` None when hidden; `reason` "small" (1 to 4) or "secondary"
    (hidden so that a small cell cannot be worked out from the total)."""

    raw: int
    value: int | None
    reason: str | None = None

    @property
    def suppressed(self) -> bool:
        return self.value is None


def people(n: int) -> Cell:
    if 0 < n < SUPPRESS_BELOW:
        return Cell(n, None, "small")
    return Cell(n, n)


def inputs(n: int) -> Cell:
    """A count of inputs: shown, unless the people who wrote them are hidden (see `_hide_inputs`)."""
    return Cell(n, n)


def protect(cells: list[Cell]) -> None:
    """Hide the smallest shown non-zero cell when exactly one cell is hidden (complementary suppression)."""
    hidden = [c for c in cells if c.suppressed]
    if len(hidden) != 1:
        return
    shown = sorted((c for c in cells if not c.suppressed and c.raw > 0), key=lambda c: c.raw)
    if shown:
        shown[0].value = None
        shown[0].reason = "secondary"


# ----------------------------------------------------------------------------------------- population


@dataclass(frozen=True)
class Figure:
    code: str
    name: str
    band: tuple[int, int] | None     # None: all ages
    value: float
    year: int
    source: str


def is_rate(unit: str) -> bool:
    folded = fold(unit or "")
    return "%" in folded or "‰" in folded or bool(_RATE_WORDS & set(re.findall(r"[a-z]+", folded)))


def is_population(data: dict[str, Any], keyword: str) -> bool:
    name = fold(str(data.get("name", "")))
    word = fold(keyword).strip()
    return bool(word) and re.search(r"\b" + re.escape(word), name) is not None and not is_rate(
        str(data.get("unit", "")))


def age_band_of(name: str) -> tuple[int, int] | None:
    """(low, high) years from an indicator's name; None when it names no age (the whole population)."""
    folded = fold(name)
    numbers = [int(n) for n in _NUMBER.findall(folded) if int(n) <= MAX_AGE]
    if not numbers:
        return None
    if re.search(r"\b(moins de|under|less than|younger than)\b", folded):
        return (0, numbers[0] - 1)
    if len(numbers) >= 2:
        low, high = numbers[0], numbers[1]
        return (low, high) if low <= high else None
    if re.search(r"\b(et plus|plus|over|older|and more)\b|\+", folded):
        return (numbers[0], MAX_AGE)
    return None


def band_key(band: tuple[int, int]) -> str:
    for key, value in PROFILE_BANDS.items():
        if value == band:
            return key
    low, high = band
    if low == 0:
        return f"under_{high + 1}"
    return f"{low}_plus" if high >= MAX_AGE else f"{low}_{high}"


def band_label(band: tuple[int, int]) -> str:
    key = band_key(band)
    if key in ParticipantProfile.AGE_BANDS:
        return str(ParticipantProfile.AGE_BANDS[key])
    low, high = band
    if low == 0:
        return _("Under %(age)d", age=high + 1)
    if high >= MAX_AGE:
        return _("%(age)d and over", age=low)
    return _("%(low)d to %(high)d", low=low, high=high)


def _versions(round_: ConsultationRound) -> list[StepVersion]:
    """The needs-portrait versions to read, in order of preference."""
    own = [v for v in round_.versions if v.step.number == 1]
    published = list(db.session.scalars(
        select(StepVersion).join(ProjectStep, ProjectStep.id == StepVersion.step_id)
        .where(ProjectStep.project_id == round_.project_id, ProjectStep.number == 1)
        .order_by(StepVersion.number.desc())))
    return own + [v for v in published if v not in own]


def population_figures(round_: ConsultationRound, settings: EquitySettings) -> tuple[list[Figure],
                                                                                       StepVersion | None]:
    for version in _versions(round_):
        rows = db.session.scalars(select(VersionItem).where(VersionItem.version_id == version.id,
                                                            VersionItem.kind == "indicator")
                                  .order_by(VersionItem.position))
        latest: dict[tuple[str, tuple[int, int] | None], Figure] = {}
        for item in rows:
            data = item.data
            territory = data.get("territory") or {}
            if not territory.get("code") or not is_population(data, settings.population_keyword):
                continue
            try:
                value = float(data["value"])
                year = int(data.get("year") or 0)
            except (TypeError, ValueError, KeyError):
                continue
            figure = Figure(territory["code"], territory.get("name", territory["code"]),
                            age_band_of(str(data.get("name", ""))), value, year, str(data.get("source") or ""))
            key = (figure.code, figure.band)
            if key not in latest or latest[key].year < figure.year:
                latest[key] = figure
        if latest:
            return list(latest.values()), version
    return [], None


def _finest_bands(bands: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Non-overlapping bands, narrow ones first: "65 to 74" and "75 and over" win over "65 and over"."""
    chosen: list[tuple[int, int]] = []
    for band in sorted(bands, key=lambda b: (b[1] - b[0], b[0])):
        if all(band[1] < other[0] or band[0] > other[1] for other in chosen):
            chosen.append(band)
    return sorted(chosen)


# --------------------------------------------------------------------------------------------- territory


class Tree:
    """Territory nodes by id and code, with their parents, loaded once."""

    def __init__(self) -> None:
        rows = db.session.execute(select(TerritoryNode.id, TerritoryNode.code, TerritoryNode.name,
                                         TerritoryNode.parent_id)).all()
        self.parent = {r.id: r.parent_id for r in rows}
        self.code = {r.id: r.code for r in rows}
        self.name = {r.id: r.name for r in rows}
        self.by_code = {r.code: r.id for r in rows}

    def chain(self, node_id: int | None) -> list[int]:
        """The node and its ancestors, nearest first."""
        found, seen = [], set()
        while node_id is not None and node_id not in seen:
            seen.add(node_id)
            found.append(node_id)
            node_id = self.parent.get(node_id)
        return found

    def place(self, node_id: int, areas: set[int]) -> int | str:
        """The area of `areas` that is `node_id` or holds it; "wider" when the node holds an area;
        "outside" otherwise."""
        for ancestor in self.chain(node_id):
            if ancestor in areas:
                return ancestor
        if any(node_id in self.chain(area) for area in areas):
            return "wider"
        return "outside"


# ----------------------------------------------------------------------------------------------- tables


@dataclass
class Row:
    key: str | None            # area node id (text), band key, group key; None for "not stated"
    label: str
    people: Cell
    inputs: Cell | None = None             # comments and proposed needs by these people
    population: float | None = None
    population_share: float | None = None
    share: float | None = None             # of the comparable participants; None when hidden or no base
    ratio: float | None = None
    under_represented: bool = False
    comparable: bool = True                # False: "not stated", "wider area", "outside", no figure
    organizations: int | None = None       # organizations that took part serving this area
    code: str = ""


@dataclass
class Table:
    rows: list[Row] = field(default_factory=list)
    participants: int = 0                  # everyone counted in the table
    base: int = 0                          # the comparable participants (denominator of shares)
    comparable: bool = False               # enough stated answers and population figures to compare

    @property
    def under_represented(self) -> list[Row]:
        return [r for r in self.rows if r.under_represented]


@dataclass
class Report:
    settings: EquitySettings
    version: StepVersion | None
    years: list[int]
    sources: list[str]
    participants: int
    areas: Table
    ages: Table
    groups: Table
    organizations_without_territory: int
    threshold: float

    @property
    def has_population(self) -> bool:
        return self.version is not None


def participants(round_: ConsultationRound) -> dict[int, int]:
    """user_id → number of inputs (visible comments and proposed needs) of everyone who took part as
    themselves, the establishment's staff left out."""
    from consult.accounts.models import EstablishmentRole

    rid = round_.id
    ids = union(
        select(Comment.author_id.label("user_id")).where(Comment.round_id == rid, Comment.hidden_at.is_(None),
                                                         Comment.author_id.is_not(None)),
        select(Support.user_id.label("user_id")).where(Support.round_id == rid),
        select(ProposedNeed.author_id.label("user_id")).where(ProposedNeed.round_id == rid,
                                                              ProposedNeed.hidden_at.is_(None),
                                                              ProposedNeed.author_id.is_not(None)),
    ).subquery("people")
    staff = set(db.session.scalars(select(EstablishmentRole.user_id).where(
        EstablishmentRole.establishment_id == round_.establishment_id)))
    found = {uid: 0 for uid in db.session.scalars(select(ids.c.user_id)) if uid not in staff}
    for uid, count in db.session.execute(
            select(Comment.author_id, func.count()).where(Comment.round_id == rid, Comment.hidden_at.is_(None))
            .group_by(Comment.author_id)):
        if uid in found:
            found[uid] += count
    for uid, count in db.session.execute(
            select(ProposedNeed.author_id, func.count()).where(ProposedNeed.round_id == rid,
                                                                  ProposedNeed.hidden_at.is_(None))
            .group_by(ProposedNeed.author_id)):
        if uid in found:
            found[uid] += count
    return found


def profiles(user_ids: list[int]) -> dict[int, ParticipantProfile]:
    found: dict[int, ParticipantProfile] = {}
    for start in range(0, len(user_ids), 500):
        for profile in db.session.scalars(select(ParticipantProfile).where(
                ParticipantProfile.user_id.in_(user_ids[start:start + 500]))):
            found[profile.user_id] = profile
    return found


def organizations_that_took_part(round_: ConsultationRound) -> list[int]:
    rid = round_.id
    briefs = (Brief.round_id == rid, Brief.state == BriefState.submitted)
    ids = union(
        select(Brief.organization_id.label("organization_id")).where(*briefs),
        select(BriefCosigner.organization_id.label("organization_id")).join(Brief, Brief.id == BriefCosigner.brief_id)
        .where(*briefs, BriefCosigner.state == CosignState.confirmed),
        select(RoundInvitation.organization_id.label("organization_id")).where(
            RoundInvitation.round_id == rid, RoundInvitation.state == InvitationState.took_part,
            RoundInvitation.organization_id.is_not(None)),
    ).subquery("taking_part_organizations")
    return list(db.session.scalars(select(Organization.id).join(ids, ids.c.organization_id == Organization.id)))


def _shares(table: Table, threshold: float) -> None:
    """Shares, ratios and flags of the comparable rows (see the module's rules). A participants' share is
    taken among the comparable rows whose count is shown, so that no hidden count can be worked out from the
    shares; the population's share among all comparable rows (population figures are public)."""
    comparable = [r for r in table.rows if r.comparable]
    table.base = sum(r.people.raw for r in comparable if not r.people.suppressed)
    total_population = sum(r.population or 0 for r in comparable)
    table.comparable = table.base >= SUPPRESS_BELOW and total_population > 0
    for row in comparable:
        if total_population > 0 and row.population is not None:
            row.population_share = row.population / total_population
        if not table.comparable or not row.population_share:
            continue
        if row.people.suppressed:
            # Hidden: flagged only when even 4 people would be too few, which tells nothing beyond "fewer
            # than 5". A cell hidden to protect another one is not flagged: that would hint at its value.
            if row.people.reason == "small":
                row.under_represented = ((SUPPRESS_BELOW - 1) / table.base) / row.population_share < threshold
            continue
        row.share = row.people.raw / table.base
        row.ratio = row.share / row.population_share
        row.under_represented = row.ratio < threshold


def _hide_inputs(rows: list[Row]) -> None:
    for row in rows:
        if row.inputs is not None and row.people.suppressed:
            row.inputs = Cell(row.inputs.raw, None, "with_people")  # shown as "not shown"


def report(round_: ConsultationRound) -> Report:
    settings = services.settings_for(round_.project)
    threshold = float(settings.threshold)
    figures, version = population_figures(round_, settings)
    tree = Tree()
    taking_part = participants(round_)
    found_profiles = profiles(sorted(taking_part))

    # Population by area: all-ages figures, or the sum of an area's finest age bands; detailed areas win.
    bands = _finest_bands({f.band for f in figures if f.band is not None})
    by_area: dict[int, float] = {}
    by_band: Counter = Counter()
    for code in {f.code for f in figures}:
        node_id = tree.by_code.get(code)
        if node_id is None:
            continue
        total = next((f.value for f in figures if f.code == code and f.band is None), None)
        if total is None:
            total = sum(f.value for f in figures if f.code == code and f.band in bands) or None
        if total is not None:
            by_area[node_id] = total
    areas = {a for a in by_area if not any(a in tree.chain(b)[1:] for b in by_area)}
    band_areas = {tree.by_code.get(f.code) for f in figures if f.band in bands}
    band_areas = {a for a in band_areas if a is not None and not any(a in tree.chain(b)[1:] for b in band_areas
                                                                       if b is not None)}
    for f in figures:
        if f.band in bands and tree.by_code.get(f.code) in band_areas:
            by_band[f.band] += f.value

    # Participants by area, band and group.
    area_people: Counter = Counter()
    area_inputs: Counter = Counter()
    age_people: Counter = Counter()
    age_inputs: Counter = Counter()
    group_people: Counter = Counter()
    group_inputs: Counter = Counter()
    for uid, written in taking_part.items():
        profile = found_profiles.get(uid)
        area_key: Any = None
        if profile is not None and profile.area_id is not None:
            # With no population figure, people are listed by the area they gave, with nothing to compare.
            area_key = tree.place(profile.area_id, areas) if areas else profile.area_id
        area_people[area_key] += 1
        area_inputs[area_key] += written
        age = profile.age_band if profile is not None else None
        age_people[age] += 1
        age_inputs[age] += written
        group = profile.population_group if profile is not None else None
        group_people[group] += 1
        group_inputs[group] += written

    # Organizations that took part, by the areas they serve (a territory that is the area, holds it, or
    # lies inside it).
    organization_ids = organizations_that_took_part(round_)
    served: dict[int, set[int]] = {}
    for organization_id, territory_id in db.session.execute(
            select(organization_territories.c.organization_id, organization_territories.c.territory_id)
            .where(organization_territories.c.organization_id.in_(organization_ids))):
        served.setdefault(organization_id, set()).add(territory_id)
    without_territory = sum(1 for o in organization_ids if not served.get(o))

    def organizations_in(area: int) -> int:
        return sum(1 for territories in served.values()
                   if any(area in tree.chain(t) or t in tree.chain(area) for t in territories))

    area_table = Table(participants=len(taking_part))
    for area in sorted(areas, key=lambda a: tree.code[a]):
        area_table.rows.append(Row(str(area), tree.name[area], people(area_people[area]),
                                   inputs(area_inputs[area]), population=by_area[area], code=tree.code[area],
                                   organizations=organizations_in(area)))
    for area in sorted((k for k in area_people if isinstance(k, int) and k not in areas),
                       key=lambda a: tree.code.get(a, "")):
        area_table.rows.append(Row(str(area), tree.name.get(area, ""), people(area_people[area]),
                                   inputs(area_inputs[area]), code=tree.code.get(area, ""), comparable=False,
                                   organizations=organizations_in(area)))
    for key, text in (("wider", _("A wider area than the portrait's")),
                      ("outside", _("Outside the portrait's areas"))):
        if area_people[key]:
            area_table.rows.append(Row(key, text, people(area_people[key]), inputs(area_inputs[key]),
                                       comparable=False))
    area_table.rows.append(Row(None, _("Not stated"), people(area_people[None]), inputs(area_inputs[None]),
                               comparable=False))
    protect([r.people for r in area_table.rows])

    age_table = Table(participants=len(taking_part))
    covered: set[str] = set()
    for band in bands:
        keys = [k for k, (low, high) in PROFILE_BANDS.items() if band[0] <= low and high <= band[1]]
        covered.update(keys)
        age_table.rows.append(Row(band_key(band), band_label(band), people(sum(age_people[k] for k in keys)),
                                  inputs(sum(age_inputs[k] for k in keys)), population=by_band[band]))
    for key, text in ParticipantProfile.AGE_BANDS.items():
        if key not in covered:
            age_table.rows.append(Row(key, str(text), people(age_people[key]), inputs(age_inputs[key]),
                                      comparable=False))
    for key in sorted(k for k in age_people if k is not None and k not in ParticipantProfile.AGE_BANDS):
        age_table.rows.append(Row(key, key, people(age_people[key]), inputs(age_inputs[key]), comparable=False))
    age_table.rows.append(Row(None, _("Not stated"), people(age_people[None]), inputs(age_inputs[None]),
                              comparable=False))
    protect([r.people for r in age_table.rows])

    group_table = Table(participants=len(taking_part))
    keys = list(ParticipantProfile.POPULATION_GROUPS)
    keys += sorted(k for k in group_people if k is not None and k not in keys)
    for key in keys:
        text = ParticipantProfile.POPULATION_GROUPS.get(key, key)
        group_table.rows.append(Row(key, str(text), people(group_people[key]), inputs(group_inputs[key]),
                                    comparable=False))
    group_table.rows.append(Row(None, _("Not stated"), people(group_people[None]), inputs(group_inputs[None]),
                                comparable=False))
    protect([r.people for r in group_table.rows])

    for table in (area_table, age_table, group_table):
        _hide_inputs(table.rows)
    _shares(area_table, threshold)
    _shares(age_table, threshold)
    return Report(settings=settings, version=version, years=sorted({f.year for f in figures}),
                  sources=sorted({f.source for f in figures if f.source}), participants=len(taking_part),
                  areas=area_table, ages=age_table, groups=group_table,
                  organizations_without_territory=without_territory, threshold=threshold)
