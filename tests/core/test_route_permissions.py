"""Every route × every role: a page answers 200 only to the roles listed here, and a forbidden action
changes nothing. A new route fails this test until it is added to the table, so nobody forgets to decide."""

from __future__ import annotations

import pytest

from consult.accounts.models import EstablishmentRole
from consult.core.db import db
from consult.organizations.models import MemberRole, Organization, OrganizationKind, OrganizationMember
from consult.territories.models import Establishment, Level, TerritoryNode
from tests.participation.factories import participation_route_values
from tests.projects.factories import project_route_values

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
    "organizations.directory": (EVERYONE, NOBODY),
    "organizations.show": (EVERYONE, NOBODY),
    "organizations.new": (SIGNED_IN, SIGNED_IN),
    "organizations.edit": ({"representative"}, {"representative"}),
    "organizations.verify": (NOBODY, ADMIN),
    "organizations.members": ({"member", "representative", "admin"}, NOBODY),
    "organizations.invite": (NOBODY, {"representative"}),
    "organizations.revoke_invitation": (NOBODY, NOBODY),  # no invitation in the world: 404 for all
    "organizations.change_role": (NOBODY, NOBODY),  # sample membership_id matches no membership: 404
    "organizations.transfer": (NOBODY, NOBODY),
    "organizations.remove_member": (NOBODY, NOBODY),
    "organizations.leave": (NOBODY, {"member", "representative"}),
    "organizations.request_join": (NOBODY, {"citizen", "moderator", "planner", "admin"}),
    "organizations.approve_request": (NOBODY, NOBODY),  # no request in the world: 404 for all
    "organizations.refuse_request": (NOBODY, NOBODY),
    "organizations.invitation": (NOBODY, NOBODY),  # "not-a-token" is an invalid link: 404 for all
    "organizations.coalitions": ({"member", "representative", "admin"}, NOBODY),
    "organizations.list_member": (NOBODY, NOBODY),  # the world's organization is not a coalition
    "organizations.confirm_coalition": (NOBODY, NOBODY),  # no coalition link in the world: 404
    "organizations.decline_coalition": (NOBODY, NOBODY),
    "organizations.withdraw_coalition": (NOBODY, NOBODY),
    "organizations.organization_relationships": ({"member", "representative", "admin"}, NOBODY),
    "organizations.open_from_organization": (NOBODY, {"representative"}),
    "organizations.visibility": (NOBODY, {"representative"}),
    "organizations.establishment_relationships": ({"planner", "admin"}, NOBODY),
    "organizations.open_from_establishment": (NOBODY, {"planner"}),
    "organizations.handovers": ({"planner", "admin"}, {"planner", "admin"}),
    # No relationship, funding, agreement or item in this world: 404 for all.
    # tests/organizations/test_access.py walks these routes with every object present.
    "organizations.relationship": (NOBODY, NOBODY),
    "organizations.describe": (NOBODY, NOBODY),
    "organizations.stance": (NOBODY, NOBODY),
    "organizations.judge_establishment": (NOBODY, NOBODY),
    "organizations.judge_organization": (NOBODY, NOBODY),
    "organizations.new_funding": (NOBODY, NOBODY),
    "organizations.edit_funding": (NOBODY, NOBODY),
    "organizations.delete_funding": (NOBODY, NOBODY),
    "organizations.new_agreement": (NOBODY, NOBODY),
    "organizations.agreement": (NOBODY, NOBODY),
    "organizations.delete_agreement": (NOBODY, NOBODY),
    "organizations.add_item": (NOBODY, NOBODY),
    "organizations.item_reported": (NOBODY, NOBODY),
    "organizations.delete_item": (NOBODY, NOBODY),
    "ops.jobs": (ADMIN, NOBODY),
    "ops.retry_job": (NOBODY, ADMIN),
    "ops.metrics": (NOBODY, NOBODY),  # 404 unless CONSULT_METRICS_TOKEN is set and given
    "projects.index": (EVERYONE, NOBODY),
    "projects.new_project": ({"planner"}, {"planner"}),
    "projects.project": (EVERYONE, NOBODY),
    "projects.edit_project": ({"planner"}, {"planner"}),
    "projects.step": ({"planner", "admin"}, NOBODY),
    "projects.step_summary": (NOBODY, {"planner"}),
    "projects.transition": (NOBODY, {"planner"}),
    "projects.versions": (EVERYONE, NOBODY),
    "projects.version": (EVERYONE, NOBODY),
    "projects.version_item": (EVERYONE, NOBODY),
    "projects.compare_versions": (EVERYONE, NOBODY),
    "projects.grid": (EVERYONE, NOBODY),
    "projects.roles": (EVERYONE, NOBODY),
    "projects.trace": (EVERYONE, NOBODY),
    "projects.trace_csv": (EVERYONE, NOBODY),
    "projects.coverage": (EVERYONE, NOBODY),
    "projects.coverage_csv": (EVERYONE, NOBODY),
    "projects.search": (EVERYONE, NOBODY),
    "projects.items": ({"planner", "admin"}, NOBODY),
    "projects.new_item": ({"planner"}, {"planner"}),
    "projects.edit_item": ({"planner", "admin"}, {"planner"}),
    "projects.delete_item": (NOBODY, {"planner"}),
    "projects.item_by_uid": (NOBODY, NOBODY),  # a redirect to the working item (planners, admins)
    "projects.import_indicators": ({"planner"}, {"planner"}),
    "projects.my_entries": (SIGNED_IN, NOBODY),
    "projects.respond_service": ({"representative"}, {"representative"}),
    "projects.service_history": ({"planner", "admin", "representative"}, NOBODY),
    "projects.agreement": ({"planner", "admin", "representative"}, NOBODY),
    "projects.propose": (NOBODY, {"planner", "representative"}),
    "projects.programmes": (ADMIN, ADMIN),
    "projects.new_programme": (ADMIN, ADMIN),
    "projects.edit_programme": (ADMIN, ADMIN),
    # Consultation rounds: the sample round is open, on the published needs portrait of the sample project.
    "rounds.index": (EVERYONE, NOBODY),
    "rounds.show": (EVERYONE, NOBODY),
    "rounds.items": (EVERYONE, NOBODY),
    "rounds.answer": (NOBODY, NOBODY),  # invitation 999999: 404 for all (tests/rounds/test_access.py walks it)
    "rounds.manage": ({"planner", "admin"}, NOBODY),
    "rounds.new": ({"planner"}, {"planner"}),
    "rounds.edit": (NOBODY, {"planner"}),  # the round is open: the planner is sent to the round page
    "rounds.transition": (NOBODY, {"planner"}),
    "rounds.extend": ({"planner"}, {"planner"}),
    "rounds.history": ({"planner", "admin"}, NOBODY),
    "rounds.questions": ({"planner", "admin"}, {"planner"}),
    "rounds.edit_question": (NOBODY, NOBODY),  # question 999999: 404
    "rounds.move_question": (NOBODY, NOBODY),
    "rounds.delete_question": (NOBODY, NOBODY),
    "rounds.invitations": ({"planner", "admin"}, {"planner"}),
    "rounds.uninvite": (NOBODY, NOBODY),  # invitation 999999: 404
    # Briefs: the sample brief is a draft of the sample organization; planners never read drafts.
    "participation.new_brief": ({"representative"}, {"representative"}),
    "participation.brief": ({"member", "representative"}, {"representative"}),
    "participation.brief_position": (NOBODY, {"representative"}),
    "participation.remove_position": (NOBODY, {"representative"}),
    "participation.upload_attachment": (NOBODY, {"representative"}),
    "participation.attachment": ({"member", "representative"}, NOBODY),
    "participation.remove_attachment": (NOBODY, {"representative"}),
    "participation.request_cosigner": (NOBODY, {"representative"}),
    "participation.remove_cosigner": (NOBODY, NOBODY),  # co-signer 999999
    "participation.cosign": (NOBODY, NOBODY),  # nobody in the sample was asked to co-sign
    "participation.submit_brief": (NOBODY, {"representative"}),
    "participation.withdraw_brief": (NOBODY, {"representative"}),
    "participation.round_briefs": (EVERYONE, NOBODY),
    "participation.my_briefs": (SIGNED_IN, NOBODY),
    # Comments, supports, proposed needs: the sample comment and proposed need are the citizen's.
    "participation.item": (EVERYONE, NOBODY),
    "participation.comment": (NOBODY, SIGNED_IN),
    "participation.replies": (EVERYONE, NOBODY),
    "participation.reply": (NOBODY, SIGNED_IN),
    "participation.edit_comment": ({"citizen"}, {"citizen"}),  # the author only
    "participation.comment_history": (EVERYONE, NOBODY),
    "participation.support": (NOBODY, SIGNED_IN),
    "participation.unsupport": (NOBODY, SIGNED_IN),
    "participation.propose_need": (SIGNED_IN, SIGNED_IN),
    "participation.proposed_needs": (EVERYONE, NOBODY),
    "participation.proposed_need": (EVERYONE, NOBODY),
    "participation.accept_proposed_need": (NOBODY, {"planner"}),
    "participation.decline_proposed_need": (NOBODY, {"planner"}),
    "participation.profile": (SIGNED_IN, SIGNED_IN),
    "participation.withdraw_profile": (NOBODY, SIGNED_IN),
    # Answers: the sample round is open, so "what we heard" is a preview for the establishment only.
    "participation.answers": ({"planner", "admin"}, NOBODY),
    "participation.answer": (NOBODY, NOBODY),  # sample kind "service" is not an input kind: 404
    "participation.heard": ({"planner", "admin"}, NOBODY),
    "participation.publish_heard": (NOBODY, {"planner"}),
    # Moderation and notices (sample kind "service" is not a moderation kind: 404).
    "moderation.flag": (NOBODY, NOBODY),
    "moderation.queue": ({"moderator", "admin"}, NOBODY),
    "moderation.decide": (NOBODY, NOBODY),
    "moderation.log": ({"moderator", "planner", "admin"}, NOBODY),
    "moderation.transparency": (EVERYONE, NOBODY),
    "notifications.follow": (NOBODY, SIGNED_IN),
    "notifications.unfollow": (NOBODY, SIGNED_IN),
    "notifications.settings": (SIGNED_IN, SIGNED_IN),
    "notifications.unsubscribe": (NOBODY, NOBODY),  # "not-a-token" is a forged link: 400
    # Equity lens: the sample brief is a draft (planners never see drafts); chart "areas".
    "equity.brief_tags": ({"representative"}, {"representative"}),
    "equity.comment_tags": ({"citizen", "planner"}, {"citizen", "planner"}),
    "equity.proposed_need_tags": ({"citizen", "planner"}, {"citizen", "planner"}),
    "equity.review": ({"planner", "admin"}, {"planner"}),
    "equity.lens": ({"planner", "admin"}, NOBODY),
    "equity.chart_csv": ({"planner", "admin"}, NOBODY),
    "equity.chart_svg": ({"planner", "admin"}, NOBODY),
    "equity.taxonomy_page": ({"planner", "admin"}, {"planner"}),
    "equity.retire_tag": (NOBODY, {"planner"}),
    "equity.settings": ({"planner"}, {"planner"}),
    # The API: reads are public, writes need a token (a session alone gets a 401 problem).
    "api.openapi_document": (EVERYONE, NOBODY), "api.establishments": (EVERYONE, NOBODY),
    "api.establishment": (EVERYONE, NOBODY), "api.territories": (EVERYONE, NOBODY), "api.territory": (EVERYONE, NOBODY),
    "api.organizations": (EVERYONE, NOBODY), "api.organization": (EVERYONE, NOBODY), "api.projects": (EVERYONE, NOBODY),
    "api.project": (EVERYONE, NOBODY), "api.project_versions": (EVERYONE, NOBODY), "api.version": (EVERYONE, NOBODY),
    "api.version_items": (EVERYONE, NOBODY), "api.version_item": (EVERYONE, NOBODY), "api.rounds": (EVERYONE, NOBODY),
    "api.round_": (EVERYONE, NOBODY), "api.round_items": (EVERYONE, NOBODY),
    "api.answers": (EVERYONE, NOBODY),  # empty until the round closes
    "api.round_summary": (NOBODY, NOBODY),  # the sample summary is a draft: 404
    "api.open_data_zip": (EVERYONE, NOBODY), "api.item_comments": (EVERYONE, NOBODY),
    "api.post_comment": (NOBODY, NOBODY), "api.comment": (EVERYONE, NOBODY), "api.comment_replies": (EVERYONE, NOBODY),
    "api.post_reply": (NOBODY, NOBODY), "api.support": (NOBODY, NOBODY),
    "api.retract_support": (NOBODY, NOBODY),  # DELETE only
    "api.proposed_needs": (EVERYONE, NOBODY), "api.proposed_need": (EVERYONE, NOBODY),
    "api.propose_need": (NOBODY, NOBODY),
    "api.round_briefs": (EVERYONE, NOBODY),  # empty while the round is open
    "api.brief": (NOBODY, NOBODY),  # the sample brief is a draft: 404
    "api.submit_brief": (NOBODY, NOBODY), "api.me": (NOBODY, NOBODY),  # 401 without a token
    "api_pages.docs": (EVERYONE, NOBODY), "api_pages.tokens_page": (SIGNED_IN, SIGNED_IN),
    "api_pages.revoke_token": (NOBODY, NOBODY),  # token 999999: 404
    "api_pages.open_data": (EVERYONE, NOBODY),
    # Summaries: the sample summary is a draft on the open sample round; job, theme and quote 999999: 404.
    "summaries.jobs": ({"planner", "admin"}, NOBODY),
    "summaries.compile": (NOBODY, {"planner"}),
    "summaries.cancel_job": (NOBODY, NOBODY),
    "summaries.job_status": (NOBODY, NOBODY),
    "summaries.job": (NOBODY, NOBODY),
    "summaries.review": ({"planner", "admin"}, NOBODY),
    "summaries.new_theme": ({"planner"}, {"planner"}),
    "summaries.merge_themes": (NOBODY, {"planner"}),
    "summaries.approve_all": (NOBODY, {"planner"}),
    "summaries.edit_theme": (NOBODY, {"planner"}),  # theme 999999: the planner is sent back with a message
    "summaries.split_theme": (NOBODY, {"planner"}),
    "summaries.approve_theme": (NOBODY, {"planner"}),
    "summaries.discard_theme": (NOBODY, {"planner"}),
    "summaries.restore_theme": (NOBODY, {"planner"}),
    "summaries.keep_quote": (NOBODY, {"planner"}),
    "summaries.summary": ({"planner", "admin"}, NOBODY),
    "summaries.round_summary": (EVERYONE, NOBODY),  # none published yet: a page that says so
    "summaries.download": ({"planner", "admin"}, NOBODY),
    "summaries.download_csv": ({"planner", "admin"}, NOBODY),
    "summaries.publish": (NOBODY, {"planner"}),  # refused with a message: the round is open
    "summaries.source": (NOBODY, NOBODY),  # sample kind "service" is not a source kind: 404
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
        "membership_id": 999999, "invitation_id": 999999, "request_id": 999999, "link_id": 999999,
        "relationship_id": 999999, "funding_id": 999999, "agreement_id": 999999, "item_id": 999999,
        "failure_id": 1,
    }
    values.update(project_route_values(establishment, organization, users["planner"]))
    values.update(participation_route_values(organization, users, values))
    values["question_id"] = 999999
    values["chart"] = "areas"
    values["api_token_id"] = 999999
    values.update(_summary_route_values(values["round_id"], values["comment_id"]))
    return users, values


def _summary_route_values(round_id: int, comment_id: int) -> dict:
    from consult.summaries.models import Summary
    from tests.summaries.content_sample import sample_content

    summary = Summary(round_id=round_id, number=1, input_digest="0" * 64, content=sample_content(round_id))
    db.session.add(summary)
    db.session.commit()
    return {"summary_id": summary.id, "job_id": 999999, "theme_id": 999999, "quote_id": 999999, "fmt": "json",
            "table": "themes", "source_id": comment_id}


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
    if response.status_code in (401, 403, 404, 405, 400):
        return True
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


@pytest.mark.parametrize("role", ROLES)
def test_route_access_by_role(app, world, role):
    users, values = world
    unexpected = []
    session_cookie = None
    if role != "anonymous":
        # Signed in once: each route then gets a fresh client carrying that session (argon2 is slow on purpose).
        signing_in = app.test_client()
        signing_in.login(users[role])
        session_cookie = signing_in.get_cookie(app.config["SESSION_COOKIE_NAME"])
    for rule in _routes(app):
        allowed_get, allowed_post = EXPECTED[rule.endpoint]
        client = app.test_client()
        if session_cookie is not None:
            client.set_cookie(session_cookie.key, session_cookie.value, domain=session_cookie.domain)
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
