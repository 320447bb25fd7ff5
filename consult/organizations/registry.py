"""The partnership registry: relationship records between an establishment and an organization, each
side's stance and judgement, the two funding registers and the establishment's handover log.

Every change to a relationship, its funding or its accountability items is appended to
RelationshipChange with the field, the old and new values, who made it and for which side. Values are
stored as codes (enum values, ISO dates, amounts in dollars with two decimals) and turned into words
when shown (value_label), so the history reads in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import format_currency
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult.accounts.models import EstablishmentRole, EstablishmentRoleKind, User
from consult.core.db import db, now_utc
from consult.organizations.models import (
    CATEGORY_LABELS,
    CONDITIONS,
    INSTRUMENT_LABELS,
    LEAD_LABELS,
    PARTIES_LABELS,
    PARTNER_STANCES,
    PARTNERSHIP_TYPE_LABELS,
    QUALITY_LABELS,
    RULES_LABELS,
    SECTOR_LABELS,
    STANCE_LABELS,
    AccountabilityItem,
    Handover,
    Instrument,
    Lead,
    MissionFunding,
    Organization,
    Parties,
    PartnershipType,
    Quality,
    Relationship,
    RelationshipCategory,
    RelationshipChange,
    RelationshipInstrument,
    RelationshipJudgement,
    RulesOrigin,
    Sector,
    ServiceAgreement,
    Side,
    Stance,
)
from consult.organizations.services import OrganizationError
from consult.territories.models import Establishment

# What each logged field is called on the history page.
FIELD_LABELS = {
    "created": _l("Record opened"),
    "category": _l("Kind of relationship"),
    **CONDITIONS,
    "partnership_type": _l("Type of partnership"),
    "parties": _l("Number of parties"),
    "sector": _l("Sectors"),
    "instruments": _l("Formal instruments"),
    "instrument_other": _l("Other instrument"),
    "rules_origin": _l("Rules of the partnership"),
    "lead": _l("Who leads"),
    "stance": _l("The organization's stance"),
    "stance_note": _l("The organization's explanation of its stance"),
    "judgement.establishment": _l("The establishment's judgement"),
    "judgement.establishment.note": _l("The establishment's comment on its judgement"),
    "judgement.organization": _l("The organization's judgement"),
    "judgement.organization.note": _l("The organization's comment on its judgement"),
    "mission_funding": _l("Mission funding"),
    "service_agreement": _l("Service agreement"),
    "accountability_item": _l("Accountability item"),
    "accountability_item.reported": _l("Accountability item reported"),
}

_ENUM_LABELS = {
    "category": CATEGORY_LABELS,
    "partnership_type": PARTNERSHIP_TYPE_LABELS,
    "parties": PARTIES_LABELS,
    "sector": SECTOR_LABELS,
    "rules_origin": RULES_LABELS,
    "lead": LEAD_LABELS,
    "stance": STANCE_LABELS,
    "judgement.establishment": QUALITY_LABELS,
    "judgement.organization": QUALITY_LABELS,
}


def field_label(field: str) -> str:
    label = FIELD_LABELS.get(field)
    return str(label) if label is not None else field


def value_label(field: str, value: str | None) -> str:
    """A stored code in words: "partnership" → "Partnership", "true" → "Yes"."""
    if value is None or value == "" or field == "created":
        return ""
    labels = _ENUM_LABELS.get(field)
    if labels is not None:
        for member, label in labels.items():
            if member.value == value:
                return str(label)
        return value
    if field in CONDITIONS:
        return _("Yes") if value == "true" else _("No")
    if field == "instruments":
        names = {i.value: str(label) for i, label in INSTRUMENT_LABELS.items()}
        return ", ".join(names.get(code, code) for code in value.split(","))
    return value


def _code(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "value"):
        return str(value.value)  # an enum member
    return str(value)


def _log(relationship: Relationship, field: str, old: object, new: object, side: Side,
         user: User | None) -> None:
    old_code, new_code = _code(old), _code(new)
    if old_code == new_code:
        return
    db.session.add(RelationshipChange(relationship_id=relationship.id, field=field, old_value=old_code,
                                      new_value=new_code, side=side, user_id=user.id if user else None))


def side_of(user: User, relationship: Relationship) -> Side:
    """Which side `user` acts for; someone who is both a planner and a representative acts for the
    organization only on the organization's own pages (the view passes the side explicitly there)."""
    from consult.organizations.policies import plans_for

    return Side.establishment if plans_for(user, relationship.establishment_id) else Side.organization


# Opening a record -------------------------------------------------------------------------------------


def find_relationship(establishment: Establishment, organization: Organization) -> Relationship | None:
    return db.session.scalar(select(Relationship).filter_by(establishment_id=establishment.id,
                                                            organization_id=organization.id))


def open_relationship(establishment: Establishment, organization: Organization, actor: User,
                      side: Side) -> tuple[Relationship, bool]:
    """The record for this pair, created when missing (one per establishment and organization)."""
    existing = find_relationship(establishment, organization)
    if existing is not None:
        return existing, False
    relationship = Relationship(establishment=establishment, organization=organization)
    db.session.add(relationship)
    db.session.flush()
    _log(relationship, "created", None, "created", side, actor)
    db.session.flush()
    return relationship, True


# The shared description ---------------------------------------------------------------------------


@dataclass
class Description:
    category: RelationshipCategory | None
    conditions: dict[str, bool]
    partnership_type: PartnershipType | None = None
    parties: Parties | None = None
    sector: Sector | None = None
    instruments: tuple[Instrument, ...] = ()
    instrument_other: str | None = None
    rules_origin: RulesOrigin | None = None
    lead: Lead | None = None


def partnership_problems(relationship: Relationship, description: Description) -> list[str]:
    """Why this cannot be recorded as a partnership: each unticked condition, by name, and an
    organization that said it is not a partner."""
    problems = []
    missing = [str(label) for name, label in CONDITIONS.items() if not description.conditions.get(name)]
    if missing:
        problems.append(_("A partnership needs all five conditions. Not ticked: %(conditions)s",
                          conditions=" ".join(missing)))
    if relationship.stance is not None and relationship.stance not in PARTNER_STANCES:
        problems.append(_("The organization's stance is “%(stance)s”: it has not agreed to a partnership, so "
                          "the condition “%(condition)s” does not hold. Only the organization can change "
                          "its stance.", stance=STANCE_LABELS[relationship.stance],
                          condition=CONDITIONS["cond_agreed_process"]))
    if description.partnership_type is None:
        problems.append(_("Choose the type of partnership."))
    return problems


def describe(relationship: Relationship, description: Description, actor: User, side: Side) -> None:
    if description.category is RelationshipCategory.partnership:
        problems = partnership_problems(relationship, description)
        if problems:
            raise OrganizationError(" ".join(problems), "category")
    _log(relationship, "category", relationship.category, description.category, side, actor)
    relationship.category = description.category
    for name in CONDITIONS:
        ticked = bool(description.conditions.get(name))
        _log(relationship, name, bool(getattr(relationship, name)), ticked, side, actor)
        setattr(relationship, name, ticked)
    partnership = description.category is RelationshipCategory.partnership
    # Attributes of a partnership mean nothing for another kind of relationship: they are cleared.
    attributes = {
        "partnership_type": description.partnership_type,
        "parties": description.parties,
        "sector": description.sector,
        "rules_origin": description.rules_origin,
        "lead": description.lead,
        "instrument_other": (description.instrument_other or "").strip() or None,
    }
    instruments = sorted(set(description.instruments), key=lambda i: i.value) if partnership else []
    if Instrument.other not in instruments:
        attributes["instrument_other"] = None
    for name, value in attributes.items():
        value = value if partnership else None
        _log(relationship, name, getattr(relationship, name), value, side, actor)
        setattr(relationship, name, value)
    old = ",".join(relationship.instrument_codes) or None
    new = ",".join(i.value for i in instruments) or None
    _log(relationship, "instruments", old, new, side, actor)
    if old != new:
        relationship.instruments = [RelationshipInstrument(instrument=i) for i in instruments]
    db.session.flush()


# Each side's own word -------------------------------------------------------------------------------


def set_stance(relationship: Relationship, stance: Stance, note: str | None, actor: User) -> None:
    """Only the organization sets its stance; declining (neither) is a right and changes nothing else."""
    note = (note or "").strip() or None
    _log(relationship, "stance", relationship.stance, stance, Side.organization, actor)
    _log(relationship, "stance_note", relationship.stance_note, note, Side.organization, actor)
    if relationship.stance is not stance or relationship.stance_note != note:
        relationship.stance_set_at = now_utc()
        relationship.stance_set_by_id = actor.id
    relationship.stance = stance
    relationship.stance_note = note
    db.session.flush()


def set_judgement(relationship: Relationship, side: Side, quality: Quality, note: str | None,
                  actor: User) -> RelationshipJudgement:
    """Record `side`'s own judgement; the other side's row is never touched."""
    note = (note or "").strip() or None
    judgement = relationship.judgement(side)
    if judgement is None:
        judgement = RelationshipJudgement(side=side, quality=quality)
        relationship.judgements.append(judgement)
        _log(relationship, f"judgement.{side.value}", None, quality, side, actor)
        _log(relationship, f"judgement.{side.value}.note", None, note, side, actor)
    else:
        _log(relationship, f"judgement.{side.value}", judgement.quality, quality, side, actor)
        _log(relationship, f"judgement.{side.value}.note", judgement.note, note, side, actor)
    judgement.quality = quality
    judgement.note = note
    judgement.set_by_id = actor.id
    db.session.flush()
    return judgement


# Funding registers -------------------------------------------------------------------------------------


def money(cents: int) -> str:
    return format_currency(cents / 100, "CAD")


def _amount(cents: int | None) -> str:
    return f"{(cents or 0) / 100:.2f}"


def _period(starts_on: date, ends_on: date) -> str:
    return f"{starts_on.isoformat()} – {ends_on.isoformat()}"


def _funding_summary(funding: MissionFunding) -> str:
    return f"{funding.programme} · {_amount(funding.amount_cents)} $ · {_period(funding.starts_on, funding.ends_on)}"


def _agreement_summary(agreement: ServiceAgreement) -> str:
    return f"{agreement.title} · {_amount(agreement.amount_cents)} $ · " \
           f"{_period(agreement.starts_on, agreement.ends_on)}"


def _check_period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise OrganizationError(_("The end of the period must come after its start."), "ends_on")


def save_mission_funding(relationship: Relationship, funding: MissionFunding | None, *, programme: str,
                         amount_cents: int, starts_on: date, ends_on: date, note: str | None,
                         actor: User) -> MissionFunding:
    _check_period(starts_on, ends_on)
    old = _funding_summary(funding) if funding is not None else None
    if funding is None:
        # Added by id rather than through the collection, which would load every earlier entry.
        funding = MissionFunding(relationship_id=relationship.id, created_by_id=actor.id)
        db.session.add(funding)
    funding.programme = programme.strip()
    funding.amount_cents = amount_cents
    funding.starts_on = starts_on
    funding.ends_on = ends_on
    funding.note = (note or "").strip() or None
    db.session.flush()
    _log(relationship, "mission_funding", old, _funding_summary(funding), Side.establishment, actor)
    db.session.flush()
    return funding


def delete_mission_funding(funding: MissionFunding, actor: User) -> None:
    relationship = funding.relationship
    _log(relationship, "mission_funding", _funding_summary(funding), None, Side.establishment, actor)
    db.session.delete(funding)
    db.session.flush()


def save_service_agreement(relationship: Relationship, agreement: ServiceAgreement | None, *, title: str,
                           amount_cents: int, starts_on: date, ends_on: date, services: str,
                           note: str | None, actor: User) -> ServiceAgreement:
    _check_period(starts_on, ends_on)
    old = _agreement_summary(agreement) if agreement is not None else None
    if agreement is None:
        agreement = ServiceAgreement(relationship_id=relationship.id, created_by_id=actor.id)
        db.session.add(agreement)
    agreement.title = title.strip()
    agreement.amount_cents = amount_cents
    agreement.starts_on = starts_on
    agreement.ends_on = ends_on
    agreement.services = services.strip()
    agreement.note = (note or "").strip() or None
    db.session.flush()
    _log(relationship, "service_agreement", old, _agreement_summary(agreement), Side.establishment, actor)
    db.session.flush()
    return agreement


def delete_service_agreement(agreement: ServiceAgreement, actor: User) -> None:
    relationship = agreement.relationship
    _log(relationship, "service_agreement", _agreement_summary(agreement), None, Side.establishment, actor)
    db.session.delete(agreement)
    db.session.flush()


def add_accountability_item(agreement: ServiceAgreement, description: str, due_on: date | None,
                            actor: User) -> AccountabilityItem:
    item = AccountabilityItem(description=description.strip(), due_on=due_on)
    agreement.items.append(item)
    db.session.flush()
    _log(agreement.relationship, "accountability_item", None, f"{agreement.title} · {item.description}",
         Side.establishment, actor)
    db.session.flush()
    return item


def delete_accountability_item(item: AccountabilityItem, actor: User) -> None:
    agreement = item.agreement
    _log(agreement.relationship, "accountability_item", f"{agreement.title} · {item.description}", None,
         Side.establishment, actor)
    agreement.items.remove(item)
    db.session.flush()


def mark_reported(item: AccountabilityItem, actor: User) -> None:
    if item.reported_at is not None:
        raise OrganizationError(_("This item was already reported."))
    item.reported_at = now_utc()
    item.reported_by_id = actor.id
    _log(item.agreement.relationship, "accountability_item.reported", None,
         f"{item.agreement.title} · {item.description}", Side.organization, actor)
    db.session.flush()


# Handover -------------------------------------------------------------------------------------------


def current_planners(establishment: Establishment) -> list[User]:
    stmt = (select(User).join(EstablishmentRole, EstablishmentRole.user_id == User.id)
            .where(EstablishmentRole.establishment_id == establishment.id,
                   EstablishmentRole.role == EstablishmentRoleKind.planner, User.deleted_at.is_(None))
            .order_by(User.display_name, User.email))
    return list(db.session.scalars(stmt))


def former_actors(establishment: Establishment) -> list[User]:
    """People who acted for the establishment before (in its relationships' history or in earlier
    handovers), who may be the one leaving even after their planner role was removed."""
    in_history = (select(RelationshipChange.user_id).join(Relationship)
                  .where(Relationship.establishment_id == establishment.id,
                         RelationshipChange.side == Side.establishment))
    handed = select(Handover.to_user_id).where(Handover.establishment_id == establishment.id)
    stmt = (select(User).where(db.or_(User.id.in_(in_history), User.id.in_(handed)),
                               User.deleted_at.is_(None))
            .order_by(User.display_name, User.email))
    return list(db.session.scalars(stmt))


def record_handover(establishment: Establishment, *, from_user: User, to_user: User, handed_over_on: date,
                    note: str | None, actor: User) -> Handover:
    if from_user.id == to_user.id:
        raise OrganizationError(_("The person taking over must be someone else than the person leaving."),
                                "to_user_id")
    if to_user not in current_planners(establishment):
        raise OrganizationError(_("The person taking over must be a planner of %(name)s. An administrator "
                                  "gives the planner role first.", name=establishment.name), "to_user_id")
    handover = Handover(establishment_id=establishment.id, from_user_id=from_user.id, to_user_id=to_user.id,
                        handed_over_on=handed_over_on, note=(note or "").strip() or None,
                        recorded_by_id=actor.id)
    db.session.add(handover)
    db.session.flush()
    return handover


def users_by_ids(ids: Iterable[int]) -> dict[int, User]:
    ids = [i for i in ids if i]
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
