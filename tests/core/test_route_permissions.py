"""Every route × every role: a page answers 200 only to the roles listed here, and a forbidden action
changes nothing. A new route fails this test until it is added to the table, so nobody forgets to decide."""

from __future__ import annotations

import pytest

from consult.accounts.models import EstablishmentRole
from consult.core.db import db
from consult.organizations.models import MemberRole, Organization, OrganizationKind, OrganizationMember
from consult.territories.models import Establishment, Level, TerritoryNode

ROLES = ("anonymous", "citizen", "member", "representative", "moderator", "planner", "admin")
SIGNED_IN = set(ROLES) - {"anonymous"}
EVERYONE = set(ROLES)
ADMIN = {"admin"}
NOBODY: set[str] = set()

# endpoint -> (roles that get 200 on GET, roles allowed to POST)
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "main.home": (EVERYONE, NOBODY),
    "main.healthz": (EVERYONE, NOBODY),
    "i18n.switch": (NOBODY, NOBODY),  # always a redirect
    # Signed-in people are sent on to their account: nothing to refuse, nothing changes.
    "accounts.register": ({"anonymous"}, EVERYONE),
    "accounts.login": ({"anonymous"}, EVERYONE),
    "accounts.logout": (NOBODY, EVERYONE),
    "accounts.verify": (NOBODY, NOBODY),  # an invalid link redirects
    "accounts.resend_verification": (NOBODY, SIGNED_IN),
    "accounts.forgot_password": (EVERYONE, EVERYONE),
    "accounts.reset_password": (NOBODY, EVERYONE),  # the link is the authorization
    "accounts.account": (SIGNED_IN, SIGNED_IN),
    "accounts.change_email": (NOBODY, SIGNED_IN),
    "accounts.confirm_email": (NOBODY, NOBODY),
    "accounts.change_password": (NOBODY, SIGNED_IN),
    "accounts.privacy_notice": (EVERYONE, NOBODY),
    "accounts.download_data": (SIGNED_IN, NOBODY),
    "accounts.delete_account": (SIGNED_IN, SIGNED_IN),
    "admin.dashboard": (ADMIN, NOBODY),
    "admin.users": (ADMIN, NOBODY),
    "admin.user": (ADMIN, ADMIN),
    "admin.revoke_role": (NOBODY, ADMIN),
    "admin.outbox": (ADMIN, NOBODY),
    "admin.outbox_message": (NOBODY, NOBODY),  # no message 1 in an empty outbox: 404 for all
    "territories.public_establishments": (EVERYONE, NOBODY),
    "territories.nodes": (ADMIN, NOBODY),
    "territories.new_node": (ADMIN, ADMIN),
    "territories.node": (ADMIN, ADMIN),
    "territories.delete_node": (NOBODY, ADMIN),
    "territories.establishments": (ADMIN, NOBODY),
    "territories.new_establishment": (ADMIN, ADMIN),
    "territories.establishment": (ADMIN, NOBODY),
    "territories.edit_establishment": (ADMIN, ADMIN),
}


@pytest.fixture
def world(make_user):
    region = TerritoryNode(code="06", name="Montréal", level=Level.region)
    establishment = Establishment(name="CSSS Test", kind="CSSS", region=region)
    organization = Organization(name="Groupe Test", kind=OrganizationKind.autonomous_community)
    db.session.add_all([region, establishment, organization])
    db.session.commit()
    users = {
        "citizen": make_user("citoyen@exemple.ca"),
        "member": make_user("membre@exemple.ca"),
        "representative": make_user("rep@exemple.ca"),
        "moderator": make_user("mod@exemple.ca", moderator=establishment),
        "planner": make_user("planif@exemple.ca", planner=establishment),
        "admin": make_user("admin@exemple.ca", admin=True),
    }
    db.session.add_all([
        OrganizationMember(organization=organization, user=users["member"], role=MemberRole.member),
        OrganizationMember(organization=organization, user=users["representative"],
                           role=MemberRole.representative),
    ])
    db.session.commit()
    role = db.session.scalar(db.select(EstablishmentRole).filter_by(user_id=users["planner"].id))
    values = {
        "user_id": users["citizen"].id, "role_id": role.id, "message_id": "1", "token": "not-a-token",
        "code": "en", "establishment_id": establishment.id, "node_id": region.id,
        "organization_id": organization.id,
    }
    return users, values


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule


def test_every_route_is_in_the_table(app):
    missing = sorted({r.endpoint for r in _routes(app)} - set(EXPECTED))
    assert not missing, f"routes without an expected access list: {missing}"


def _url(rule, values) -> str:
    unknown = set(rule.arguments) - set(values)
    assert not unknown, f"add a sample value for {unknown} ({rule.endpoint})"
    return rule.build({k: values[k] for k in rule.arguments})[1]


def _forbidden(response) -> bool:
    if response.status_code in (403, 404, 405, 400):
        return True
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


@pytest.mark.parametrize("role", ROLES)
def test_route_access_by_role(app, world, role):
    users, values = world
    unexpected = []
    for rule in _routes(app):
        allowed_get, allowed_post = EXPECTED[rule.endpoint]
        client = app.test_client()
        if role != "anonymous":
            client.login(users[role])
        url = _url(rule, values)
        if "GET" in rule.methods:
            status = client.get(url).status_code
            if (status == 200) != (role in allowed_get):
                unexpected.append(f"GET {url} → {status}")
        if "POST" in rule.methods and role not in allowed_post:
            response = client.post(url, data={})
            if not _forbidden(response):
                unexpected.append(f"POST {url} → {response.status_code} (should be refused)")
    assert not unexpected, f"{role}: " + "; ".join(unexpected)
