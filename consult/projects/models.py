"""The clinical project: programmes, projects, their six steps, the frozen versions of each step, and the
working copy that planners edit (needs, indicators, services, gaps, care models, offer elements, agreement
proposals and the roles and responsibilities matrix).

Every working item has a stable `uid` kept across versions (comments and briefs point to a version id and
an item uid) and an optimistic-lock counter (`lock_version`): a save made on a stale copy is refused.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Column,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import to_tsvector
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from consult.accounts.models import User
from consult.core.db import Timestamps, UTCDateTime, db, now_utc
from consult.organizations.models import Organization
from consult.territories.models import Establishment, TerritoryNode


def _enum(kind: type[enum.Enum], length: int = 30) -> Enum:
    return Enum(kind, native_enum=False, length=length)


def new_uid() -> str:
    return str(uuid.uuid4())


# Programmes ----------------------------------------------------------------------------------------


class Programme(db.Model):
    """A programme-services (PALV, mental health, youth, …): a list the administrators keep."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_fr: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    def name_for(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_fr

    def __repr__(self) -> str:
        return f"<Programme {self.code}>"


# Projects and steps --------------------------------------------------------------------------------


class ProjectStatus(enum.Enum):
    preparation = "preparation"
    in_progress = "in_progress"
    adopted = "adopted"
    archived = "archived"


PROJECT_STATUS_LABELS = {
    ProjectStatus.preparation: _l("In preparation"),
    ProjectStatus.in_progress: _l("In progress"),
    ProjectStatus.adopted: _l("Adopted"),
    ProjectStatus.archived: _l("Archived"),
}

project_territories = Table(
    "project_territories",
    db.metadata,
    Column("project_id", ForeignKey("clinical_projects.id", ondelete="CASCADE"), primary_key=True),
    Column("territory_id", ForeignKey("territory_nodes.id", ondelete="CASCADE"), primary_key=True),
)


class ClinicalProject(Timestamps, db.Model):
    __tablename__ = "clinical_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishments.id", ondelete="RESTRICT"),
                                                  index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ProjectStatus] = mapped_column(_enum(ProjectStatus), default=ProjectStatus.preparation)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    establishment: Mapped[Establishment] = relationship()
    programme: Mapped[Programme] = relationship()
    territories: Mapped[list[TerritoryNode]] = relationship(secondary=project_territories,
                                                            order_by="TerritoryNode.code")
    steps: Mapped[list[ProjectStep]] = relationship(back_populates="project", order_by="ProjectStep.number",
                                                    cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def status_label(self) -> str:
        return str(PROJECT_STATUS_LABELS[self.status])

    def step(self, number: int) -> ProjectStep:
        return next(s for s in self.steps if s.number == number)

    @property
    def is_public(self) -> bool:
        return any(s.latest_version_id is not None for s in self.steps)

    def __repr__(self) -> str:
        return f"<ClinicalProject {self.id} {self.title}>"


class StepState(enum.Enum):
    draft = "draft"
    in_consultation = "in_consultation"
    consolidating = "consolidating"
    adopted = "adopted"


STEP_STATE_LABELS = {
    StepState.draft: _l("Draft"),
    StepState.in_consultation: _l("In consultation"),
    StepState.consolidating: _l("Consolidating"),
    StepState.adopted: _l("Adopted"),
}

STEP_TITLES = {
    1: _l("Needs portrait"),
    2: _l("Resource inventory"),
    3: _l("Gap analysis"),
    4: _l("Models to keep"),
    5: _l("Models to add"),
    6: _l("Service offer and roles"),
}

STEP_PURPOSES = {
    1: _l("The health and welfare needs of the territory's population: indicators, population groups, "
          "local areas, living conditions and social determinants."),
    2: _l("The resources and services available today to meet those needs: the establishment's own, "
          "community organizations', social-economy enterprises' and private ones."),
    3: _l("The gaps to close to reach the objectives of access, continuity and quality."),
    4: _l("The clinical models and fruitful collaborations already in place that must be kept and "
          "strengthened."),
    5: _l("The other models to add, where needed, to close the gaps."),
    6: _l("The elements of the service offer, the parameters of service agreements, and the roles and "
          "responsibilities of every actor."),
}


class ProjectStep(db.Model):
    __tablename__ = "project_steps"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("clinical_projects.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[StepState] = mapped_column(_enum(StepState), default=StepState.draft)
    # A plain-language summary of the step, frozen with each version.
    summary: Mapped[str | None] = mapped_column(Text)
    # No foreign key: it would make a cycle with step_versions, which migrations handle differently on
    # SQLite and PostgreSQL. A version is only ever deleted with its step, so the id cannot dangle.
    latest_version_id: Mapped[int | None] = mapped_column(Integer, index=True)
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    project: Mapped[ClinicalProject] = relationship(back_populates="steps")
    latest_version: Mapped[StepVersion | None] = relationship(
        primaryjoin="foreign(ProjectStep.latest_version_id) == StepVersion.id", viewonly=True)

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def title(self) -> str:
        return str(STEP_TITLES[self.number])

    @property
    def purpose(self) -> str:
        return str(STEP_PURPOSES[self.number])

    @property
    def state_label(self) -> str:
        return str(STEP_STATE_LABELS[self.state])

    @property
    def editable(self) -> bool:
        return self.state is not StepState.adopted


class StepVersion(db.Model):
    """An immutable snapshot of a step, written when it is published or adopted. Its items never change."""

    __tablename__ = "step_versions"
    __table_args__ = (UniqueConstraint("step_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("project_steps.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # Why it was frozen: "consultation" (published for comments) or "adopted" (the final text).
    purpose: Mapped[str] = mapped_column(String(20), default="consultation")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    digest: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str | None] = mapped_column(Text)
    item_count: Mapped[int] = mapped_column(Integer, default=0)

    step: Mapped[ProjectStep] = relationship()
    published_by: Mapped[User | None] = relationship()

    @property
    def purpose_label(self) -> str:
        return str(_l("Adopted version")) if self.purpose == "adopted" else str(_l("Consultation version"))


class VersionItem(db.Model):
    """One item of a frozen version: its kind, stable uid, position and every field as JSON."""

    __tablename__ = "version_items"
    __table_args__ = (
        UniqueConstraint("version_id", "kind", "uid"),
        Index("ix_version_items_listing", "version_id", "kind", "position"),
        Index("ix_version_items_group", "version_id", "kind", "group_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("step_versions.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    uid: Mapped[str] = mapped_column(String(36))
    position: Mapped[int] = mapped_column(Integer)
    # Indicators are charted by group (name, unit, year); the key lets charts paginate in SQL.
    group_key: Mapped[str | None] = mapped_column(String(400))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


# The working copy ----------------------------------------------------------------------------------


class WorkItem(Timestamps):
    """Columns shared by every editable item: a stable uid and an optimistic-lock counter."""

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), default=new_uid, unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    @declared_attr
    def project_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("clinical_projects.id", ondelete="CASCADE"), index=True)

    @declared_attr
    def project(cls) -> Mapped[ClinicalProject]:
        return relationship(ClinicalProject)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.lock_version}


# Step 1: needs and indicators


class Determinant(enum.Enum):
    health_status = "health_status"
    lifestyle = "lifestyle"
    income = "income"
    housing = "housing"
    isolation = "isolation"
    education_employment = "education_employment"
    environment = "environment"
    access_to_services = "access_to_services"
    other = "other"


DETERMINANT_LABELS = {
    Determinant.health_status: _l("Health status"),
    Determinant.lifestyle: _l("Lifestyle and health behaviours"),
    Determinant.income: _l("Income (social determinant)"),
    Determinant.housing: _l("Housing (social determinant)"),
    Determinant.isolation: _l("Social isolation (social determinant)"),
    Determinant.education_employment: _l("Education and employment (social determinant)"),
    Determinant.environment: _l("Physical environment and transport"),
    Determinant.access_to_services: _l("Access to services"),
    Determinant.other: _l("Other"),
}


class Level3(enum.Enum):
    high = "high"
    medium = "medium"
    low = "low"


PRIORITY_LABELS = {Level3.high: _l("High"), Level3.medium: _l("Medium"), Level3.low: _l("Low")}

need_areas = Table(
    "need_areas", db.metadata,
    Column("need_id", ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True),
    Column("territory_id", ForeignKey("territory_nodes.id", ondelete="CASCADE"), primary_key=True),
)


class Need(WorkItem, db.Model):
    __tablename__ = "needs"

    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    population_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    determinant: Mapped[Determinant] = mapped_column(_enum(Determinant))
    priority: Mapped[Level3] = mapped_column(_enum(Level3))
    sources: Mapped[str | None] = mapped_column(Text)

    areas: Mapped[list[TerritoryNode]] = relationship(secondary=need_areas, order_by="TerritoryNode.code")
    gaps: Mapped[list[Gap]] = relationship(back_populates="need", order_by="Gap.position")


class Indicator(WorkItem, db.Model):
    __tablename__ = "indicators"

    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(60))
    value: Mapped[float] = mapped_column(Float)
    year: Mapped[int] = mapped_column(Integer)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territory_nodes.id", ondelete="RESTRICT"),
                                              index=True)
    source: Mapped[str | None] = mapped_column(String(500))

    territory: Mapped[TerritoryNode] = relationship()


# Step 2: the resource inventory


class ProviderKind(enum.Enum):
    public = "public"
    community = "community"
    social_economy = "social_economy"
    private = "private"


PROVIDER_KIND_LABELS = {
    ProviderKind.public: _l("Public"),
    ProviderKind.community: _l("Community"),
    ProviderKind.social_economy: _l("Social economy"),
    ProviderKind.private: _l("Private"),
}


class Listing(enum.Enum):
    own = "own"              # the establishment's own service: nobody else to ask
    proposed = "proposed"    # proposed by the establishment, waiting for the organization
    confirmed = "confirmed"  # confirmed (possibly edited) by the organization
    declined = "declined"    # the organization asked not to be listed: never published


LISTING_LABELS = {
    Listing.own: _l("Service of the establishment"),
    Listing.proposed: _l("Proposed by the establishment, awaiting the organization's confirmation"),
    Listing.confirmed: _l("Confirmed by the organization"),
    Listing.declined: _l("The organization asked not to be listed"),
}

service_areas = Table(
    "service_areas", db.metadata,
    Column("service_id", ForeignKey("inventory_services.id", ondelete="CASCADE"), primary_key=True),
    Column("territory_id", ForeignKey("territory_nodes.id", ondelete="CASCADE"), primary_key=True),
)
service_needs = Table(
    "service_needs", db.metadata,
    Column("service_id", ForeignKey("inventory_services.id", ondelete="CASCADE"), primary_key=True),
    Column("need_id", ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True),
)


class Service(WorkItem, db.Model):
    __tablename__ = "inventory_services"

    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    # None: the establishment itself provides it.
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                                        index=True)
    provider_kind: Mapped[ProviderKind] = mapped_column(_enum(ProviderKind))
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id", ondelete="SET NULL"))
    capacity: Mapped[str | None] = mapped_column(String(200))
    access_conditions: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[str | None] = mapped_column(String(200))
    listing: Mapped[Listing] = mapped_column(_enum(Listing), default=Listing.own)

    organization: Mapped[Organization | None] = relationship()
    programme: Mapped[Programme | None] = relationship()
    areas: Mapped[list[TerritoryNode]] = relationship(secondary=service_areas, order_by="TerritoryNode.code")
    needs: Mapped[list[Need]] = relationship(secondary=service_needs, order_by="Need.position")
    changes: Mapped[list[ServiceChange]] = relationship(back_populates="service", cascade="all, delete-orphan",
                                                        order_by="ServiceChange.id")


class ServiceChange(db.Model):
    """Who changed what in an inventory entry, and when: kept for every change, by either side."""

    __tablename__ = "service_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("inventory_services.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # "establishment" or "organization": on whose behalf the change was made.
    side: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    service: Mapped[Service] = relationship(back_populates="changes")
    user: Mapped[User | None] = relationship()


# Step 3: gaps


class Dimension(enum.Enum):
    access = "access"
    continuity = "continuity"
    quality = "quality"


DIMENSION_LABELS = {Dimension.access: _l("Access"), Dimension.continuity: _l("Continuity"),
                    Dimension.quality: _l("Quality")}

gap_services = Table(
    "gap_services", db.metadata,
    Column("gap_id", ForeignKey("gaps.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("inventory_services.id", ondelete="CASCADE"), primary_key=True),
)
gap_areas = Table(
    "gap_areas", db.metadata,
    Column("gap_id", ForeignKey("gaps.id", ondelete="CASCADE"), primary_key=True),
    Column("territory_id", ForeignKey("territory_nodes.id", ondelete="CASCADE"), primary_key=True),
)


class Gap(WorkItem, db.Model):
    __tablename__ = "gaps"

    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="RESTRICT"), index=True)
    dimension: Mapped[Dimension] = mapped_column(_enum(Dimension))
    severity: Mapped[Level3] = mapped_column(_enum(Level3))
    evidence: Mapped[str | None] = mapped_column(Text)

    need: Mapped[Need] = relationship(back_populates="gaps")
    services: Mapped[list[Service]] = relationship(secondary=gap_services, order_by="Service.name")
    areas: Mapped[list[TerritoryNode]] = relationship(secondary=gap_areas, order_by="TerritoryNode.code")


# Steps 4 and 5: care models


class ModelKind(enum.Enum):
    keep = "keep"
    add = "add"


MODEL_KIND_LABELS = {ModelKind.keep: _l("Model to keep"), ModelKind.add: _l("Model to add")}


class Decision(enum.Enum):
    proposed = "proposed"
    chosen = "chosen"
    set_aside = "set_aside"


DECISION_LABELS = {Decision.proposed: _l("Proposed"), Decision.chosen: _l("Chosen"),
                   Decision.set_aside: _l("Set aside")}

model_partners = Table(
    "care_model_partners", db.metadata,
    Column("care_model_id", ForeignKey("care_models.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
)
model_gaps = Table(
    "care_model_gaps", db.metadata,
    Column("care_model_id", ForeignKey("care_models.id", ondelete="CASCADE"), primary_key=True),
    Column("gap_id", ForeignKey("gaps.id", ondelete="CASCADE"), primary_key=True),
)


class CareModel(WorkItem, db.Model):
    __tablename__ = "care_models"

    kind: Mapped[ModelKind] = mapped_column(_enum(ModelKind))
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    origin: Mapped[str | None] = mapped_column(String(500))
    evidence: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[Decision] = mapped_column(_enum(Decision), default=Decision.proposed)
    decision_reason: Mapped[str | None] = mapped_column(Text)

    partners: Mapped[list[Organization]] = relationship(secondary=model_partners, order_by="Organization.name")
    gaps: Mapped[list[Gap]] = relationship(secondary=model_gaps, order_by="Gap.position")


# Step 6: service offer, agreements, roles and responsibilities

offer_gaps = Table(
    "offer_element_gaps", db.metadata,
    Column("offer_element_id", ForeignKey("offer_elements.id", ondelete="CASCADE"), primary_key=True),
    Column("gap_id", ForeignKey("gaps.id", ondelete="CASCADE"), primary_key=True),
)
offer_models = Table(
    "offer_element_models", db.metadata,
    Column("offer_element_id", ForeignKey("offer_elements.id", ondelete="CASCADE"), primary_key=True),
    Column("care_model_id", ForeignKey("care_models.id", ondelete="CASCADE"), primary_key=True),
)


class OfferElement(WorkItem, db.Model):
    __tablename__ = "offer_elements"

    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)

    gaps: Mapped[list[Gap]] = relationship(secondary=offer_gaps, order_by="Gap.position")
    models: Mapped[list[CareModel]] = relationship(secondary=offer_models, order_by="CareModel.position")
    providers: Mapped[list[OfferProvider]] = relationship(back_populates="offer_element",
                                                          cascade="all, delete-orphan",
                                                          order_by="OfferProvider.id")
    responsibilities: Mapped[list[CareResponsibility]] = relationship(
        back_populates="offer_element", order_by="CareResponsibility.position")


class OfferProvider(db.Model):
    """A provider relationship of an offer element: the establishment itself (no organization) or an
    organization, with whom the service-agreement parameters are negotiated."""

    __tablename__ = "offer_providers"
    __table_args__ = (UniqueConstraint("offer_element_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_element_id: Mapped[int] = mapped_column(ForeignKey("offer_elements.id", ondelete="CASCADE"),
                                                  index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                                        index=True)

    offer_element: Mapped[OfferElement] = relationship(back_populates="providers")
    organization: Mapped[Organization | None] = relationship()
    proposals: Mapped[list[AgreementProposal]] = relationship(back_populates="provider",
                                                              cascade="all, delete-orphan",
                                                              order_by="AgreementProposal.revision")


class Parameter(enum.Enum):
    response_times = "response_times"
    nature_of_services = "nature_of_services"
    competence = "competence"
    information_exchange = "information_exchange"
    plan_review = "plan_review"
    quality_control = "quality_control"


PARAMETER_LABELS = {
    Parameter.response_times: _l("Response times"),
    Parameter.nature_of_services: _l("Nature of the services"),
    Parameter.competence: _l("Competence of the resources"),
    Parameter.information_exchange: _l("Information exchange and file follow-up"),
    Parameter.plan_review: _l("Review of the intervention plan"),
    Parameter.quality_control: _l("Quality control"),
}


class ProposalAction(enum.Enum):
    propose = "propose"
    amend = "amend"
    accept = "accept"


ACTION_LABELS = {ProposalAction.propose: _l("Proposed"), ProposalAction.amend: _l("Amended"),
                 ProposalAction.accept: _l("Accepted")}

SIDE_LABELS = {"establishment": _l("Establishment"), "organization": _l("Organization")}


class AgreementProposal(db.Model):
    """One version of one agreement parameter. Rows are only ever added: every version is kept."""

    __tablename__ = "agreement_proposals"
    __table_args__ = (UniqueConstraint("provider_id", "parameter", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("offer_providers.id", ondelete="CASCADE"), index=True)
    parameter: Mapped[Parameter] = mapped_column(_enum(Parameter))
    revision: Mapped[int] = mapped_column(Integer)
    action: Mapped[ProposalAction] = mapped_column(_enum(ProposalAction))
    side: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=now_utc)

    provider: Mapped[OfferProvider] = relationship(back_populates="proposals")
    user: Mapped[User | None] = relationship()

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])

    @property
    def side_label(self) -> str:
        return str(SIDE_LABELS[self.side])


class CareResponsibility(WorkItem, db.Model):
    """A responsibility within an offer element; actors hold it at one of four levels."""

    __tablename__ = "care_responsibilities"

    description: Mapped[str] = mapped_column(String(300))
    offer_element_id: Mapped[int] = mapped_column(ForeignKey("offer_elements.id", ondelete="CASCADE"),
                                                  index=True)

    offer_element: Mapped[OfferElement] = relationship(back_populates="responsibilities")
    assignments: Mapped[list[CareRoleAssignment]] = relationship(back_populates="responsibility",
                                                                 cascade="all, delete-orphan",
                                                                 order_by="CareRoleAssignment.id")


class RoleLevel(enum.Enum):
    decides = "decides"
    carries_out = "carries_out"
    consulted = "consulted"
    informed = "informed"


ROLE_LEVEL_LABELS = {
    RoleLevel.decides: _l("Decides"),
    RoleLevel.carries_out: _l("Carries out"),
    RoleLevel.consulted: _l("Is consulted"),
    RoleLevel.informed: _l("Is informed"),
}


class CareRoleAssignment(db.Model):
    __tablename__ = "care_role_assignments"
    __table_args__ = (UniqueConstraint("responsibility_id", "organization_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    responsibility_id: Mapped[int] = mapped_column(ForeignKey("care_responsibilities.id", ondelete="CASCADE"),
                                                   index=True)
    # None: the establishment.
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    level: Mapped[RoleLevel] = mapped_column(_enum(RoleLevel))

    responsibility: Mapped[CareResponsibility] = relationship(back_populates="assignments")
    organization: Mapped[Organization | None] = relationship()


# Search --------------------------------------------------------------------------------------------


class SearchEntry(db.Model):
    """One searchable text per item, of the working copy (version_id empty) or of a frozen version.
    `text` is lowercased without accents (PostgreSQL's 'french' configuration stems it); `stems` is the
    same text stemmed in Python, which the SQLite FTS5 index reads."""

    __tablename__ = "project_search_entries"
    __table_args__ = (Index("ix_project_search_entries_scope", "project_id", "version_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("clinical_projects.id", ondelete="CASCADE"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("step_versions.id", ondelete="CASCADE"),
                                                   index=True)
    kind: Mapped[str] = mapped_column(String(30))
    uid: Mapped[str] = mapped_column(String(36), index=True)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    stems: Mapped[str] = mapped_column(Text)


# What PostgreSQL's search matches (consult/projects/search.py), and a GIN index holding it, so that a search
# reads the index instead of computing it for every entry. 'french' is written as a literal, not a bound
# parameter, so that the query's expression is the index's. The index exists on PostgreSQL only: SQLite
# searches its FTS5 table instead.
SEARCH_VECTOR = to_tsvector(sql_text("'french'"), SearchEntry.__table__.c.text)
Index("ix_project_search_entries_french", SEARCH_VECTOR, postgresql_using="gin").ddl_if(dialect="postgresql")
