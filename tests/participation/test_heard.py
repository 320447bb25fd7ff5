"""The public page "What we heard, what we did": when it is public, what it shows of each kind of input
(confidential briefs anonymized, hidden content as hidden), the unanswered share, publishing, languages."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from consult.core.db import db, now_utc
from consult.participation.models import BriefState, BriefVisibility, Disposition, InputKind, Outcome
from consult.rounds.models import RoundEvent, RoundState
from tests.participation.test_answers import brief, proposed_need, thread


def _heard(c) -> str:
    return f"/rounds/{c.round.id}/heard"


def _answer(c, kind: InputKind, input_id: int, outcome: Outcome, reason: str) -> None:
    db.session.add(Disposition(round_id=c.round.id, input_kind=kind, input_id=input_id, outcome=outcome,
                               reason=reason, answered_by_id=c.planner.id))
    db.session.commit()


def _three_inputs_two_answered(c):
    submitted = brief(c, cosigner=c.coalition)
    first = thread(c, c.citizen, "Les aînés des HLM sont oubliés dans ce portrait.", replies=1)
    proposed = proposed_need(c, c.member)
    _answer(c, InputKind.brief, submitted.id, Outcome.partly_retained, "Les visites sont retenues.")
    _answer(c, InputKind.comment, first.id, Outcome.retained, "Nous ajoutons les HLM au portrait.")
    return submitted, first, proposed


def test_the_page_is_hidden_until_the_round_closes_but_planners_preview_it(client, consultation, make_user):
    c = consultation
    _three_inputs_two_answered(c)
    assert client.get(_heard(c)).status_code == 404
    client.login(c.citizen)
    assert client.get(_heard(c)).status_code == 404
    client.logout()
    client.login(c.representative)
    assert client.get(_heard(c)).status_code == 404
    client.logout()
    client.login(c.planner)
    preview = client.get(_heard(c))
    assert preview.status_code == 200
    assert "Preview: this page is not public yet." in preview.text
    assert "Publish the results" not in preview.text  # the round is still open

    c.round.state, c.round.closes_at = RoundState.closed, now_utc()
    db.session.commit()
    client.logout()
    public = client.get(_heard(c), headers={"Accept-Language": "en"})
    assert public.status_code == 200 and "Preview" not in public.text


def test_numbers_by_kind_and_outcome_and_the_unanswered_share(client, make_consultation):
    c = make_consultation(round_state=RoundState.closed)
    _three_inputs_two_answered(c)
    brief(c, title="Brouillon jamais déposé", state=BriefState.draft)
    page = client.get(_heard(c), headers={"Accept-Language": "en"}).text
    assert "1 of 3 inputs is still unanswered (33%)." in page
    table = re.search(r"<table>.*?</table>", page, re.S).group(0)
    assert "<caption>Inputs received by kind, and what the establishment did with them</caption>" in table
    assert '<th scope="col" class="num">Partly retained</th>' in table
    rows = {m.group(1): re.findall(r'<td class="num">(\d+)</td>', m.group(2))
            for m in re.finditer(r'<th scope="row">([^<]+)</th>(.*?)</tr>', table, re.S)}
    # Inputs, retained, partly retained, not retained, out of scope, not answered yet.
    assert rows["Briefs"] == ["1", "0", "1", "0", "0", "0"]
    assert rows["Comment threads"] == ["1", "1", "0", "0", "0", "0"]
    assert rows["Proposed needs"] == ["1", "0", "0", "0", "0", "1"]
    assert rows["All inputs"] == ["3", "1", "1", "0", "0", "1"]
    # Each input with its answer, in its own words.
    assert "Mémoire du Carrefour des aînés" in page and "By Carrefour des aînés" in page
    assert "co-signed by Table de concertation des aînés" in page
    assert "Les aînés des HLM sont oubliés dans ce portrait." in page and "Isolement des aînés" in page
    assert "Nous ajoutons les HLM au portrait." in page and "1 reply" in page
    assert "Soutien aux proches aidants âgés" in page and "Not answered yet." in page
    assert "Brouillon jamais déposé" not in page
    only_unanswered = client.get(_heard(c) + "?status=unanswered", headers={"Accept-Language": "en"}).text
    assert "Soutien aux proches aidants âgés" in only_unanswered and "Mémoire du Carrefour" not in only_unanswered
    retained = client.get(_heard(c) + "?outcome=retained", headers={"Accept-Language": "en"}).text
    assert "Les aînés des HLM" in retained and "Soutien aux proches" not in retained


def test_a_confidential_brief_shows_only_that_it_exists_and_its_answer(client, make_consultation):
    c = make_consultation(round_state=RoundState.closed)
    secret = brief(c, title="Nos difficultés de financement", organization=c.other_organization,
                   author=c.other_representative, visibility=BriefVisibility.confidential,
                   summary="Un résumé que seul l'établissement lit.")
    _answer(c, InputKind.brief, secret.id, Outcome.not_retained, "Le financement relève du programme PSOC.")
    page = client.get(_heard(c), headers={"Accept-Language": "en"}).text
    assert "A brief its authors asked to keep confidential" in page
    assert "Le financement relève du programme PSOC." in page
    for secret_text in ("Nos difficultés de financement", "Popote roulante", "Un résumé que seul"):
        assert secret_text not in page
    # The planners still read it in their queue.
    client.login(c.planner)
    queue = client.get(f"/rounds/{c.round.id}/answers").text
    assert "Nos difficultés de financement" in queue and "Popote roulante" in queue


def test_hidden_content_is_shown_as_hidden_with_its_answer(client, make_consultation):
    c = make_consultation(round_state=RoundState.closed)
    rude = thread(c, c.citizen, "Un texte insultant envers une intervenante nommée.")
    rude.hidden_at, rude.hidden_reason = now_utc(), "Propos injurieux"
    proposal = proposed_need(c, c.citizen, title="Un titre avec un numéro de téléphone")
    proposal.hidden_at, proposal.hidden_reason = now_utc(), "Renseignements personnels"
    db.session.commit()
    _answer(c, InputKind.comment, rude.id, Outcome.out_of_scope, "Hors du mandat de la consultation.")
    page = client.get(_heard(c), headers={"Accept-Language": "en"}).text
    assert "Hidden by moderation: Propos injurieux" in page
    assert "Hidden by moderation: Renseignements personnels" in page
    assert "insultant" not in page and "numéro de téléphone" not in page
    assert "Hors du mandat de la consultation." in page and "Isolement des aînés" in page


def test_publishing_with_unanswered_inputs_warns_and_says_so(client, make_consultation):
    c = make_consultation(round_state=RoundState.closed)
    _three_inputs_two_answered(c)
    client.login(c.planner)
    before = client.get(_heard(c)).text
    assert "Warning: 1 input is still unanswered." in before
    published = client.post(f"/rounds/{c.round.id}/heard/publish", follow_redirects=True)
    assert published.status_code == 200
    assert "The results are published. 1 input is still unanswered" in published.text
    db.session.expire_all()
    assert c.round.state is RoundState.published
    event = db.session.scalar(select(RoundEvent).where(RoundEvent.round_id == c.round.id))
    assert event.kind == "published" and event.actor_id == c.planner.id
    assert "Results published on" in published.text and "Publish the results" not in published.text
    again = client.post(f"/rounds/{c.round.id}/heard/publish", follow_redirects=True)
    assert "already published" in again.text
    assert db.session.scalar(select(func.count(RoundEvent.id))) == 1
    client.logout()
    public = client.get(_heard(c), headers={"Accept-Language": "en"}).text
    assert "Results published on" in public and "1 of 3 inputs is still unanswered" in public


def test_publishing_when_every_input_is_answered(client, make_consultation):
    c = make_consultation(round_state=RoundState.summarized)
    submitted = brief(c)
    _answer(c, InputKind.brief, submitted.id, Outcome.retained, "Retenu.")
    client.login(c.planner)
    page = client.get(_heard(c)).text
    assert "Every input has an answer." in page and "Warning" not in page
    done = client.post(f"/rounds/{c.round.id}/heard/publish", follow_redirects=True)
    assert "The results are published." in done.text and "The establishment answered the only input." in done.text


def test_results_cannot_be_published_while_the_round_is_open(client, consultation):
    c = consultation
    client.login(c.planner)
    refused = client.post(f"/rounds/{c.round.id}/heard/publish", follow_redirects=True)
    assert "The results can be published once the round has closed." in refused.text
    db.session.expire_all()
    assert c.round.state is RoundState.open
    assert db.session.scalar(select(func.count(RoundEvent.id))) == 0


def test_the_page_in_french_and_in_english(client, make_consultation):
    c = make_consultation(round_state=RoundState.closed)
    _three_inputs_two_answered(c)
    french = client.get(_heard(c), headers={"Accept-Language": "fr"}).text
    assert '<html lang="fr-CA">' in french
    # The share is written the French way (a space before %), whatever the catalog says around it.
    assert re.search(r"\(33\s%\)", french) and "(33%)" not in french
    english = client.get(_heard(c), headers={"Accept-Language": "en"}).text
    assert '<html lang="en-CA">' in english and "(33%)" in english
    # Quotes stay as written, whatever the reader's language.
    for page in (french, english):
        assert "Les aînés des HLM sont oubliés dans ce portrait." in page
        assert "Nous ajoutons les HLM au portrait." in page
    assert "Participation level" in english and "Consultation" in english


def test_an_unknown_round_is_not_found(client):
    assert client.get("/rounds/999999/heard").status_code == 404
