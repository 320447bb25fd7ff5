from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from consult.accounts.models import User
from consult.core.db import db
from consult.organizations.models import OrganizationMember


def memberships_of(user: User) -> list[OrganizationMember]:
    stmt = (select(OrganizationMember).where(OrganizationMember.user_id == user.id)
            .options(joinedload(OrganizationMember.organization)).order_by(OrganizationMember.id))
    return list(db.session.scalars(stmt))
