from consult.accounts.privacy import eraser, exporter
from consult.core.db import db
from consult.organizations.queries import memberships_of


@exporter("organization_memberships")
def _memberships(user) -> list[dict]:
    return [{"organization": m.organization.name, "role": m.role.value, "since": m.created_at}
            for m in memberships_of(user)]


@eraser
def _leave_organizations(user) -> None:
    for membership in memberships_of(user):
        db.session.delete(membership)
