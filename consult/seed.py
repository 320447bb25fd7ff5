"""`consult seed-demo`: a demo territory shaped like the research setting (four CSSS in two regions),
organizations of every kind, and one sign-in per role.

Idempotent: every row is looked up by its natural key (territory code, establishment and organization
name, e-mail address) and created only when missing; what exists is left as it is, so running it again
changes nothing. Territories and establishments go through the territory services, so the demo codes
obey the same rules as the admin pages.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from consult.accounts import services as accounts
from consult.accounts.models import EstablishmentRole, EstablishmentRoleKind, User
from consult.accounts.passwords import hash_password
from consult.core.db import db, now_utc
from consult.organizations.models import MemberRole, Organization, OrganizationKind, OrganizationMember
from consult.territories import services as territories
from consult.territories.models import Establishment, Level, TerritoryNode

DEMO_PASSWORD = "demo-consult-2026"

# (level, code, name, children). Codes look official: region 2 digits, RLS +2, CLSC +1, municipalities
# their 5-digit geographic code, neighbourhoods the CLSC code and a number.
R, RLS, CLSC, MUN, NBH = Level.region, Level.rls, Level.clsc, Level.municipality, Level.neighbourhood
TERRITORY = [
    (R, "06", "Montréal", [
        (RLS, "0611", "RLS du Centre-Est", [
            (CLSC, "06111", "CLSC des Faubourgs", [
                (NBH, "06111-01", "Centre-Sud", []),
                (NBH, "06111-02", "Quartier latin", []),
            ]),
            (CLSC, "06112", "CLSC du Plateau-Mont-Royal", [
                (NBH, "06112-01", "Plateau-Est", []),
                (NBH, "06112-02", "Mile End", []),
            ]),
            (CLSC, "06113", "CLSC Saint-Louis-du-Parc", [
                (NBH, "06113-01", "Milton-Parc", []),
            ]),
        ]),
        (RLS, "0612", "RLS des Quartiers-du-Canal", [
            (CLSC, "06121", "CLSC de Saint-Henri", [
                (NBH, "06121-01", "Saint-Henri", []),
                (NBH, "06121-02", "Petite-Bourgogne", []),
            ]),
            (CLSC, "06122", "CLSC de Verdun", [
                (NBH, "06122-01", "Wellington–De l'Église", []),
                (NBH, "06122-02", "L'Île-des-Sœurs", []),
            ]),
            (CLSC, "06123", "CLSC Ville-Émard–Côte-Saint-Paul", [
                (NBH, "06123-01", "Ville-Émard", []),
                (NBH, "06123-02", "Côte-Saint-Paul", []),
            ]),
        ]),
    ]),
    (R, "02", "Saguenay–Lac-Saint-Jean", [
        (RLS, "0221", "RLS du Haut-Saguenay", [
            (CLSC, "02211", "CLSC de Chicoutimi", [
                (MUN, "94068", "Saguenay", []),
            ]),
            (CLSC, "02212", "CLSC du Fjord", [
                (MUN, "94235", "Saint-Honoré", []),
                (MUN, "94245", "Saint-Fulgence", []),
                (MUN, "94255", "Sainte-Rose-du-Nord", []),
            ]),
        ]),
        (RLS, "0222", "RLS des Rives-du-Lac", [
            (CLSC, "02221", "CLSC d'Alma", [
                (MUN, "93042", "Alma", []),
                (MUN, "93030", "Saint-Gédéon", []),
            ]),
            (CLSC, "02222", "CLSC de Métabetchouan", [
                (MUN, "93020", "Métabetchouan–Lac-à-la-Croix", []),
                (MUN, "93065", "Hébertville", []),
            ]),
        ]),
    ]),
]

CENTRE_EST = "CSSS du Centre-Est de Montréal"
# (name, kind, region code, territory codes, formed voluntarily)
ESTABLISHMENTS = [
    (CENTRE_EST, "CSSS", "06", ["0611", "06111", "06112", "06113"], False),
    ("CSSS des Quartiers-du-Canal", "CSSS", "06", ["0612", "06121", "06122", "06123"], False),
    ("CSSS du Haut-Saguenay", "CSSS", "02", ["0221", "02211", "02212"], False),
    ("CSSS des Rives-du-Lac", "CSSS", "02", ["0222", "02221", "02222"], True),
]

K = OrganizationKind
CARREFOUR = "Carrefour des aînés du Centre-Sud"
CDC = "Corporation de développement communautaire du Centre-Est"
# Fictional names, one organization or more of every kind.
ORGANIZATIONS = [
    (CARREFOUR, K.autonomous_community),
    ("Répit Proches aidants du Canal", K.autonomous_community),
    ("Entraide Le Fjord", K.autonomous_community),
    ("Popote roulante de la Petite-Bourgogne", K.community),
    ("Coopérative de soutien à domicile Aide-Chez-Soi (EÉSAD)", K.social_economy),
    ("Résidence pour aînés Les Jardins Sainte-Marie", K.private_resource),
    ("Centre de réadaptation Le Phare", K.public_establishment),
    ("Municipalité de Lac-des-Aulnes", K.municipality),
    ("Centre de services scolaire des Rives-du-Fjord", K.school_board),
    (CDC, K.coalition),
    ("Table de concertation en habitation du Sud-Ouest", K.round_table),
    ("Comité des usagers du CSSS du Centre-Est", K.users_committee),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: str  # how the login is described at the end of the command
    locale: str = "fr"
    admin: bool = False
    establishment_roles: tuple[tuple[EstablishmentRoleKind, str], ...] = ()
    memberships: tuple[tuple[MemberRole, str], ...] = ()


PLANNER, MODERATOR = EstablishmentRoleKind.planner, EstablishmentRoleKind.moderator
USERS = [
    DemoUser("admin@demo.consult.ca", "Équipe de la plateforme", "platform administrator", admin=True),
    DemoUser("planif@demo.consult.ca", "Geneviève Lavoie", f"planner, {CENTRE_EST}",
             establishment_roles=((PLANNER, CENTRE_EST),)),
    DemoUser("planif2@demo.consult.ca", "Martin Bouchard",
             f"planner taking over mid-process, {CENTRE_EST}", establishment_roles=((PLANNER, CENTRE_EST),)),
    DemoUser("moderation@demo.consult.ca", "Nadia Gagnon", f"moderator, {CENTRE_EST}",
             establishment_roles=((MODERATOR, CENTRE_EST),)),
    DemoUser("representant@demo.consult.ca", "Louise Bergeron", f"representative, {CARREFOUR}",
             memberships=((MemberRole.representative, CARREFOUR),)),
    DemoUser("membre@demo.consult.ca", "Karim Haddad", f"member, {CARREFOUR}",
             memberships=((MemberRole.member, CARREFOUR),)),
    DemoUser("coalition@demo.consult.ca", "Julie Côté", f"representative, {CDC}",
             memberships=((MemberRole.representative, CDC),)),
    DemoUser("citoyen@demo.consult.ca", "Réjean Simard", "citizen"),
    DemoUser("citizen@demo.consult.ca", "Sarah Mitchell", "citizen (English)", locale="en"),
]


@dataclass
class Report:
    created: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)

    def count(self, what: str, was_created: bool) -> None:
        (self.created if was_created else self.existing)[what] += 1


class Seeder:
    def __init__(self) -> None:
        self.report = Report()
        self._password_hash: str | None = None

    def password_hash(self) -> str:
        # Hashed at most once per run: argon2 is deliberately slow.
        if self._password_hash is None:
            self._password_hash = hash_password(DEMO_PASSWORD)
        return self._password_hash

    def run(self) -> Report:
        for region in TERRITORY:
            self.node(region, None)
        establishments = {name: self.establishment(name, kind, region, codes, voluntary)
                          for name, kind, region, codes, voluntary in ESTABLISHMENTS}
        organizations = {name: self.organization(name, kind) for name, kind in ORGANIZATIONS}
        for demo in USERS:
            user = self.user(demo)
            for role, name in demo.establishment_roles:
                self.establishment_role(user, establishments[name], role)
            for role, name in demo.memberships:
                self.membership(user, organizations[name], role)
        return self.report

    def node(self, spec: tuple, parent: TerritoryNode | None) -> TerritoryNode:
        level, code, name, children = spec
        node = territories.node_by_code(code)
        self.report.count("territories", node is None)
        if node is None:
            node = territories.create_node(code, name, level, parent)
        for child in children:
            self.node(child, node)
        return node

    def establishment(self, name: str, kind: str, region_code: str, codes: list[str],
                      voluntary: bool) -> Establishment:
        establishment = territories.establishment_by_name(name)
        self.report.count("establishments", establishment is None)
        if establishment is None:
            establishment = territories.save_establishment(
                None, name=name, kind=kind, region=territories.node_by_code(region_code),
                territories=[n for n in map(territories.node_by_code, codes) if n is not None],
                formed_voluntarily=voluntary)
        return establishment

    def organization(self, name: str, kind: OrganizationKind) -> Organization:
        organization = db.session.scalar(select(Organization).where(Organization.name == name).limit(1))
        self.report.count("organizations", organization is None)
        if organization is None:
            organization = Organization(name=name, kind=kind)
            db.session.add(organization)
            db.session.flush()
        return organization

    def user(self, demo: DemoUser) -> User:
        user = accounts.find_by_email(demo.email)
        self.report.count("accounts", user is None)
        if user is None:
            now = now_utc()
            user = User(email=demo.email, password_hash=self.password_hash(), display_name=demo.name,
                        locale=demo.locale, is_admin=demo.admin, email_verified_at=now,
                        privacy_accepted_at=now)
            db.session.add(user)
            db.session.flush()
        return user

    def establishment_role(self, user: User, establishment: Establishment,
                           role: EstablishmentRoleKind) -> None:
        exists = db.session.scalar(select(EstablishmentRole).filter_by(
            user_id=user.id, establishment_id=establishment.id, role=role))
        self.report.count("roles", exists is None)
        if exists is None:
            db.session.add(EstablishmentRole(user=user, establishment=establishment, role=role))
            db.session.flush()

    def membership(self, user: User, organization: Organization, role: MemberRole) -> None:
        exists = db.session.scalar(select(OrganizationMember).filter_by(
            user_id=user.id, organization_id=organization.id))
        self.report.count("memberships", exists is None)
        if exists is None:
            db.session.add(OrganizationMember(user=user, organization=organization, role=role))
            db.session.flush()


def load_demo() -> Report:
    """Create what is missing of the demo data and commit: the territory and people first, then each
    module's own demo (programmes and the PALV project, the partnership registry, then the consultation
    rounds and what participants gave them, the equity lens, and last the closed round's published summary,
    compiled by the real pipeline from all of it)."""
    from consult.equity import demo as equity_demo
    from consult.organizations import demo as organizations_demo
    from consult.participation import demo as participation_demo
    from consult.projects import demo as projects_demo
    from consult.rounds import demo as rounds_demo
    from consult.summaries import demo as summaries_demo

    report = Seeder().run()
    projects_demo.load(report)
    organizations_demo.load(report)
    rounds_demo.load(report)
    participation_demo.load(report)
    equity_demo.load(report)
    summaries_demo.load(report)
    db.session.commit()
    return report


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load the demo territory, establishments, organizations and one login per role (idempotent)."""
    report = load_demo()
    created = ", ".join(f"{count} {kind}" for kind, count in report.created.items() if count)
    click.echo(f"Demo data created: {created}." if created else "Demo data already present: nothing changed.")
    click.echo("")
    click.echo(f"Demo sign-ins (password for every account: {DEMO_PASSWORD}):")
    width = max(len(demo.email) for demo in USERS)
    for demo in USERS:
        click.echo(f"  {demo.email.ljust(width)}  {demo.role}")
    if report.existing["accounts"]:
        click.echo("Accounts that already existed were left as they were, password included.")
    from consult.summaries import demo as summaries_demo

    path = summaries_demo.summary_path()
    if path:
        click.echo("")
        click.echo(f"Published consultation summary of the closed demo round: {path}")
