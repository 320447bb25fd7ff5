"""Who may do what with clinical projects.

Planners of the establishment edit its projects; everyone, visitors included, reads published versions;
an organization's representatives confirm, edit or decline their own inventory entries and write their
side of agreement proposals. Working copies are seen only by the establishment's planners and by
administrators, who may read them but not change them.
"""

from __future__ import annotations

from typing import Any

from consult.core.permissions import can, rule
from consult.projects.models import ClinicalProject, OfferProvider, Service, StepVersion
from consult.territories.models import Establishment


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def plans(user: Any, establishment_id: int) -> bool:
    return _signed_in(user) and establishment_id in user.establishment_ids("planner")


@rule("projects.create")
def _create(user, establishment: Establishment | None) -> bool:
    if not _signed_in(user):
        return False
    if establishment is None:  # "may this person create a project somewhere?"
        return bool(user.establishment_ids("planner"))
    return plans(user, establishment.id)


@rule("projects.edit")
def _edit(user, project: ClinicalProject) -> bool:
    return plans(user, project.establishment_id)


@rule("projects.work.view")
def _see_working_copy(user, project: ClinicalProject) -> bool:
    return plans(user, project.establishment_id) or (_signed_in(user) and user.is_admin)


@rule("projects.view")
def _view(user, project: ClinicalProject) -> bool:
    return project.is_public or can(user, "projects.work.view", project)


@rule("projects.version.view")
def _view_version(_user, _version: StepVersion) -> bool:
    # A published version is public by nature: that is what publishing means.
    return True


@rule("projects.service.respond")
def _respond(user, service: Service) -> bool:
    organization = service.organization
    return organization is not None and can(user, "organization.represent", organization)


@rule("projects.service.history")
def _history(user, service: Service) -> bool:
    return can(user, "projects.work.view", service.project) or can(user, "projects.service.respond", service)


@rule("projects.agreement.view")
def _agreement_view(user, provider: OfferProvider) -> bool:
    project = provider.offer_element.project
    if can(user, "projects.work.view", project):
        return True
    return provider.organization is not None and can(user, "organization.represent", provider.organization)


@rule("projects.agreement.propose")
def _agreement_propose(user, provider: OfferProvider) -> bool:
    """Either side of the relationship: the establishment's planners or the organization's
    representatives. A relationship with the establishment itself has no agreement."""
    if provider.organization is None:
        return False
    if plans(user, provider.offer_element.project.establishment_id):
        return True
    return can(user, "organization.represent", provider.organization)


@rule("programmes.manage")
def _programmes(user, _obj) -> bool:
    return _signed_in(user) and user.is_admin
