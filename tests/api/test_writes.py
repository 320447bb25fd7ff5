"""Writes with a token: the same permission checks, forms and services as the pages, answered in JSON, and
every refusal a problem with nothing written."""

from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from consult.core.db import db
from consult.mail.models import Email
from consult.participation.models import Brief, BriefState, Comment, ProposedNeed, Support
from consult.rounds.models import Audience, RoundState
from consult.sampledata.pdf import make_pdf
from tests.api.factories import API, bearer, comment


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def item_path(c, uid: str | None = None) -> str:
    return f"{API}/rounds/{c.round.id}/items/{c.needs_version.id}/{uid or c.need_uid}"


def test_a_citizen_comments_and_replies_with_a_token(client, consultation, token_for):
    secret = token_for(consultation.citizen)
    posted = client.post(item_path(consultation) + "/comments", json={"body": "  Il manque des visites le soir.  "},
                         headers=bearer(secret))
    assert posted.status_code == 201, posted.text
    made = posted.get_json()
    assert made["body"] == "Il manque des visites le soir."  # the page's form trims it the same way
    assert made["author"] == "Participant"  # no display name: the name the page shows
    assert posted.headers["Location"].endswith(f"{API}/comments/{made['id']}")
    assert "Access-Control-Allow-Origin" not in posted.headers  # no CORS on writes
    stored = db.session.get(Comment, made["id"])
    assert stored.author_id == consultation.citizen.id and stored.root_id == stored.id

    other = token_for(consultation.other_representative)
    answered = client.post(f"{API}/comments/{made['id']}/replies", json={"body": "D'accord."}, headers=bearer(other))
    assert answered.status_code == 201, answered.text
    assert answered.get_json()["parent_id"] == made["id"]
    assert db.session.get(Comment, made["id"]).reply_count == 1
    told = db.session.scalars(select(Email).where(Email.to_addr == consultation.citizen.email))
    assert any("D'accord." in m.body_text for m in told)  # the author is told, as on the site


def test_support_is_given_once_and_withdrawn(client, consultation, token_for):
    headers = bearer(token_for(consultation.citizen))
    first = client.post(item_path(consultation) + "/support", headers=headers)
    again = client.post(item_path(consultation) + "/support", headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.get_json() == {"supported": True, "supports": 1}
    assert count(Support) == 1
    gone = client.delete(item_path(consultation) + "/support", headers=headers)
    assert gone.get_json() == {"supported": False, "supports": 0} and count(Support) == 0


def test_proposing_a_need_uses_the_pages_form(client, consultation, token_for):
    headers = bearer(token_for(consultation.citizen), **{"Accept-Language": "en"})
    path = f"{API}/rounds/{consultation.round.id}/proposed-needs"
    made = client.post(path, json={"title": "Répit le soir", "description": "Pour les proches aidants.",
                                   "area_id": consultation.area.id}, headers=headers)
    assert made.status_code == 201, made.text
    assert made.get_json()["area"]["code"] == "06111-01"
    outside = client.post(path, json={"title": "Ailleurs", "description": "Hors territoire.", "area_id": 999999},
                          headers=headers)
    assert outside.status_code == 422
    assert outside.get_json()["errors"] == {"area_id": ["Choose a local area from the list."]}
    blank = client.post(path, json={"title": "   ", "description": "x"}, headers=headers)
    assert blank.status_code == 422 and blank.get_json()["errors"]["title"] == ["Name the need in a few words."]
    assert count(ProposedNeed) == 1


def test_a_closed_round_refuses_and_records_nothing(client, make_consultation, token_for):
    c = make_consultation(round_state=RoundState.closed)
    headers = bearer(token_for(c.citizen), **{"Accept-Language": "en"})
    refused = client.post(item_path(c) + "/comments", json={"body": "Trop tard ?"}, headers=headers)
    assert refused.status_code == 409
    problem = refused.get_json()
    assert problem["title"] == "Not possible now" and "This consultation is closed" in problem["detail"]
    assert client.post(item_path(c) + "/support", headers=headers).status_code == 409
    need = client.post(f"{API}/rounds/{c.round.id}/proposed-needs", json={"title": "T", "description": "D"},
                       headers=headers)
    assert need.status_code == 409
    assert count(Comment) == count(Support) == count(ProposedNeed) == 0


def test_the_pages_permission_rules_apply(client, make_consultation, make_user, token_for):
    c = make_consultation(audience=Audience.organizations)
    unverified = make_user("pas-confirme@exemple.ca", verified=False)
    headers = bearer(token_for(unverified), **{"Accept-Language": "en"})
    refused = client.post(item_path(c) + "/comments", json={"body": "Bonjour"}, headers=headers)
    assert refused.status_code == 403 and "Confirm your e-mail address" in refused.get_json()["detail"]
    citizen = client.post(item_path(c) + "/comments", json={"body": "Bonjour"},
                          headers=bearer(token_for(c.citizen), **{"Accept-Language": "en"}))
    assert citizen.status_code == 403 and "open to organizations only" in citizen.get_json()["detail"]
    member = client.post(item_path(c) + "/comments", json={"body": "Bonjour"}, headers=bearer(token_for(c.member)))
    assert member.status_code == 201
    assert count(Comment) == 1


def test_a_hidden_comment_takes_no_reply(client, consultation, token_for):
    hidden = comment(consultation, consultation.citizen, "Masqué", hidden="Hors sujet")
    refused = client.post(f"{API}/comments/{hidden.id}/replies", json={"body": "Réponse"},
                          headers=bearer(token_for(consultation.citizen)))
    assert refused.status_code == 409 and count(Comment) == 1


# Briefs -----------------------------------------------------------------------------------------------------


def brief_form(c, **extra):
    data = {"title": "Mémoire du Carrefour", "summary": "Nous demandons des visites le soir.",
            "body": "## Nos constats\n\nLes aînés sont seuls le soir.", "visibility": "public",
            "positions": json.dumps([{"version_id": c.needs_version.id, "item_uid": c.need_uid, "stance": "amend",
                                      "text": "Ajouter les soirs et fins de semaine."}])}
    data.update(extra)
    return data


def test_a_representative_submits_a_brief_with_an_attachment(client, consultation, token_for):
    headers = bearer(token_for(consultation.representative))
    data = brief_form(consultation, attachments=(io.BytesIO(make_pdf(["Annexe"])), "annexe.pdf"))
    made = client.post(f"{API}/rounds/{consultation.round.id}/briefs", data=data, headers=headers,
                       content_type="multipart/form-data")
    assert made.status_code == 201, made.text
    receipt = made.get_json()
    assert receipt["state"] == "submitted" and len(receipt["digest"]) == 64
    assert receipt["organization"]["name"] == "Carrefour des aînés"
    assert receipt["attachments"][0]["filename"] == "annexe.pdf"
    assert receipt["positions"] == [{"version_id": consultation.needs_version.id, "item_uid": consultation.need_uid,
                                     "item_kind": "need", "stance": "amend",
                                     "text": "Ajouter les soirs et fins de semaine."}]
    stored = db.session.get(Brief, receipt["id"])
    assert stored.state is BriefState.submitted and stored.submitted_by_id == consultation.representative.id
    receipts = db.session.scalars(select(Email).where(Email.to_addr == consultation.representative.email))
    assert any(receipt["digest"] in m.body_text for m in receipts)  # the receipt e-mail, as from the page


def test_a_citizen_token_cannot_submit_a_brief(client, consultation, token_for):
    refused = client.post(f"{API}/rounds/{consultation.round.id}/briefs", data=brief_form(consultation),
                          headers=bearer(token_for(consultation.citizen), **{"Accept-Language": "en"}),
                          content_type="multipart/form-data")
    assert refused.status_code == 403
    assert "Only the representatives of an organization" in refused.get_json()["detail"]
    # A member who is not a representative is refused the same way.
    member = client.post(f"{API}/rounds/{consultation.round.id}/briefs", data=brief_form(consultation),
                         headers=bearer(token_for(consultation.member)), content_type="multipart/form-data")
    assert member.status_code == 403
    assert count(Brief) == 0


def test_a_closed_round_refuses_briefs(client, make_consultation, token_for):
    c = make_consultation(round_state=RoundState.closed)
    refused = client.post(f"{API}/rounds/{c.round.id}/briefs", data=brief_form(c),
                          headers=bearer(token_for(c.representative), **{"Accept-Language": "en"}),
                          content_type="multipart/form-data")
    assert refused.status_code == 409 and "briefs can no longer be submitted" in refused.get_json()["detail"]
    assert count(Brief) == 0


def test_a_brief_with_a_bad_attachment_or_position_writes_nothing(client, consultation, token_for):
    headers = bearer(token_for(consultation.representative), **{"Accept-Language": "en"})
    path = f"{API}/rounds/{consultation.round.id}/briefs"
    fake = client.post(path, data=brief_form(consultation, attachments=(io.BytesIO(b"MZ\x90\x00program"), "a.pdf")),
                       headers=headers, content_type="multipart/form-data")
    assert fake.status_code == 422
    assert "its content looks like a program" in fake.get_json()["errors"]["attachments"][0]
    stance = client.post(path, data=brief_form(consultation, positions=json.dumps(
        [{"version_id": consultation.needs_version.id, "item_uid": consultation.need_uid, "stance": "amend"}])),
        headers=headers, content_type="multipart/form-data")
    assert stance.status_code == 422
    assert stance.get_json()["errors"] == {
        "positions/0/text": ["Write the wording you ask for: an amendment needs its text."]}
    elsewhere = client.post(path, data=brief_form(consultation, positions=json.dumps(
        [{"version_id": 999999, "item_uid": consultation.need_uid, "stance": "support"}])),
        headers=headers, content_type="multipart/form-data")
    assert elsewhere.status_code == 422 and "positions/0/item" in elsewhere.get_json()["errors"]
    someone_elses = client.post(path, data=brief_form(consultation, organization_id=str(
        consultation.other_organization.id)), headers=headers, content_type="multipart/form-data")
    assert someone_elses.status_code == 422
    assert someone_elses.get_json()["errors"] == {"organization_id": ["Choose an organization you represent."]}
    empty = client.post(path, data=brief_form(consultation, body=""), headers=headers,
                        content_type="multipart/form-data")
    assert empty.status_code == 422 and "The brief is empty" in empty.get_json()["errors"]["body"][0]
    assert count(Brief) == 0


def test_a_malformed_multipart_brief_names_each_field(client, consultation, token_for, app):
    headers = bearer(token_for(consultation.representative), **{"Accept-Language": "en"})
    path = f"{API}/rounds/{consultation.round.id}/briefs"
    refused = client.post(path, data={**brief_form(consultation), "attachments": "pas un fichier", "colour": "bleu",
                                      "visibility": "secret", "positions": "[{"},
                          headers=headers, content_type="multipart/form-data")
    assert refused.status_code == 422
    errors = refused.get_json()["errors"]
    assert errors["attachments"] == ["Send files in this field, not text."]
    assert errors["colour"] == ["Unknown field: leave it out."]
    assert errors["visibility"] == ["Choose one of: public, confidential."]
    as_json = client.post(path, json={"title": "Mémoire"}, headers=headers)
    assert as_json.status_code == 415
    too_many = app.config["CONSULT_BRIEF_MAX_ATTACHMENTS"] + 1
    files = [(io.BytesIO(make_pdf([f"Annexe {n}"])), f"annexe-{n}.pdf") for n in range(too_many)]
    crowded = client.post(path, data={**brief_form(consultation), "attachments": files}, headers=headers,
                          content_type="multipart/form-data")
    assert crowded.status_code == 422 and "at most 5 attachments" in crowded.get_json()["errors"]["attachments"][0]
    assert count(Brief) == 0
