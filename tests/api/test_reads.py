"""Public reads: what each endpoint shows, and what it never shows (drafts, hidden, withdrawn and confidential
content, personal information)."""

from __future__ import annotations

import json

from consult.core.db import db
from consult.participation.models import BriefState, BriefVisibility, Disposition, InputKind, Outcome
from consult.rounds.models import RoundState
from tests.api.factories import API, brief, comment, proposed


def get(client, path: str, **headers):
    response = client.get(API + path, headers=headers)
    assert response.status_code == 200, response.text
    return response.get_json()


def no_email_in(payload) -> bool:
    return "@exemple.ca" not in json.dumps(payload)


def test_establishments_and_territories_are_listed(client, consultation):
    establishments = get(client, "/establishments")["items"]
    assert {e["name"] for e in establishments} == {"CSSS du Centre-Est", "CSSS d'ailleurs"}
    first = next(e for e in establishments if e["name"] == "CSSS du Centre-Est")
    assert first["region"]["code"] == "06" and [t["code"] for t in first["territories"]] == ["0611"]
    assert get(client, f"/establishments/{first['id']}")["kind"] == "CSSS"

    territories = get(client, "/territories")["items"]
    assert [t["code"] for t in territories] == ["06", "0611", "06111", "06111-01"]  # by code
    assert [t["code"] for t in get(client, "/territories?level=clsc")["items"]] == ["06111"]
    rls = next(t for t in territories if t["code"] == "0611")
    assert [t["name"] for t in get(client, f"/territories?parent_id={rls['id']}")["items"]] == ["CLSC des Faubourgs"]
    assert get(client, f"/territories/{consultation.area.id}")["parent_id"] == territories[2]["id"]


def test_organizations_show_their_public_profile_and_no_contact_details(client, consultation):
    consultation.organization.contact_email = "direction@carrefour.exemple.ca"
    consultation.organization.contact_phone = "514 555-0199"
    consultation.organization.mission = "Briser l'isolement."
    db.session.commit()
    page = get(client, "/organizations")
    assert [o["name"] for o in page["items"]] == ["Carrefour des aînés", "Popote roulante",
                                                  "Table de concertation des aînés"]
    carrefour = page["items"][0]
    assert carrefour["mission"] == "Briser l'isolement."
    assert carrefour["member_of"] == [{"id": consultation.coalition.id, "name": "Table de concertation des aînés"}]
    table = get(client, f"/organizations/{consultation.coalition.id}")
    assert table["members"] == [{"id": consultation.organization.id, "name": "Carrefour des aînés"}]
    assert "555-0199" not in json.dumps(page) and no_email_in(page)
    assert "contact_email" not in carrefour and "members" in carrefour
    kinds = get(client, "/organizations?kind=coalition")["items"]
    assert [o["name"] for o in kinds] == ["Table de concertation des aînés"]
    assert [o["name"] for o in get(client, "/organizations?q=AINES")["items"]] == [
        "Carrefour des aînés", "Table de concertation des aînés"]


def test_only_projects_with_a_published_step_are_served(client, consultation, make_user):
    from consult.projects import services as projects

    hidden = projects.create_project(consultation.establishment, projects.programme_by_code("palv"),
                                     title="Projet en préparation", summary=None, start_date=None, end_date=None,
                                     territories=[])
    db.session.commit()
    listed = get(client, "/projects")["items"]
    assert [p["title"] for p in listed] == ["Projet clinique PALV"]
    project = listed[0]
    assert project["establishment"]["name"] == "CSSS du Centre-Est" and project["programme"]["code"] == "palv"
    steps = {s["number"]: s for s in project["steps"]}
    assert steps[1]["latest_version_id"] == consultation.needs_version.id
    assert steps[2]["latest_version_id"] is None
    assert client.get(f"{API}/projects/{hidden.id}").status_code == 404
    assert get(client, f"/projects/{consultation.project.id}")["title"] == "Projet clinique PALV"
    versions = get(client, f"/projects/{consultation.project.id}/versions")["items"]
    assert [(v["step"]["number"], v["counts"]) for v in versions] == [(1, {"need": 2}), (3, {"gap": 1})]


def test_a_published_version_and_its_items(client, consultation):
    version = get(client, f"/versions/{consultation.needs_version.id}")
    assert version["step"] == {"number": 1, "title": "Portrait des besoins"}
    assert version["purpose"] == "consultation" and version["item_count"] == 2
    items = get(client, f"/versions/{consultation.needs_version.id}/items?kind=need")["items"]
    assert [i["title"] for i in items] == ["Isolement des aînés", "Accès au transport"]
    assert items[0]["data"]["priority"] == "high" and items[0]["uid"] == consultation.need_uid
    one = get(client, f"/versions/{consultation.needs_version.id}/items/{consultation.need_uid}")
    assert one["data"]["description"] == "Beaucoup d'aînés vivent seuls."
    assert client.get(f"{API}/versions/{consultation.needs_version.id}/items/{consultation.gap_uid}").status_code == 404
    assert client.get(f"{API}/versions/{consultation.needs_version.id}/items/NOT%00A-UID").status_code == 404


def test_a_draft_round_does_not_exist_for_the_api(client, make_consultation):
    draft = make_consultation(round_state=RoundState.draft)
    assert get(client, "/rounds")["items"] == []
    for path in ("", "/items", "/open-data", "/proposed-needs", "/briefs", "/answers", "/summary",
                 f"/items/{draft.needs_version.id}/{draft.need_uid}/comments"):
        assert client.get(f"{API}/rounds/{draft.round.id}{path}").status_code == 404, path


def test_rounds_out_of_draft_with_their_items_and_counts(client, consultation):
    listed = get(client, "/rounds")["items"]
    assert [r["id"] for r in listed] == [consultation.round.id]
    assert [r["id"] for r in get(client, "/rounds?state=open")["items"]] == [consultation.round.id]
    assert get(client, "/rounds?state=closed")["items"] == []
    shown = get(client, f"/rounds/{consultation.round.id}")
    assert shown["state"] == "open" and shown["participation_level"] == "consultation"
    assert [v["step_number"] for v in shown["versions"]] == [1, 3]
    assert shown["open_data_url"].endswith(f"/rounds/{consultation.round.id}/open-data.zip")

    comment(consultation, consultation.citizen, "Visible.")
    comment(consultation, consultation.citizen, "Masqué.", hidden="Propos injurieux")
    from consult.participation.models import Support

    db.session.add(Support(round_id=consultation.round.id, version_id=consultation.needs_version.id,
                           item_uid=consultation.need_uid, item_kind="need", user_id=consultation.citizen.id))
    db.session.commit()
    needs = get(client, f"/rounds/{consultation.round.id}/items?kind=need")["items"]
    assert [(n["title"], n["supports"], n["comments"]) for n in needs] == [
        ("Isolement des aînés", 1, 1), ("Accès au transport", 0, 0)]
    assert needs[0]["url"].endswith(f"/rounds/{consultation.round.id}/items/{consultation.needs_version.id}/"
                                    f"{consultation.need_uid}")
    gaps = get(client, f"/rounds/{consultation.round.id}/items?version_id={consultation.gaps_version.id}")["items"]
    assert [g["kind"] for g in gaps] == ["gap"]


def test_comments_show_the_name_the_page_shows_and_hide_what_moderation_hid(client, consultation, make_user):
    named = make_user("nommee@exemple.ca", name="Louise T.")
    first = comment(consultation, named, "Je vis seule depuis dix ans.")
    comment(consultation, consultation.citizen, "Un propos haineux.", hidden="Propos haineux")
    reply = comment(consultation, consultation.citizen, "Moi aussi.", parent=first)
    path = f"/rounds/{consultation.round.id}/items/{consultation.needs_version.id}/{consultation.need_uid}/comments"
    listed = get(client, path, **{"Accept-Language": "en"})
    assert [c["body"] for c in listed["items"]] == ["Je vis seule depuis dix ans.", None]
    shown, hidden = listed["items"]
    assert shown["author"] == "Louise T." and shown["reply_count"] == 1
    assert hidden["hidden"] is True and hidden["hidden_reason"] == "Propos haineux" and hidden["author"] is None
    assert "haineux." not in json.dumps(listed) and no_email_in(listed)
    replies = get(client, f"/comments/{first.id}/replies", **{"Accept-Language": "en"})["items"]
    # A citizen with no display name is shown as the pages show them: "Participant".
    assert [(r["id"], r["author"], r["parent_id"]) for r in replies] == [(reply.id, "Participant", first.id)]
    assert get(client, f"/comments/{reply.id}")["root_id"] == first.id


def test_proposed_needs_without_hidden_content(client, consultation):
    shown = proposed(consultation, consultation.citizen, "Répit le soir")
    proposed(consultation, consultation.citizen, "Texte masqué", hidden="Hors sujet")
    listed = get(client, f"/rounds/{consultation.round.id}/proposed-needs")["items"]
    assert [p["title"] for p in listed] == ["Répit le soir", None]
    assert listed[0]["area"]["code"] == "06111-01" and listed[0]["state"] == "proposed"
    assert listed[1]["description"] is None and "Texte masqué" not in json.dumps(listed)
    assert get(client, f"/proposed-needs/{shown.id}")["title"] == "Répit le soir"


def test_briefs_are_public_only_once_the_round_closed_and_never_confidential_or_withdrawn(client, consultation):
    closed = consultation
    shown = brief(closed, "Mémoire après", attachment=True)
    brief(closed, "Mémoire confidentiel", visibility=BriefVisibility.confidential)
    withdrawn = brief(closed, "Mémoire retiré", state=BriefState.withdrawn)
    draft = brief(closed, "Brouillon", state=BriefState.draft)
    masked = brief(closed, "Mémoire masqué", organization=closed.other_organization, hidden="Diffamation")
    assert get(client, f"/rounds/{closed.round.id}/briefs")["items"] == []  # open: briefs stay with the establishment
    assert client.get(f"{API}/briefs/{shown.id}").status_code == 404
    closed.round.state = RoundState.closed
    db.session.commit()
    listed = get(client, f"/rounds/{closed.round.id}/briefs")["items"]
    assert [b["title"] for b in listed] == ["Mémoire après", None]
    text = json.dumps(listed)
    assert "confidentiel" not in text and "retiré" not in text and "Brouillon" not in text and "masqué" not in text
    first = listed[0]
    assert first["organization"]["name"] == "Carrefour des aînés"
    assert first["positions"][0]["stance"] == "amend" and first["attachments"][0]["filename"] == "Mémoire après.pdf"
    assert listed[1]["hidden_reason"] == "Diffamation" and listed[1]["positions"] == []
    assert get(client, f"/briefs/{shown.id}")["body"] == "Texte de Mémoire après"
    for refused in (withdrawn, draft):
        assert client.get(f"{API}/briefs/{refused.id}").status_code == 404
    assert get(client, f"/briefs/{masked.id}")["body"] is None


def test_answers_are_public_once_closed_and_only_for_public_inputs(client, make_consultation):
    c = make_consultation(round_state=RoundState.closed)
    public = brief(c, "Mémoire public")
    secret = brief(c, "Mémoire confidentiel", visibility=BriefVisibility.confidential)
    thread = comment(c, c.citizen, "Un fil.")
    db.session.add_all([
        Disposition(round_id=c.round.id, input_kind=InputKind.brief, input_id=public.id,
                    outcome=Outcome.retained, reason="Intégré au portrait."),
        Disposition(round_id=c.round.id, input_kind=InputKind.brief, input_id=secret.id,
                    outcome=Outcome.not_retained, reason="Réponse à un mémoire confidentiel."),
        Disposition(round_id=c.round.id, input_kind=InputKind.comment, input_id=thread.id,
                    outcome=Outcome.out_of_scope, reason="Relève du ministère."),
    ])
    db.session.commit()
    answers = get(client, f"/rounds/{c.round.id}/answers", **{"Accept-Language": "en"})["items"]
    assert [(a["input_kind"], a["outcome"], a["outcome_label"]) for a in answers] == [
        ("brief", "retained", "Retained"), ("comment", "out_of_scope", "Out of scope")]
    assert "confidentiel" not in json.dumps(answers)
    assert [a["input_kind"] for a in get(client, f"/rounds/{c.round.id}/answers?input_kind=comment")["items"]] \
        == ["comment"]
    c.round.state = RoundState.open  # before closing, "What we heard" is not public: neither are its answers
    db.session.commit()
    assert get(client, f"/rounds/{c.round.id}/answers")["items"] == []


def test_labels_follow_accept_language(client, consultation):
    french = get(client, f"/rounds/{consultation.round.id}")
    english = get(client, f"/rounds/{consultation.round.id}", **{"Accept-Language": "en-CA,en;q=0.9"})
    assert french["state_label"] == "Ouverte" and english["state_label"] == "Open"
    # Content stays in the language it was written in.
    assert french["title"] == english["title"] == "Consultation sur le portrait des besoins"
