"""The programme-services an organization can say it is concerned with, by stable code.

Stored as codes in organization_programmes (no foreign key), so that organizations do not depend on
how the clinical project keeps its list. Which codes can be chosen: the active programmes the
administrators keep for the clinical project (consult.projects' `programmes` table, same codes) when
there are any, otherwise the MSSS programme-services below.
"""

from __future__ import annotations

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult.core.db import db

PROGRAMMES = {
    "palv": _l("Loss of autonomy related to ageing (PALV)"),
    "mental_health": _l("Mental health"),
    "youth": _l("Youth in difficulty"),
    "addiction": _l("Addiction"),
    "physical_disability": _l("Physical disability"),
    "intellectual_disability": _l("Intellectual disability and autism spectrum disorder"),
    "physical_health": _l("Physical health"),
    "public_health": _l("Public health"),
    "general_services": _l("General services"),
}


def _configured() -> list[tuple[str, str]]:
    """(code, name) of the clinical project's active programmes, in their order; [] when none."""
    try:
        from consult.projects.models import Programme
    except ImportError:  # the clinical-project module is not installed
        return []
    from consult.i18n.locale import current_lang

    rows = db.session.scalars(select(Programme).where(Programme.active).order_by(Programme.position, Programme.code))
    lang = current_lang()
    return [(p.code, p.name_for(lang)) for p in rows]


def programme_choices() -> list[tuple[str, str]]:
    """What may be chosen now; read once per request."""
    if has_app_context() and "consult_programmes" in g:
        return g.consult_programmes
    choices = _configured() or [(code, str(label)) for code, label in PROGRAMMES.items()]
    if has_app_context():
        g.consult_programmes = choices
    return choices


def programme_label(code: str) -> str:
    """The name of a programme code; a code no longer offered keeps a name when one is known."""
    for known, name in programme_choices():
        if known == code:
            return name
    label = PROGRAMMES.get(code)
    return str(label) if label is not None else code


def programme_order(code: str) -> int:
    codes = [known for known, _name in programme_choices()]
    return codes.index(code) if code in codes else len(codes)
