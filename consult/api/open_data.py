"""A round's open data: a ZIP of CSV files of its public content, with a data dictionary in French and English.

Left out, always: content hidden by moderation, withdrawn and draft briefs, confidential briefs, and every
piece of personal information (no author of a comment or a proposed need, no e-mail, no profile, no
individual support: only the number of supports of each item). Briefs and answers appear once they are
public on the site, that is once the round has closed.

CSV files are UTF-8 with a BOM (so spreadsheets read the accents), comma-separated, one header row. A text
starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe, so that a spreadsheet shows it
instead of running it as a formula.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from consult.core.db import db
from consult.core.permissions import can
from consult.participation.models import (
    Brief,
    BriefCosigner,
    BriefState,
    BriefVisibility,
    Comment,
    Disposition,
    ProposedNeed,
    Support,
)
from consult.projects.kinds import KINDS
from consult.projects.models import VersionItem
from consult.rounds.models import ConsultationRound

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # integer, text, date-time, boolean, json, url
    fr: str
    en: str


FILES: dict[str, tuple[str, str, list[Column]]] = {
    "round.csv": ("La consultation", "The consultation round", [
        Column("id", "integer", "Identifiant de la consultation", "Round identifier"),
        Column("title", "text", "Titre", "Title"),
        Column("project_id", "integer", "Identifiant du projet clinique", "Clinical project identifier"),
        Column("project_title", "text", "Titre du projet clinique", "Clinical project title"),
        Column("establishment", "text", "Établissement qui mène la consultation", "Establishment running it"),
        Column("participation_level", "text", "Niveau de participation : information, consultation, concertation "
               "ou decision", "Participation level: information, consultation, concertation or decision"),
        Column("budgets_in_scope", "boolean", "Les budgets sont-ils en jeu (true/false)",
               "Whether budgets are in scope (true/false)"),
        Column("audience", "text", "Public visé : organizations, citizens ou both",
               "Audience: organizations, citizens or both"),
        Column("state", "text", "État : scheduled, open, closed, summarized ou published",
               "State: scheduled, open, closed, summarized or published"),
        Column("opens_at", "date-time", "Ouverture (UTC, ISO 8601)", "Opening (UTC, ISO 8601)"),
        Column("closes_at", "date-time", "Fermeture (UTC, ISO 8601)", "Closing (UTC, ISO 8601)"),
        Column("mandate", "text", "Mandat (Markdown)", "Mandate (Markdown)"),
        Column("url", "url", "Page de la consultation", "Page of the round"),
    ]),
    "items.csv": ("Les éléments en consultation", "The items in consultation", [
        Column("version_id", "integer", "Identifiant de la version publiée", "Published version identifier"),
        Column("step_number", "integer", "Étape du projet clinique (1 à 6)", "Step of the clinical project (1 to 6)"),
        Column("version_number", "integer", "Numéro de la version dans l'étape", "Version number within the step"),
        Column("kind", "text", "Sorte : need, indicator, service, gap, model, offer ou responsibility",
               "Kind: need, indicator, service, gap, model, offer or responsibility"),
        Column("uid", "text", "Identifiant stable de l'élément", "Stable item identifier"),
        Column("position", "integer", "Rang dans la version", "Order within the version"),
        Column("title", "text", "Titre", "Title"),
        Column("supports", "integer", "Nombre de personnes qui l'appuient", "Number of people supporting it"),
        Column("comments", "integer", "Commentaires et réponses publiés dans cette consultation (hors masqués)",
               "Comments and replies published in this round (hidden ones aside)"),
        Column("data", "json", "Tous les champs de l'élément, tels que publiés (JSON)",
               "Every field of the item, as published (JSON)"),
        Column("url", "url", "Page de l'élément dans la consultation", "Page of the item in the round"),
    ]),
    "comments.csv": ("Les commentaires", "The comments", [
        Column("id", "integer", "Identifiant du commentaire", "Comment identifier"),
        Column("version_id", "integer", "Version de l'élément commenté", "Version of the item commented on"),
        Column("item_uid", "text", "Élément commenté (voir items.csv)", "Item commented on (see items.csv)"),
        Column("item_kind", "text", "Sorte de l'élément", "Kind of item"),
        Column("parent_id", "integer", "Commentaire auquel il répond (vide : premier commentaire d'un fil ; peut "
               "manquer du fichier s'il a été masqué)", "Comment it replies to (empty: first comment of a thread; "
               "may be missing from the file when it was hidden)"),
        Column("root_id", "integer", "Premier commentaire du fil", "First comment of the thread"),
        Column("created_at", "date-time", "Publication (UTC)", "Published (UTC)"),
        Column("edited_at", "date-time", "Dernière modification par son auteur (UTC)",
               "Last edited by its author (UTC)"),
        Column("body", "text", "Texte (texte brut)", "Text (plain text)"),
    ]),
    "proposed_needs.csv": ("Les besoins proposés", "The proposed needs", [
        Column("id", "integer", "Identifiant", "Identifier"),
        Column("version_id", "integer", "Version du portrait des besoins en consultation",
               "Version of the needs portrait in consultation"),
        Column("title", "text", "Besoin manquant", "Missing need"),
        Column("description", "text", "Description", "Description"),
        Column("area_code", "text", "Code du territoire visé (vide : aucun)", "Code of the area (empty: none)"),
        Column("area_name", "text", "Nom du territoire visé", "Name of the area"),
        Column("state", "text", "Décision : proposed, accepted ou declined",
               "Decision: proposed, accepted or declined"),
        Column("accepted_need_uid", "text", "Besoin du portrait qu'il est devenu", "Need of the portrait it became"),
        Column("created_at", "date-time", "Proposé le (UTC)", "Proposed on (UTC)"),
    ]),
    "briefs.csv": ("Les mémoires publics (après la fermeture)", "The public briefs (after closing)", [
        Column("id", "integer", "Identifiant du mémoire", "Brief identifier"),
        Column("organization_id", "integer", "Organisme auteur", "Organization that wrote it"),
        Column("organization", "text", "Nom de l'organisme", "Organization name"),
        Column("cosigners", "text", "Organismes cosignataires confirmés, séparés par « ; »",
               "Confirmed co-signing organizations, separated by “; ”"),
        Column("title", "text", "Titre", "Title"),
        Column("summary", "text", "Résumé", "Summary"),
        Column("body", "text", "Texte (Markdown)", "Text (Markdown)"),
        Column("submitted_at", "date-time", "Déposé le (UTC)", "Submitted on (UTC)"),
        Column("digest", "text", "Empreinte SHA-256 du contenu déposé", "SHA-256 digest of the submitted content"),
        Column("attachments", "text", "Pièces jointes, séparées par « ; »", "Attachments, separated by “; ”"),
        Column("url", "url", "Page du mémoire (les pièces jointes s'y téléchargent)",
               "Page of the brief (attachments download there)"),
    ]),
    "brief_positions.csv": ("Les positions des mémoires publics", "The positions of the public briefs", [
        Column("brief_id", "integer", "Mémoire (voir briefs.csv)", "Brief (see briefs.csv)"),
        Column("version_id", "integer", "Version de l'élément", "Version of the item"),
        Column("item_uid", "text", "Élément (voir items.csv)", "Item (see items.csv)"),
        Column("item_kind", "text", "Sorte de l'élément", "Kind of item"),
        Column("stance", "text", "Position : support, oppose ou amend", "Stance: support, oppose or amend"),
        Column("text", "text", "Explication, ou libellé demandé pour amend", "Explanation, or wording asked for amend"),
    ]),
    "answers.csv": ("Les réponses de l'établissement (après la fermeture)",
                    "The establishment's answers (after closing)", [
        Column("input_kind", "text", "Sorte d'apport : brief, comment (un fil) ou proposed_need",
               "Kind of input: brief, comment (a thread) or proposed_need"),
        Column("input_id", "integer", "Identifiant de l'apport (briefs.csv, comments.csv, proposed_needs.csv)",
               "Identifier of the input (briefs.csv, comments.csv, proposed_needs.csv)"),
        Column("outcome", "text", "Suite : retained, partly_retained, not_retained ou out_of_scope",
               "Outcome: retained, partly_retained, not_retained or out_of_scope"),
        Column("reason", "text", "Raison donnée", "Reason given"),
        Column("answered_at", "date-time", "Répondu le (UTC)", "Answered on (UTC)"),
    ]),
    "invitations.csv": ("Qui a été invité et qui a participé", "Who was invited and who took part", [
        Column("party", "text", "Organisme ou établissement", "Organization or establishment"),
        Column("organization_id", "integer", "Identifiant de l'organisme (vide : l'établissement)",
               "Organization identifier (empty: the establishment)"),
        Column("state", "text", "État : invited, took_part, declined ou withdrew",
               "State: invited, took_part, declined or withdrew"),
        Column("reason", "text", "Raison donnée par la partie, le cas échéant", "Reason given by the party, if any"),
        Column("answered_at", "date-time", "Réponse le (UTC)", "Answered on (UTC)"),
    ]),
}

DICTIONARY = "dictionnaire-dictionary.csv"
README = "LISEZMOI-README.txt"


def safe(value: Any) -> Any:
    """A cell: None as empty, booleans as true/false, dates in ISO 8601 UTC, text defused for spreadsheets."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_START) else value
    return value


def csv_bytes(columns: list[Column], rows: Iterable[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    for row in rows:
        writer.writerow([safe(row.get(c.name)) for c in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def filename(round_: ConsultationRound) -> str:
    return f"consultation-{round_.id}-donnees-ouvertes-open-data.zip"


# What goes in ------------------------------------------------------------------------------------------------


def _link(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values)


def _round_rows(round_: ConsultationRound) -> list[dict[str, Any]]:
    return [{"id": round_.id, "title": round_.title, "project_id": round_.project_id,
             "project_title": round_.project.title, "establishment": round_.project.establishment.name,
             "participation_level": round_.participation_level.value, "budgets_in_scope": round_.budgets_in_scope,
             "audience": round_.audience.value, "state": round_.state.value, "opens_at": round_.opens_at,
             "closes_at": round_.closes_at, "mandate": round_.mandate,
             "url": _link("rounds.show", round_id=round_.id)}]


def _item_rows(round_: ConsultationRound) -> Iterable[dict[str, Any]]:
    versions = {v.id: v for v in round_.versions}
    if not versions:
        return
    supports = dict(((v, u), n) for v, u, n in db.session.execute(
        select(Support.version_id, Support.item_uid, func.count(Support.id))
        .where(Support.version_id.in_(list(versions))).group_by(Support.version_id, Support.item_uid)))
    comments = dict(((v, u), n) for v, u, n in db.session.execute(
        select(Comment.version_id, Comment.item_uid, func.count(Comment.id))
        .where(Comment.round_id == round_.id, Comment.hidden_at.is_(None))
        .group_by(Comment.version_id, Comment.item_uid)))
    items = db.session.scalars(select(VersionItem).where(VersionItem.version_id.in_(list(versions)))
                               .order_by(VersionItem.version_id, VersionItem.kind, VersionItem.position))
    for item in items:
        version = versions[item.version_id]
        spec = KINDS.get(item.kind)
        yield {"version_id": item.version_id, "step_number": version.step.number, "version_number": version.number,
               "kind": item.kind, "uid": item.uid, "position": item.position,
               "title": spec.label_of(item.data) if spec else "",
               "supports": supports.get((item.version_id, item.uid), 0),
               "comments": comments.get((item.version_id, item.uid), 0),
               "data": json.dumps(item.data, ensure_ascii=False, sort_keys=True),
               "url": _link("participation.item", round_id=round_.id, version_id=item.version_id, uid=item.uid)}


def _comment_rows(round_: ConsultationRound) -> Iterable[dict[str, Any]]:
    stmt = (select(Comment).where(Comment.round_id == round_.id, Comment.hidden_at.is_(None))
            .order_by(Comment.id).execution_options(yield_per=500))
    for c in db.session.scalars(stmt):
        yield {"id": c.id, "version_id": c.version_id, "item_uid": c.item_uid, "item_kind": c.item_kind,
               "parent_id": c.parent_id, "root_id": c.root_id or c.id, "created_at": c.created_at,
               "edited_at": c.edited_at, "body": c.body}


def _proposed_rows(round_: ConsultationRound) -> Iterable[dict[str, Any]]:
    stmt = (select(ProposedNeed).where(ProposedNeed.round_id == round_.id, ProposedNeed.hidden_at.is_(None))
            .options(joinedload(ProposedNeed.area)).order_by(ProposedNeed.id))
    for p in db.session.scalars(stmt):
        yield {"id": p.id, "version_id": p.version_id, "title": p.title, "description": p.description,
               "area_code": p.area.code if p.area else None, "area_name": p.area.name if p.area else None,
               "state": p.state.value, "accepted_need_uid": p.accepted_need_uid, "created_at": p.created_at}


def public_briefs(round_: ConsultationRound) -> list[Brief]:
    """Submitted, public, not hidden, and readable by a visitor (the round has closed): the brief pages' rule."""
    stmt = (select(Brief).where(Brief.round_id == round_.id, Brief.state == BriefState.submitted,
                                Brief.visibility == BriefVisibility.public, Brief.hidden_at.is_(None))
            .options(joinedload(Brief.organization), selectinload(Brief.positions), selectinload(Brief.attachments),
                     selectinload(Brief.cosigners).joinedload(BriefCosigner.organization))
            .order_by(Brief.id))
    visitor = AnonymousUserMixin()
    return [b for b in db.session.scalars(stmt) if can(visitor, "brief.read", b)]


def _brief_rows(briefs: list[Brief]) -> Iterable[dict[str, Any]]:
    for b in briefs:
        yield {"id": b.id, "organization_id": b.organization_id, "organization": b.organization.name,
               "cosigners": "; ".join(c.organization.name for c in b.signatories), "title": b.title,
               "summary": b.summary, "body": b.body, "submitted_at": b.submitted_at, "digest": b.digest,
               "attachments": "; ".join(a.filename for a in b.attachments),
               "url": _link("participation.brief", brief_id=b.id)}


def _position_rows(briefs: list[Brief]) -> Iterable[dict[str, Any]]:
    for b in briefs:
        for p in b.positions:
            yield {"brief_id": b.id, "version_id": p.version_id, "item_uid": p.item_uid, "item_kind": p.item_kind,
                   "stance": p.stance.value, "text": p.text}


def _answer_rows(round_: ConsultationRound) -> Iterable[dict[str, Any]]:
    from consult.api.views_rounds import public_inputs

    if not can(AnonymousUserMixin(), "participation.heard.view", round_):
        return
    stmt = (select(Disposition).where(Disposition.round_id == round_.id, public_inputs(round_))
            .order_by(Disposition.id))
    for d in db.session.scalars(stmt):
        yield {"input_kind": d.input_kind.value, "input_id": d.input_id, "outcome": d.outcome.value,
               "reason": d.reason, "answered_at": d.answered_at}


def _invitation_rows(round_: ConsultationRound) -> Iterable[dict[str, Any]]:
    for i in round_.invitations:
        yield {"party": i.party_name, "organization_id": i.organization_id, "state": i.state.value,
               "reason": i.reason, "answered_at": i.answered_at}


def _dictionary() -> bytes:
    columns = [Column("file", "text", "", ""), Column("column", "text", "", ""), Column("type", "text", "", ""),
               Column("description_fr", "text", "", ""), Column("description_en", "text", "", "")]
    rows = []
    for name, (fr, en, cols) in FILES.items():
        rows.append({"file": name, "column": "", "type": "", "description_fr": fr, "description_en": en})
        rows += [{"file": name, "column": c.name, "type": c.kind, "description_fr": c.fr, "description_en": c.en}
                 for c in cols]
    return csv_bytes(columns, rows)


def _readme(round_: ConsultationRound) -> str:
    return f"""Données ouvertes / Open data — {round_.title}
{_link("rounds.show", round_id=round_.id)}

FRANÇAIS
Ces fichiers CSV (UTF-8 avec BOM, séparés par des virgules) contiennent le contenu public de la consultation :
la consultation (round.csv), les éléments en consultation avec leurs appuis et commentaires (items.csv), les
commentaires (comments.csv), les besoins proposés (proposed_needs.csv), qui a été invité et qui a participé
(invitations.csv) et, une fois la consultation fermée, les mémoires publics (briefs.csv, brief_positions.csv)
et les réponses de l'établissement (answers.csv). Le fichier {DICTIONARY} décrit chaque colonne.
Sont exclus : le contenu masqué par la modération, les mémoires retirés, confidentiels ou en brouillon, et tout
renseignement personnel (aucun auteur de commentaire ou de besoin proposé, aucun courriel, aucun appui
individuel : seulement le nombre d'appuis). Les dates sont en UTC (ISO 8601). Un texte qui commence par
=, +, -, @, une tabulation ou un retour de chariot est précédé d'une apostrophe pour qu'un tableur ne
l'exécute pas comme une formule.

ENGLISH
These CSV files (UTF-8 with a BOM, comma-separated) hold the public content of the consultation round: the
round (round.csv), the items in consultation with their supports and comments (items.csv), the comments
(comments.csv), the proposed needs (proposed_needs.csv), who was invited and who took part (invitations.csv)
and, once the round has closed, the public briefs (briefs.csv, brief_positions.csv) and the establishment's
answers (answers.csv). {DICTIONARY} describes every column.
Left out: content hidden by moderation, withdrawn, confidential or draft briefs, and all personal information
(no author of a comment or proposed need, no e-mail, no individual support: only the number of supports).
Dates are in UTC (ISO 8601). A text starting with =, +, -, @, a tab or a carriage return gets a leading
apostrophe, so that a spreadsheet does not run it as a formula.
"""


def build(round_: ConsultationRound) -> bytes:
    briefs = public_briefs(round_) if round_.has_closed else []
    contents = {
        "round.csv": _round_rows(round_),
        "items.csv": _item_rows(round_),
        "comments.csv": _comment_rows(round_),
        "proposed_needs.csv": _proposed_rows(round_),
        "briefs.csv": _brief_rows(briefs),
        "brief_positions.csv": _position_rows(briefs),
        "answers.csv": _answer_rows(round_),
        "invitations.csv": _invitation_rows(round_),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, README, _readme(round_).encode("utf-8"))
        _add(archive, DICTIONARY, _dictionary())
        for name, rows in contents.items():
            _add(archive, name, csv_bytes(FILES[name][2], rows))
    return buffer.getvalue()


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    # A fixed date inside the archive: the same content gives the same bytes, so the ETag stays valid.
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)
