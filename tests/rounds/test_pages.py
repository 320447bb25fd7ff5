"""The public pages of rounds — the list, the round page with its banner, questions, items in
consultation and invitation list — and who sees the planners' pages."""

from __future__ import annotations

import re
from datetime import timedelta

from babel.dates import format_date
from sqlalchemy import select

from consult.core.db import db, now_utc
from consult.projects import services as projects
from consult.projects.models import Determinant, Level3
from consult.rounds import services
from consult.rounds.models import Audience, ConsultationRound, GuidingQuestion, ParticipationLevel, RoundState
from consult.territories.models import Establishment


def _round(c, title: str, state: RoundState, opens_days: float, closes_days: float,
           establishment: Establishment | None = None) -> ConsultationRound:
    project = c.project
    if establishment is not None:
        project = projects.create_project(establishment, projects.programme_by_code("palv"), title="Autre projet",
                                          summary=None, start_date=None, end_date=None, territories=[])
    now = now_utc()
    made = ConsultationRound(project=project, title=title, mandate="m",
                             participation_level=ParticipationLevel.information, audience=Audience.citizens,
                             opens_at=now + timedelta(days=opens_days), closes_at=now + timedelta(days=closes_days),
                             state=state, versions=[c.needs_version] if establishment is None else [])
    db.session.add(made)
    db.session.commit()
    return made


def _titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="item-title"><a href="/rounds/\d+">([^<]+)</a>', html)


def test_the_list_shows_open_then_upcoming_then_past_and_never_drafts(client, consultation):
    c = consultation
    _round(c, "Passée ancienne", RoundState.published, -200, -150)
    _round(c, "Passée récente", RoundState.closed, -60, -2)
    _round(c, "À venir bientôt", RoundState.scheduled, 3, 40)
    _round(c, "À venir plus tard", RoundState.scheduled, 30, 70)
    _round(c, "Ouverte, ferme tard", RoundState.open, -3, 60)
    _round(c, "Brouillon secret", RoundState.draft, 5, 50)
    _round(c, "Ailleurs", RoundState.open, -1, 30, establishment=c.other_establishment)
    page = client.get("/rounds", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert _titles(page.text) == ["Consultation sur le portrait des besoins", "Ailleurs", "Ouverte, ferme tard",
                                  "À venir bientôt", "À venir plus tard", "Passée récente", "Passée ancienne"]
    assert "Brouillon secret" not in page.text
    assert page.text.index("Open for input") < page.text.index("Upcoming") < page.text.index("Past rounds")
    mine = client.get("/rounds", query_string={"establishment": c.establishment.id})
    assert "Ailleurs" not in mine.text and "À venir bientôt" in mine.text
    elsewhere = client.get("/rounds", query_string={"establishment": c.other_establishment.id})
    assert _titles(elsewhere.text) == ["Ailleurs"]


def test_the_list_is_paginated(client, app, consultation):
    for n in range(30):
        _round(consultation, f"Tour {n:02d}", RoundState.closed, -60 - n, -5 - n)
    first = client.get("/rounds")
    assert len(_titles(first.text)) == app.config["CONSULT_PAGE_SIZE"] and 'rel="next"' in first.text
    second = client.get("/rounds?page=2")
    assert len(_titles(second.text)) == 31 - app.config["CONSULT_PAGE_SIZE"]


def test_the_banner_in_english(client, consultation):
    round_ = consultation.round
    page = client.get(f"/rounds/{round_.id}", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and '<html lang="en-CA">' in page.text
    banner = page.text[page.text.index('class="panel round-banner'):page.text.index("</section>")]
    assert "Consultation" in banner
    assert "The establishment asks for your views before deciding" in banner
    assert "Not in scope: budgets are decided elsewhere" in banner
    assert "Organizations and citizens" in banner
    assert "20 days left" in banner
    assert "closes on " + format_date(round_.closes_at.astimezone(services.LOCAL_ZONE), "medium",
                                      locale="en_CA") in banner
    assert page.text.index("round-banner") < page.text.index("Dites-nous si le portrait")


def test_the_banner_in_french(client, consultation):
    round_ = consultation.round
    client.get("/lang/fr")
    page = client.get(f"/rounds/{round_.id}")
    assert page.status_code == 200 and '<html lang="fr-CA">' in page.text
    banner = page.text[page.text.index('class="panel round-banner'):page.text.index("</section>")]
    closes = format_date(round_.closes_at.astimezone(services.LOCAL_ZONE), "medium", locale="fr_CA")
    assert closes in banner  # e.g. "14 janv. 2027": the dates are French
    assert "Consultation sur le portrait des besoins" in page.text


def test_a_round_that_ran_out_of_time_says_so_before_the_tick(client, consultation):
    consultation.round.closes_at = now_utc() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/rounds/{consultation.round.id}", headers={"Accept-Language": "en"})
    assert "Closed to new input" in page.text and "days left" not in page.text
    assert "closed on" in page.text


def test_the_page_shows_mandate_questions_items_and_links(client, consultation):
    consultation.round.questions = [
        GuidingQuestion(step_number=1, position=0, text="Le portrait reflète-t-il votre quartier?"),
        GuidingQuestion(step_number=3, position=0, text="Manque-t-il un écart?")]
    db.session.commit()
    page = client.get(f"/rounds/{consultation.round.id}", headers={"Accept-Language": "en"}).text
    assert "Dites-nous si le portrait reflète votre réalité." in page
    assert "Le portrait reflète-t-il votre quartier?" in page and "Step 3: Gap analysis" in page
    assert "Isolement des aînés" in page and "Pas de visites à domicile le soir" in page
    stable = f"/projects/versions/{consultation.needs_version.id}/items/{consultation.need_uid}"
    assert stable in page
    assert f"/projects/{consultation.project.id}/steps/1/versions/1" in page


def test_long_versions_link_to_a_paginated_list(client, consultation):
    project = consultation.project
    for n in range(14):
        projects.save_item(project, "need", None, {
            "title": f"Besoin {n:02d}", "description": "", "population_groups": [], "areas": [],
            "determinant": Determinant.other, "priority": Level3.low, "sources": ""})
    step = project.step(1)
    projects.transition(step, "close", consultation.planner)
    version = projects.transition(step, "adopt", consultation.planner)
    consultation.round.versions = [version]
    db.session.commit()
    page = client.get(f"/rounds/{consultation.round.id}", headers={"Accept-Language": "en"}).text
    assert "All 16: Needs" in page and "Besoin 13" not in page
    listing = client.get(f"/rounds/{consultation.round.id}/versions/{version.id}?kind=need")
    assert listing.status_code == 200 and "Besoin 13" in listing.text and "round-banner" in listing.text
    assert client.get(f"/rounds/{consultation.round.id}/versions/{version.id}?kind=gap").status_code == 404
    other = consultation.gaps_version.id
    assert client.get(f"/rounds/{consultation.round.id}/versions/{other}").status_code == 404


def test_a_draft_is_404_except_for_its_planners_and_admins(client, make_consultation, make_user):
    c = make_consultation(round_state=RoundState.draft)
    url = f"/rounds/{c.round.id}"
    assert client.get(url).status_code == 404
    for user in (c.citizen, c.representative, c.moderator, make_user(planner=c.other_establishment)):
        client.login(user)
        for path in ("", "/history", "/invitations", "/questions", "/edit", f"/versions/{c.needs_version.id}"):
            assert client.get(url + path).status_code == 404, path
        client.logout()
    for user in (c.planner, make_user(admin=True)):
        client.login(user)
        assert client.get(url).status_code == 200
        assert client.get(url + "/history").status_code == 200
        client.logout()


def test_planner_pages_are_for_planners_and_readable_by_admins(client, consultation, make_user):
    admin = make_user(admin=True)
    round_id, project_id = consultation.round.id, consultation.project.id
    client.login(admin)
    assert client.get(f"/projects/{project_id}/rounds").status_code == 200
    assert client.get(f"/rounds/{round_id}/history").status_code == 200
    invitations = client.get(f"/rounds/{round_id}/invitations")
    assert invitations.status_code == 200 and "Invite the ticked organizations" not in invitations.text
    assert client.get(f"/projects/{project_id}/rounds/new").status_code == 403
    assert client.post(f"/rounds/{round_id}/invitations", data={"include_establishment": "1"}).status_code == 403
    client.logout()
    for user in (consultation.citizen, consultation.representative, consultation.moderator):
        client.login(user)
        assert client.get(f"/projects/{project_id}/rounds").status_code == 403
        assert client.get(f"/rounds/{round_id}/history").status_code == 403
        assert client.get(f"/projects/{project_id}/rounds/new").status_code == 403
        client.logout()
    client.login(consultation.planner)
    manage = client.get(f"/projects/{project_id}/rounds")
    assert manage.status_code == 200 and "Consultation sur le portrait des besoins" in manage.text
    assert "Prepare a new round" in manage.text
    shown = client.get(f"/rounds/{round_id}")
    assert "Planning this round" in shown.text and "Extend the closing" in shown.text


def test_planners_ask_reorder_and_remove_guiding_questions(client, make_consultation):
    c = make_consultation(round_state=RoundState.scheduled)
    client.login(c.planner)
    url = f"/rounds/{c.round.id}/questions"
    for text in ("Première?", "Deuxième?", "Troisième?"):
        assert client.post(url, data={"step_number": 1, "text": text}).status_code == 302
    assert client.post(url, data={"step_number": 4, "text": "Hors sujet?"}).status_code == 422
    assert client.post(url, data={"step_number": 1, "text": "   "}).status_code == 422
    db.session.refresh(c.round)
    third = next(q for q in c.round.questions if q.text == "Troisième?")
    client.post(f"{url}/{third.id}/move", data={"direction": "up"})
    first = next(q for q in c.round.questions if q.text == "Première?")
    client.post(f"{url}/{first.id}/edit", data={"text": "Première, reformulée?"})
    second = next(q for q in c.round.questions if q.text == "Deuxième?")
    client.post(f"{url}/{second.id}/delete")
    db.session.expire_all()
    public = client.get(f"/rounds/{c.round.id}").text
    assert public.index("Première, reformulée?") < public.index("Troisième?") and "Deuxième?" not in public
    # Once open, the questions stay as they are, so everyone answers the same ones.
    c.round.state = RoundState.open
    db.session.commit()
    refused = client.post(url, data={"step_number": 1, "text": "Trop tard?"}, follow_redirects=True)
    assert refused.status_code == 422 and "can change only before the round opens" in refused.text
    assert client.post(f"{url}/{third.id}/delete", follow_redirects=True).status_code == 200
    db.session.expire_all()
    assert [q.text for q in db.session.scalar(select(ConsultationRound)).questions] == [
        "Première, reformulée?", "Troisième?"]


def test_take_part_links_follow_the_round(client, make_consultation):
    closed = make_consultation(round_state=RoundState.closed)
    page = client.get(f"/rounds/{closed.round.id}", headers={"Accept-Language": "en"}).text
    assert "This round is closed: no more input is taken." in page
    scheduled = ConsultationRound(project=closed.project, title="Plus tard", mandate="m",
                                  participation_level=ParticipationLevel.decision, budgets_in_scope=True,
                                  opens_at=now_utc() + timedelta(days=1), closes_at=now_utc() + timedelta(days=40),
                                  state=RoundState.scheduled, versions=[closed.needs_version])
    db.session.add(scheduled)
    db.session.commit()
    later = client.get(f"/rounds/{scheduled.id}", headers={"Accept-Language": "en"}).text
    assert "Participation opens on" in later and "Shared decision" in later
    assert "In scope: what participants say may change how money is spent." in later
