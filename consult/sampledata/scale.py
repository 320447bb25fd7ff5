"""`consult bench seed --scale small|province`: a realistic establishment at scale, for the benchmark harness.

At province scale: 60 needs, 2,000 indicators, 1,000 services, 400 organizations, 50,000 comments (French
and English, threads, a form-letter campaign; 10,000 of them on one need), supports, and 1,500 briefs of
which 500 carry a generated 5-page PDF. A second project of the same establishment is the workspace at
issue 3's scale (200 needs, 2,000 indicators, 1,000 services, with gaps, models, offer elements and roles;
see workspace.py); the pages a benchmark should load on it are printed, one `Workspace page: <name>: <path>`
line each. Rows go in with bulk INSERTs (minutes, not hours); everything is drawn from a seeded generator,
so two runs give the same data. Runs once: a second call reports that the dataset is there and changes
nothing.
"""

from __future__ import annotations

import hashlib
import random
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from consult.accounts.models import EstablishmentRole, EstablishmentRoleKind, User
from consult.accounts.passwords import hash_password
from consult.core.db import db, now_utc
from consult.organizations.models import Organization, OrganizationKind, fold
from consult.participation.models import (
    Brief,
    BriefAttachment,
    BriefState,
    BriefVisibility,
    Comment,
    Support,
)
from consult.projects import services as projects
from consult.projects.models import (
    ClinicalProject,
    Determinant,
    Indicator,
    Level3,
    ProviderKind,
    Service,
    StepVersion,
    VersionItem,
)
from consult.rounds.models import Audience, ConsultationRound, ParticipationLevel, RoundState
from consult.sampledata import texts, workspace
from consult.sampledata.pdf import make_pdf
from consult.sampledata.workspace import Workspace
from consult.storage import get_storage
from consult.territories import services as territories
from consult.territories.models import Establishment, Level, TerritoryNode

ESTABLISHMENT = "CISSS de la Montérégie-Centre (données d'échelle)"
PASSWORD = "demo-consult-2026"
EMAIL = "participant{n}@echelle.consult.ca"
PLANNER = "planificateur@echelle.consult.ca"


@dataclass(frozen=True)
class Scale:
    needs: int
    indicators: int
    services: int
    organizations: int
    participants: int
    comments: int
    hot_need_comments: int  # comments on the first need: the "need with 10,000 comments" page
    supports: int
    briefs: int
    pdf_briefs: int
    workspace: Workspace  # the second project: issue 3's scale, every step filled and published
    pdf_pages: int = 5


SCALES = {
    "small": Scale(needs=12, indicators=200, services=100, organizations=40, participants=300, comments=3_000,
                   hot_need_comments=1_000, supports=1_000, briefs=60, pdf_briefs=20,
                   workspace=Workspace(needs=80, indicators=300, services=150, gaps=100, models=60, offers=40,
                                       responsibilities=80)),
    "province": Scale(needs=60, indicators=2_000, services=1_000, organizations=400, participants=5_000,
                      comments=50_000, hot_need_comments=10_000, supports=20_000, briefs=1_500, pdf_briefs=500,
                      workspace=Workspace(needs=200, indicators=2_000, services=1_000, gaps=300, models=80,
                                          offers=120, responsibilities=240)),
}


def _bulk(model: type, rows: list[dict[str, Any]], chunk: int = 5_000) -> None:
    for start in range(0, len(rows), chunk):
        db.session.execute(insert(model.__table__), rows[start:start + chunk])


def _next_id(model: type) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _sync_sequence(model: type) -> None:
    """Rows inserted with explicit ids leave PostgreSQL's sequence behind; move it past them."""
    if db.engine.dialect.name == "postgresql":
        table = model.__tablename__
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))


def _territory() -> tuple[TerritoryNode, list[TerritoryNode], list[TerritoryNode]]:
    region = territories.node_by_code("16") or territories.create_node("16", "Montérégie", Level.region, None)
    rls_nodes, areas = [], []
    for r in range(1, 4):
        rls = territories.create_node(f"16{50 + r}", f"RLS Montérégie-Centre {r}", Level.rls, region)
        rls_nodes.append(rls)
        for c in range(1, 4):
            clsc = territories.create_node(f"16{50 + r}{c}", f"CLSC {texts.AREAS[(r * 3 + c) % 10]} {r}{c}",
                                           Level.clsc, rls)
            for n in range(1, 4):
                areas.append(territories.create_node(f"16{50 + r}{c}-{n:02d}", f"Secteur {r}{c}-{n}",
                                                     Level.neighbourhood, clsc))
    return region, rls_nodes, areas


def seed(scale_name: str, report=print) -> dict[str, int]:
    """Create the dataset; returns the counts created (empty when it already exists)."""
    scale = SCALES[scale_name]
    if db.session.scalar(select(Establishment).where(Establishment.name == ESTABLISHMENT)) is not None:
        report(f"The scale dataset ({ESTABLISHMENT}) is already there; nothing changed.")
        return {}
    rng = random.Random(20261122)
    started = time.monotonic()
    now = now_utc()
    region, rls_nodes, areas = _territory()
    establishment = territories.save_establishment(None, name=ESTABLISHMENT, kind="CISSS", region=region,
                                                   territories=rls_nodes, formed_voluntarily=False)
    projects.add_default_programmes()
    project = projects.create_project(establishment, projects.programme_by_code("palv"),
                                      title="Projet clinique PALV (données d'échelle)",
                                      summary="Jeu de données généré pour mesurer les performances.",
                                      start_date=None, end_date=None, territories=rls_nodes)
    db.session.flush()

    # Organizations, in bulk (name_key is normally set by a mapper event, which bulk inserts skip).
    kinds = list(OrganizationKind)
    org_rows = []
    for n in range(scale.organizations):
        name = f"{rng.choice(['Carrefour', 'Maison', 'Centre', 'Popote', 'Table', 'Association'])} " \
               f"{rng.choice(texts.AREAS)} {n + 1}"
        org_rows.append({"name": name, "name_key": fold(name), "kind": kinds[n % len(kinds)],
                         "relationships_public": False, "created_at": now, "updated_at": now})
    _bulk(Organization, org_rows)
    org_ids = list(db.session.scalars(select(Organization.id).where(
        Organization.name.in_([row["name"] for row in org_rows])).order_by(Organization.id)))

    # Step 1: needs through the service (they carry areas), indicators in bulk; step 2: services in bulk.
    determinants = list(Determinant)
    for n in range(scale.needs):
        topic, _ask = texts.TOPICS_FR[n % len(texts.TOPICS_FR)]
        projects.save_item(project, "need", None, {
            "title": f"{topic[0].upper()}{topic[1:]} — {texts.AREAS[n % 10]} ({n + 1})",
            "description": texts.comment(rng), "population_groups": ["aînés"],
            "areas": [areas[n % len(areas)]], "determinant": determinants[n % len(determinants)],
            "priority": list(Level3)[n % 3], "sources": "Données générées"})
    _bulk(Indicator, [{"uid": str(uuid.UUID(int=rng.getrandbits(128))), "position": n, "lock_version": 1,
                       "project_id": project.id, "name": f"Indicateur {n % 50 + 1}", "unit": "%",
                       "value": round(rng.uniform(1, 60), 1), "year": 2016 + n % 8,
                       "territory_id": areas[n % len(areas)].id, "source": "Données générées",
                       "created_at": now, "updated_at": now} for n in range(scale.indicators)])
    provider_kinds = list(ProviderKind)
    _bulk(Service, [{"uid": str(uuid.UUID(int=rng.getrandbits(128))), "position": n, "lock_version": 1,
                     "project_id": project.id, "name": f"Service {n + 1} — {rng.choice(texts.TOPICS_FR)[1][:120]}",
                     "description": texts.comment(rng), "organization_id": org_ids[n % len(org_ids)],
                     "provider_kind": provider_kinds[n % len(provider_kinds)], "created_at": now,
                     "updated_at": now} for n in range(scale.services)])
    db.session.flush()
    db.session.expire_all()
    project = db.session.get(ClinicalProject, project.id)
    needs_version = projects.transition(project.step(1), "publish", None)
    projects.transition(project.step(2), "publish", None)
    db.session.flush()

    round_ = ConsultationRound(
        project=project, title="Consultation sur le portrait des besoins (données d'échelle)",
        mandate="Le portrait des besoins reflète-t-il votre réalité ?", audience=Audience.both,
        participation_level=ParticipationLevel.consultation, budgets_in_scope=False,
        opens_at=now - timedelta(days=20), closes_at=now + timedelta(days=25), state=RoundState.open,
        state_changed_at=now - timedelta(days=20), versions=[needs_version])
    db.session.add(round_)
    db.session.flush()

    # Participants: one password hash for all (argon2 is deliberately slow).
    digest = hash_password(PASSWORD)
    first_user = _next_id(User)
    _bulk(User, [{"id": first_user + n, "email": EMAIL.format(n=n + 1), "password_hash": digest,
                  "display_name": f"Participant {n + 1}", "locale": "en" if n % 7 == 0 else "fr",
                  "is_admin": False, "email_verified_at": now, "privacy_accepted_at": now, "auth_version": 1,
                  "created_at": now, "updated_at": now} for n in range(scale.participants)])
    _sync_sequence(User)
    user_ids = list(range(first_user, first_user + scale.participants))

    need_uids = list(db.session.scalars(select(VersionItem.uid).where(
        VersionItem.version_id == needs_version.id, VersionItem.kind == "need").order_by(VersionItem.position)))
    _comments(rng, scale, round_, needs_version, need_uids, user_ids)
    _supports(rng, scale, round_, needs_version, need_uids, user_ids)
    pdfs = _briefs(rng, scale, round_, org_ids, now)
    db.session.flush()
    counts = {"needs": scale.needs, "indicators": scale.indicators, "services": scale.services,
              "organizations": scale.organizations, "participants": scale.participants,
              "comments": scale.comments, "supports": scale.supports, "briefs": scale.briefs, "pdfs": pdfs}
    report(f"Scale dataset '{scale_name}' created in {time.monotonic() - started:.1f}s: "
           + ", ".join(f"{v} {k}" for k, v in counts.items()))
    report(f"Round {round_.id}; the need with {scale.hot_need_comments} comments: "
           f"/rounds/{round_.id}/items/{needs_version.id}/{need_uids[0]}")

    # The workspace at issue 3's scale: a second project, so the round's figures above stay as issue 10
    # states them. Its own generator, so changing the round's data never changes the workspace's.
    started = time.monotonic()
    planner = User(email=PLANNER, password_hash=digest, display_name="Planificatrice (données d'échelle)",
                   locale="fr", is_admin=False, email_verified_at=now, privacy_accepted_at=now)
    db.session.add(planner)
    db.session.add(EstablishmentRole(user=planner, establishment=establishment, role=EstablishmentRoleKind.planner))
    plan = projects.create_project(establishment, projects.programme_by_code("palv"),
                                   title="Projet clinique PALV 2026-2031 (espace de travail à l'échelle)",
                                   summary="Les six étapes d'un projet clinique complet, générées pour mesurer "
                                           "les pages de l'espace de travail.",
                                   start_date=None, end_date=None, territories=rls_nodes)
    db.session.flush()
    made = workspace.build(plan, scale.workspace, random.Random(20261123), areas, org_ids)
    latest = workspace.publish(plan, random.Random(20261124))
    db.session.flush()
    counts |= {f"workspace {kind}": n for kind, n in made.items()}
    report(f"Workspace project created in {time.monotonic() - started:.1f}s: "
           + ", ".join(f"{n} {kind}" for kind, n in made.items()))
    workspace.report_pages(plan, latest, PLANNER, report)
    return counts


def _comments(rng: random.Random, scale: Scale, round_: ConsultationRound, version: StepVersion,
              need_uids: list[str], user_ids: list[int]) -> None:
    """Comments with threads: about 70 % first-level, the rest replies to an earlier comment of the item."""
    next_id = _next_id(Comment)
    start = round_.opens_at
    span = (now_utc() - start).total_seconds()
    rows: list[dict[str, Any]] = []
    roots: dict[str, list[int]] = {uid: [] for uid in need_uids}
    replies: dict[int, int] = {}
    for n in range(scale.comments):
        uid = need_uids[0] if n < scale.hot_need_comments else need_uids[1 + n % (len(need_uids) - 1)]
        lang = "en" if rng.random() < 0.15 else "fr"
        body = texts.campaign_letter(rng) if lang == "fr" and rng.random() < 0.05 else texts.comment(rng, lang)
        at = start + timedelta(seconds=span * n / scale.comments)
        parent = rng.choice(roots[uid]) if roots[uid] and rng.random() < 0.3 else None
        cid = next_id + n
        rows.append({"id": cid, "round_id": round_.id, "version_id": version.id, "item_uid": uid,
                     "item_kind": "need", "parent_id": parent, "root_id": parent or cid,
                     "author_id": rng.choice(user_ids), "body": body, "reply_count": 0,
                     "created_at": at, "updated_at": at})
        if parent is None:
            roots[uid].append(cid)
        else:
            replies[parent] = replies.get(parent, 0) + 1
    for row in rows:
        row["reply_count"] = replies.get(row["id"], 0)
    # Roots reference themselves: insert without root_id first would break nothing, but ids are explicit,
    # so each chunk's rows only point to rows of the same or an earlier chunk.
    _bulk(Comment, rows)
    _sync_sequence(Comment)


def _supports(rng: random.Random, scale: Scale, round_: ConsultationRound, version: StepVersion,
              need_uids: list[str], user_ids: list[int]) -> None:
    pairs: set[tuple[str, int]] = set()
    limit = min(scale.supports, len(need_uids) * len(user_ids))
    while len(pairs) < limit:
        uid = need_uids[0] if rng.random() < 0.3 else rng.choice(need_uids)
        pairs.add((uid, rng.choice(user_ids)))
    now = now_utc()
    _bulk(Support, [{"round_id": round_.id, "version_id": version.id, "item_uid": uid, "item_kind": "need",
                     "user_id": user_id, "created_at": now} for uid, user_id in sorted(pairs)])


def _briefs(rng: random.Random, scale: Scale, round_: ConsultationRound, org_ids: list[int], now) -> int:
    storage = get_storage()
    next_id = _next_id(Brief)
    rows, attachments = [], []
    for n in range(scale.briefs):
        organization = org_ids[n % len(org_ids)]
        body = "\n\n".join(texts.comment(rng) for _ in range(4))
        rows.append({"id": next_id + n, "round_id": round_.id, "organization_id": organization,
                     "title": f"Mémoire {n + 1} sur le portrait des besoins", "summary": texts.comment(rng),
                     "body": body, "state": BriefState.submitted,
                     "visibility": BriefVisibility.confidential if n % 10 == 0 else BriefVisibility.public,
                     "submitted_at": now, "digest": hashlib.sha256(body.encode()).hexdigest(),
                     "lock_version": 1, "created_at": now, "updated_at": now})
        if n < scale.pdf_briefs:
            data = make_pdf(texts.brief_pages(rng, f"l'organisme {organization}", scale.pdf_pages),
                            title=f"Mémoire {n + 1}")
            attachments.append({"brief_id": next_id + n, "position": 0, "storage_key": storage.put_bytes(data),
                                "filename": f"memoire-{n + 1}.pdf", "media_type": "application/pdf",
                                "size": len(data), "uploaded_at": now})
    _bulk(Brief, rows)
    _sync_sequence(Brief)
    _bulk(BriefAttachment, attachments)
    return len(attachments)
