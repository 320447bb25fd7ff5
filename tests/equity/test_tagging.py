"""Tagging an input: its author and the round's planners may, nobody else; a person's tag is confirmed at once,
a suggestion waits for a decision, and a rejected tag stays rejected."""

from __future__ import annotations

from sqlalchemy import select

from consult.core.db import db
from consult.equity.models import InputTag, TagOrigin, TagState
from consult.participation.models import BriefState, InputKind
from tests.equity import builders


def _tags(kind: InputKind, input_id: int) -> dict[str, InputTag]:
    return {r.tag: r for r in db.session.scalars(select(InputTag).where(InputTag.input_kind == kind,
                                                                          InputTag.input_id == input_id))}


def test_the_author_of_a_comment_tags_it_and_the_tag_counts_as_confirmed(client, consultation):
    c = consultation
    mine = builders.comment(c, c.citizen)
    client.login(c.citizen)
    client.get("/lang/en")
    page = client.get(f"/equity/comments/{mine.id}/tags")
    assert page.status_code == 200
    assert "Equity tags of this input" in page.text and "This input has no tag yet." in page.text
    assert "Dimension of inequality — Relational" in page.text  # the choices name their group
    answer = client.post(f"/equity/comments/{mine.id}/tags",
                         data={"add-tag": "relational", "add-justification": "  Elle parle de solitude.  "})
    assert answer.status_code == 302
    row = _tags(InputKind.comment, mine.id)["relational"]
    assert row.state is TagState.confirmed and row.origin is TagOrigin.person
    assert row.justification == "Elle parle de solitude." and row.created_by_id == c.citizen.id
    shown = client.get(f"/equity/comments/{mine.id}/tags").text
    assert "Relational" in shown and "Elle parle de solitude." in shown and "Confirmed" in shown


def test_planners_tag_any_input_of_their_rounds(client, consultation):
    c = consultation
    theirs = builders.comment(c, c.citizen)
    need = builders.proposed(c, c.citizen)
    submitted = builders.brief(c)
    client.login(c.planner)
    for url in (f"/equity/comments/{theirs.id}/tags", f"/equity/proposed-needs/{need.id}/tags",
                f"/equity/briefs/{submitted.id}/tags"):
        assert client.get(url).status_code == 200, url
        assert client.post(url, data={"add-tag": "material"}).status_code == 302, url
    assert _tags(InputKind.comment, theirs.id)["material"].created_by_id == c.planner.id
    assert "material" in _tags(InputKind.proposed_need, need.id)
    assert "material" in _tags(InputKind.brief, submitted.id)


def test_others_may_not_tag_and_change_nothing(client, consultation, make_user):
    c = consultation
    theirs = builders.comment(c, c.citizen)
    url = f"/equity/comments/{theirs.id}/tags"
    for person in (c.moderator, c.representative, c.member, make_user(), make_user(admin=True)):
        client.login(person)
        assert client.get(url).status_code == 403
        assert client.post(url, data={"add-tag": "material"}).status_code == 403
        client.logout()
    visitor = client.get(url)
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]
    planner_elsewhere = make_user(planner=c.other_establishment)
    client.login(planner_elsewhere)
    assert client.post(url, data={"add-tag": "material"}).status_code == 403
    assert _tags(InputKind.comment, theirs.id) == {}


def test_representatives_tag_their_own_brief_even_a_draft_which_planners_do_not_see(client, consultation):
    c = consultation
    draft = builders.brief(c, state=BriefState.draft)
    url = f"/equity/briefs/{draft.id}/tags"
    client.login(c.representative)
    assert client.post(url, data={"add-tag": "decisional"}).status_code == 302
    client.logout()
    for person in (c.planner, c.member, c.other_representative):
        client.login(person)
        assert client.get(url).status_code == 403, person.email
        client.logout()
    assert list(_tags(InputKind.brief, draft.id)) == ["decisional"]


def test_a_withdrawn_brief_is_tagged_by_nobody(client, consultation):
    c = consultation
    gone = builders.brief(c, state=BriefState.withdrawn)
    for person in (c.representative, c.planner):
        client.login(person)
        assert client.post(f"/equity/briefs/{gone.id}/tags", data={"add-tag": "material"}).status_code == 403
        client.logout()


def test_a_bad_tag_or_a_long_justification_is_refused_with_a_message(client, consultation):
    c = consultation
    mine = builders.comment(c, c.citizen)
    client.login(c.citizen)
    client.get("/lang/en")
    unknown = client.post(f"/equity/comments/{mine.id}/tags", data={"add-tag": "astrology"})
    assert unknown.status_code == 422 and "Choose a tag of the list." in unknown.text
    long = client.post(f"/equity/comments/{mine.id}/tags", data={"add-tag": "age", "add-justification": "x" * 501})
    assert long.status_code == 422 and "Use at most 500 characters for the justification." in long.text
    assert _tags(InputKind.comment, mine.id) == {}


def test_the_author_confirms_or_rejects_a_suggestion_and_a_rejection_is_kept(client, consultation):
    c = consultation
    mine = builders.comment(c, c.citizen)
    good = builders.tag(c, InputKind.comment, mine.id, "relational", TagState.suggested, TagOrigin.pipeline, 0.67)
    bad = builders.tag(c, InputKind.comment, mine.id, "ethnicity", TagState.suggested, TagOrigin.pipeline, 0.33)
    client.login(c.citizen)
    client.get("/lang/en")
    page = client.get(f"/equity/comments/{mine.id}/tags").text
    assert "Suggested, not reviewed" in page and "suggested from its words" in page
    assert client.post(f"/equity/comments/{mine.id}/tags", data={"tag_id": good.id, "decision": "confirm"}
                       ).status_code == 302
    assert client.post(f"/equity/comments/{mine.id}/tags", data={"tag_id": bad.id, "decision": "reject"}
                       ).status_code == 302
    db.session.expire_all()
    assert db.session.get(InputTag, good.id).state is TagState.confirmed
    rejected = db.session.get(InputTag, bad.id)
    assert rejected.state is TagState.rejected and rejected.decided_by_id == c.citizen.id


def test_a_tag_of_another_input_cannot_be_decided_from_this_one(client, consultation, make_user):
    c = consultation
    mine = builders.comment(c, c.citizen)
    other = builders.comment(c, make_user())
    theirs = builders.tag(c, InputKind.comment, other.id, "material", TagState.suggested, TagOrigin.pipeline)
    client.login(c.citizen)
    answer = client.post(f"/equity/comments/{mine.id}/tags", data={"tag_id": theirs.id, "decision": "reject"})
    assert answer.status_code == 422
    db.session.expire_all()
    assert db.session.get(InputTag, theirs.id).state is TagState.suggested


def test_the_planner_reviews_the_suggestions_of_a_round_page_by_page(client, consultation, make_user, app):
    c = consultation
    app.config["CONSULT_PAGE_SIZE"], size = 2, app.config["CONSULT_PAGE_SIZE"]
    try:
        comments = [builders.comment(c, make_user(), f"Texte {n}.") for n in range(3)]
        rows = [builders.tag(c, InputKind.comment, x.id, "material", TagState.suggested, TagOrigin.pipeline)
                for x in comments]
        builders.tag(c, InputKind.comment, comments[0].id, "age", TagState.confirmed)
        client.login(c.planner)
        client.get("/lang/en")
        first = client.get(f"/rounds/{c.round.id}/equity/suggestions")
        assert first.status_code == 200 and "3 suggested tags wait for a decision." in first.text
        assert "Page 1 of 2" in first.text and "Texte 0." in first.text and "Texte 2." not in first.text
        second = client.get(f"/rounds/{c.round.id}/equity/suggestions?page=2")
        assert "Texte 2." in second.text
        done = client.post(f"/rounds/{c.round.id}/equity/suggestions?page=2",
                           data={"tag_id": rows[2].id, "decision": "confirm"})
        assert done.status_code == 302
        db.session.expire_all()
        assert db.session.get(InputTag, rows[2].id).state is TagState.confirmed
        # The second page is empty now: the planner lands on the last page there is.
        assert client.get(f"/rounds/{c.round.id}/equity/suggestions?page=2").status_code == 302
    finally:
        app.config["CONSULT_PAGE_SIZE"] = size


def test_only_planners_decide_in_the_review_and_administrators_only_read(client, consultation, make_user):
    c = consultation
    target = builders.comment(c, c.citizen)
    row = builders.tag(c, InputKind.comment, target.id, "material", TagState.suggested, TagOrigin.pipeline)
    admin = make_user(admin=True)
    client.login(admin)
    assert client.get(f"/rounds/{c.round.id}/equity/suggestions").status_code == 200
    assert client.post(f"/rounds/{c.round.id}/equity/suggestions",
                       data={"tag_id": row.id, "decision": "confirm"}).status_code == 403
    client.logout()
    client.login(c.citizen)
    assert client.get(f"/rounds/{c.round.id}/equity/suggestions").status_code == 403
    db.session.expire_all()
    assert db.session.get(InputTag, row.id).state is TagState.suggested


def test_a_persons_tag_is_in_their_data_download(client, consultation):
    import io
    import json
    import zipfile

    c = consultation
    mine = builders.comment(c, c.citizen)
    client.login(c.citizen)
    client.post(f"/equity/comments/{mine.id}/tags", data={"add-tag": "age", "add-justification": "Mon âge."})
    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/data").data))
    exported = json.loads(archive.read("equity_tags.json"))
    assert exported[0]["tag"] == "age" and exported[0]["justification"] == "Mon âge."


def test_the_link_for_the_input_pages_shows_only_to_whoever_may_tag(app, consultation, make_user):
    from flask import render_template_string
    from flask_login import login_user, logout_user

    c = consultation
    mine = builders.comment(c, c.citizen)
    draft = builders.brief(c, state=BriefState.draft)
    snippet = '{% if equity_may_tag(x) %}<a href="{{ equity_tag_url(x) }}">tags</a>{% endif %}'
    for person, obj, shown in ((c.citizen, mine, True), (c.planner, mine, True), (make_user(), mine, False),
                               (c.representative, draft, True), (c.planner, draft, False)):
        with app.test_request_context("/"):
            login_user(person)
            html = render_template_string(snippet, x=obj)
        assert ("/tags" in html) is shown, (person.email, obj)
    with app.test_request_context("/"):
        logout_user()
        assert render_template_string(snippet, x=mine) == ""  # a visitor
    with app.test_request_context("/"):
        login_user(c.citizen)
        assert f'href="/equity/comments/{mine.id}/tags"' in render_template_string(snippet, x=mine)
