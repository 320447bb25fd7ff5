"""What follows from each need: the gaps analysed on it, the care models addressing those gaps, the offer
elements answering the gaps or models, and the actors responsible for those offer elements. Also the
coverage report (needs with no gap analysis, gaps with no model, offer elements with no responsible actor)
and the needs × resources grid. Computed on the working copy or on the published versions alike."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from consult.projects.kinds import label
from consult.projects.queries import PublishedSource, WorkingSource, models_of

Source = WorkingSource | PublishedSource


@dataclass
class Trace:
    uid: str
    need: dict[str, Any]
    gaps: list[tuple[str, dict]] = field(default_factory=list)
    models: list[tuple[str, dict]] = field(default_factory=list)
    offers: list[tuple[str, dict]] = field(default_factory=list)
    actors: list[tuple[str, str]] = field(default_factory=list)  # (actor, level)


@dataclass
class Coverage:
    needs_without_gap: list[tuple[str, dict]]
    gaps_without_model: list[tuple[str, dict]]
    offers_without_actor: list[tuple[str, dict]]

    @property
    def complete(self) -> bool:
        return not (self.needs_without_gap or self.gaps_without_model or self.offers_without_actor)


@dataclass
class Graph:
    needs: list[tuple[str, dict]]
    gaps: list[tuple[str, dict]]
    models: list[tuple[str, dict]]
    offers: list[tuple[str, dict]]
    responsibilities: list[tuple[str, dict]]


def graph(source: Source) -> Graph:
    return Graph(source.items("need"), source.items("gap"), models_of(source), source.items("offer"),
                 source.items("responsibility"))


def _unique(pairs: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    seen, out = set(), []
    for uid, data in pairs:
        if uid not in seen:
            seen.add(uid)
            out.append((uid, data))
    return out


def traces(g: Graph) -> list[Trace]:
    gaps_by_need: dict[str, list] = defaultdict(list)
    for uid, gap in g.gaps:
        gaps_by_need[gap["need"]["uid"]].append((uid, gap))
    models_by_gap: dict[str, list] = defaultdict(list)
    for uid, model in g.models:
        for ref in model["gaps"]:
            models_by_gap[ref["uid"]].append((uid, model))
    offers_by_gap: dict[str, list] = defaultdict(list)
    offers_by_model: dict[str, list] = defaultdict(list)
    for uid, offer in g.offers:
        for ref in offer["gaps"]:
            offers_by_gap[ref["uid"]].append((uid, offer))
        for ref in offer["models"]:
            offers_by_model[ref["uid"]].append((uid, offer))
    actors_by_offer: dict[str, list] = defaultdict(list)
    for _uid, responsibility in g.responsibilities:
        for assignment in responsibility["assignments"]:
            actors_by_offer[responsibility["offer"]["uid"]].append((assignment["actor"], assignment["level"]))

    result = []
    for uid, need in g.needs:
        trace = Trace(uid, need, gaps=gaps_by_need.get(uid, []))
        models = [m for gap_uid, _gap in trace.gaps for m in models_by_gap.get(gap_uid, [])]
        trace.models = _unique(models)
        offers = [o for gap_uid, _gap in trace.gaps for o in offers_by_gap.get(gap_uid, [])]
        offers += [o for model_uid, _model in trace.models for o in offers_by_model.get(model_uid, [])]
        trace.offers = _unique(offers)
        actors = [a for offer_uid, _offer in trace.offers for a in actors_by_offer.get(offer_uid, [])]
        trace.actors = list(dict.fromkeys(actors))
        result.append(trace)
    return result


def coverage(g: Graph) -> Coverage:
    needs_with_gap = {gap["need"]["uid"] for _uid, gap in g.gaps}
    gaps_with_model = {ref["uid"] for _uid, model in g.models for ref in model["gaps"]}
    offers_with_actor = {r["offer"]["uid"] for _uid, r in g.responsibilities if r["assignments"]}
    return Coverage(
        needs_without_gap=[(u, d) for u, d in g.needs if u not in needs_with_gap],
        gaps_without_model=[(u, d) for u, d in g.gaps if u not in gaps_with_model],
        offers_without_actor=[(u, d) for u, d in g.offers if u not in offers_with_actor],
    )


def _names(pairs: list[tuple[str, dict]], key: str) -> str:
    return "; ".join(d[key] for _uid, d in pairs)


def traces_csv(rows: list[Trace]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("Need uid"), _("Need"), _("Priority"), _("Gaps"), _("Care models"), _("Offer elements"),
                     _("Responsible actors")])
    for t in rows:
        writer.writerow([t.uid, t.need["title"], label("priority", t.need["priority"]), _names(t.gaps, "title"),
                         _names(t.models, "name"), _names(t.offers, "name"),
                         "; ".join(f"{actor} ({label('level', level)})" for actor, level in t.actors)])
    return "\ufeff" + out.getvalue()  # a BOM, so that Excel reads the accents


def coverage_csv(report: Coverage) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("Problem"), _("Uid"), _("Item")])
    for uid, need in report.needs_without_gap:
        writer.writerow([_("Need with no gap analysis"), uid, need["title"]])
    for uid, gap in report.gaps_without_model:
        writer.writerow([_("Gap with no care model"), uid, gap["title"]])
    for uid, offer in report.offers_without_actor:
        writer.writerow([_("Offer element with no responsible actor"), uid, offer["name"]])
    return "\ufeff" + out.getvalue()


@dataclass
class GridRow:
    uid: str
    need: dict[str, Any]
    covered: set[str]
    total: int


def grid(source: Source) -> tuple[list[tuple[str, dict]], list[tuple[str, dict]], dict[str, set[str]]]:
    """(needs, services, need uid → uids of the services answering it)."""
    needs = source.items("need")
    services = source.items("service")
    answers: dict[str, set[str]] = defaultdict(set)
    for uid, service in services:
        for ref in service["needs"]:
            answers[ref["uid"]].add(uid)
    return needs, services, answers
