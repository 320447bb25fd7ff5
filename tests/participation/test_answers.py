"""Answering the inputs of a round: each kind, changing an answer, notices to authors, who may answer,
the reason's limits and hostile text. The input builders here are shared with test_heard.py."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from consult.accounts.models import User
from consult.core.db import db, now_utc
from consult.mail.models import Email
from consult.participation.models import (
    Brief,
    BriefCosigner,
    BriefState,
    BriefVisibility,
    Comment,
    CosignState,
    Disposition,
    InputKind,
    Outcome,
    ProposedNeed,
)
from consult.rounds.models import RoundState
from tests.fixtures.app import link_in
from tests.hostile import naughty_strings


def brief(c, *, title: str = "Mémoire du Carrefour des aînés", organization=None, author=None,
          visibility: BriefVisibility = BriefVisibility.public, state: BriefState = BriefState.submitted,
          summary: str = "Les aînés isolés ont besoin de visites régulières.", cosigner=None) -> Brief:
    made = Brief(round_id=c.round.id, organization=organization or c.organization,
                 author=author if author is not None else c.representative, title=title, summary=summary,
                 body="## Nos constats\n\nBeaucoup d'aînés vivent seuls.", visibility=visibility, state=state,
                 submitted_at=now_utc() if state is not BriefState.draft else None)
    db.session.add(made)
    if cosigner is not None:
        made.cosigners.append(BriefCosigner(organization=cosigner, state=CosignState.confirmed,
                                            answered_at=now_utc()))
    db.session.commit()
    return made


def thread(c, author: User | None, body: str, *, uid: str | None = None, replies: int = 0) -> Comment:
    uid = uid or c.need_uid
    first = Comment(round_id=c.round.id, version_id=c.needs_version.id, item_uid=uid, item_kind="need",
                    author=author, body=body)
    db.session.add(first)
    db.session.flush()
    first.root_id = first.id
    for n in range(replies):
        db.session.add(Comment(round_id=c.round.id, version_id=c.needs_version.id, item_uid=uid, item_kind="need",
                               author=c.planner, body=f"Réponse {n + 1}", parent_id=first.id, root_id=first.id))
    first.reply_count = replies
    db.session.commit()
    return first


def proposed_need(c, author: User | None, title: str = "Soutien aux proches aidants âgés") -> ProposedNeed:
    made = ProposedNeed(round_id=c.round.id, version_id=c.needs_version.id, author=author, title=title,
                        description="Les proches aidants de plus de 70 ans s'épuisent sans répit.", area=c.area)
    db.session.add(made)
    db.session.commit()
    return made


def answer_url(c, kind: str, input_id: int) -> str:
    return f"/rounds/{c.round.id}/answers/{kind}/{input_id}"


# --------------------------------------------------------------------------------------------------
# The tests


def _mails_to(address: str) -> list[Email]:
    return list(db.session.scalars(select(Email).where(Email.to_addr == address).order_by(Email.id)))


def _answer(client, c, kind: str, input_id: int, outcome: str = "retained", reason: str = "Nous l'ajoutons."):
    return client.post(answer_url(c, kind, input_id), data={"outcome": outcome, "reason": reason})


def test_a_planner_answers_each_kind_of_input_and_each_author_is_told(client, consultation):
    c = consultation
    submitted = brief(c)
    first = thread(c, c.citizen, "Il manque les aînés des HLM.", replies=2)
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == first.id).limit(1))
    proposed = proposed_need(c, c.member)
    client.login(c.planner)

    queue = client.get(f"/rounds/{c.round.id}/answers")
    assert queue.status_code == 200
    assert "Mémoire du Carrefour des aînés" in queue.text and "Carrefour des aînés" in queue.text
    assert "Il manque les aînés des HLM." in queue.text and "Isolement des aînés" in queue.text
    assert "Soutien aux proches aidants âgés" in queue.text
    assert "0 of 3 inputs" not in queue.text and "3 of 3 inputs are still unanswered" in queue.text

    assert _answer(client, c, "brief", submitted.id, "partly_retained",
                   "Les visites sont retenues;\nle financement relève du PSOC.").status_code == 302
    assert _answer(client, c, "comment", first.id, "retained").status_code == 302
    assert _answer(client, c, "proposed_need", proposed.id, "out_of_scope",
                   "Relève du programme santé mentale.").status_code == 302
    # A reply is not an input of its own: its thread is answered on the first comment.
    assert _answer(client, c, "comment", reply.id).status_code == 404

    answers = {d.input_kind: d for d in db.session.scalars(select(Disposition))}
    assert answers[InputKind.brief].outcome is Outcome.partly_retained
    assert answers[InputKind.brief].reason == "Les visites sont retenues;\nle financement relève du PSOC."
    assert answers[InputKind.comment].input_id == first.id
    assert answers[InputKind.proposed_need].outcome is Outcome.out_of_scope
    assert all(d.answered_by_id == c.planner.id and d.round_id == c.round.id for d in answers.values())

    # The representative reads English, the citizen and the member French (not translated yet: msgids).
    (to_rep,) = _mails_to(c.representative.email)
    assert to_rep.subject == "Your brief “Mémoire du Carrefour des aînés” has an answer"
    assert "Partly retained" in to_rep.body_text and "le financement relève du PSOC." in to_rep.body_text
    (to_citizen,) = _mails_to(c.citizen.email)
    assert "Il manque les aînés des HLM." in to_citizen.body_text
    (to_member,) = _mails_to(c.member.email)
    assert "Soutien aux proches aidants âgés" in to_member.body_text

    page = client.get(f"/rounds/{c.round.id}/answers")
    assert "The establishment answered all 3 inputs." in page.text
    assert "Les visites sont retenues;<br>le financement relève du PSOC." in page.text


def test_changing_an_answer_keeps_one_answer_and_tells_the_author_again(client, consultation, make_user):
    c = consultation
    submitted = brief(c)
    colleague = make_user("planif2@exemple.ca", planner=c.establishment, locale="en")
    client.login(c.planner)
    _answer(client, c, "brief", submitted.id, "not_retained", "Hors budget.")
    first_at = db.session.scalar(select(Disposition.answered_at))
    client.logout()

    client.login(colleague)
    form = client.get(answer_url(c, "brief", submitted.id))
    assert "Hors budget." in form.text and re.search(r'<input checked[^>]*value="not_retained"', form.text)
    response = _answer(client, c, "brief", submitted.id, "retained", "Finalement retenu après la rencontre.")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Disposition.id))) == 1
    db.session.expire_all()
    changed = db.session.scalar(select(Disposition))
    assert changed.outcome is Outcome.retained and changed.reason == "Finalement retenu après la rencontre."
    assert changed.answered_by_id == colleague.id and changed.answered_at >= first_at
    mails = _mails_to(c.representative.email)
    assert [m.subject for m in mails] == ["Your brief “Mémoire du Carrefour des aînés” has an answer",
                                          "The answer to your brief “Mémoire du Carrefour des aînés” has changed"]
    assert "This answer replaces the one you received before." in mails[1].body_text

    # The same answer again changes nothing and bothers nobody.
    again = _answer(client, c, "brief", submitted.id, "retained", "Finalement retenu après la rencontre.")
    assert "Nothing changed" in client.get(again.headers["Location"]).text
    assert len(_mails_to(c.representative.email)) == 2


def test_no_notice_for_a_deleted_account_or_a_vanished_author(client, consultation):
    c = consultation
    gone = thread(c, None, "Un commentaire dont l'auteur a supprimé son compte.")
    c.citizen.deleted_at = now_utc()
    db.session.commit()
    deleted = thread(c, c.citizen, "Un commentaire d'un compte supprimé.")
    client.login(c.planner)
    response = _answer(client, c, "comment", gone.id)
    assert "nobody is notified" in client.get(response.headers["Location"]).text
    assert _answer(client, c, "comment", deleted.id).status_code == 302
    assert db.session.scalar(select(func.count(Disposition.id))) == 2
    assert db.session.scalar(select(func.count(Email.id))) == 0


def test_the_reason_is_required_and_limited(client, consultation):
    c = consultation
    submitted = brief(c)
    client.login(c.planner)
    empty = _answer(client, c, "brief", submitted.id, "retained", "   \n\t ")
    assert empty.status_code == 422 and "Give the reason for this answer" in empty.text
    too_long = _answer(client, c, "brief", submitted.id, "retained", "x" * 5001)
    assert too_long.status_code == 422 and "Use at most 5000 characters for the reason (now 5001)" in too_long.text
    no_outcome = client.post(answer_url(c, "brief", submitted.id), data={"reason": "Une raison."})
    assert no_outcome.status_code == 422 and "Choose what the establishment does with this input." in no_outcome.text
    made_up = _answer(client, c, "brief", submitted.id, "maybe")
    assert made_up.status_code == 422 and "Choose one of the options." in made_up.text
    assert 'Une raison.' in no_outcome.text  # what was typed is kept
    assert db.session.scalar(select(func.count(Disposition.id))) == 0
    assert _answer(client, c, "brief", submitted.id, "retained", "x" * 5000).status_code == 302


def test_hostile_reasons_are_saved_as_text_and_never_break_a_page(client, make_consultation):
    c = make_consultation(round_state=RoundState.closed)
    submitted = brief(c)
    client.login(c.planner)
    for text in naughty_strings():
        response = _answer(client, c, "brief", submitted.id, "not_retained", text)
        assert response.status_code in (302, 422), repr(text)
        if response.status_code == 422:
            assert "Give the reason for this answer" in response.text, repr(text)
    db.session.expire_all()
    reason = db.session.scalar(select(Disposition.reason))
    for path in (f"/rounds/{c.round.id}/answers", f"/rounds/{c.round.id}/heard",
                 answer_url(c, "brief", submitted.id)):
        assert client.get(path).status_code == 200
    script = _answer(client, c, "brief", submitted.id, "not_retained", "<script>alert(1)</script> & co")
    assert script.status_code == 302
    page = client.get(f"/rounds/{c.round.id}/heard").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert reason is not None


@pytest.mark.parametrize("who", ["citizen", "representative", "member", "moderator"])
def test_participants_and_moderators_cannot_answer(client, consultation, who):
    c = consultation
    submitted = brief(c)
    client.login(getattr(c, who))
    assert client.get(f"/rounds/{c.round.id}/answers").status_code == 403
    assert client.get(answer_url(c, "brief", submitted.id)).status_code == 403
    assert _answer(client, c, "brief", submitted.id).status_code == 403
    assert client.post(f"/rounds/{c.round.id}/heard/publish").status_code == 403
    assert db.session.scalar(select(func.count(Disposition.id))) == 0


def test_a_planner_of_another_establishment_cannot_answer_and_an_admin_only_reads(client, consultation, make_user):
    c = consultation
    submitted = brief(c)
    elsewhere = make_user("ailleurs@exemple.ca", planner=c.other_establishment)
    client.login(elsewhere)
    assert client.get(f"/rounds/{c.round.id}/answers").status_code == 403
    assert _answer(client, c, "brief", submitted.id).status_code == 403
    client.logout()
    admin = make_user("admin@exemple.ca", admin=True, locale="en")
    client.login(admin)
    queue = client.get(f"/rounds/{c.round.id}/answers")
    assert queue.status_code == 200 and "only the establishment's planners give them" in queue.text
    assert f'href="/rounds/{c.round.id}/answers/brief/{submitted.id}"' not in queue.text
    assert client.get(answer_url(c, "brief", submitted.id)).status_code == 200
    assert _answer(client, c, "brief", submitted.id).status_code == 403
    client.logout()
    assert client.get(f"/rounds/{c.round.id}/answers").status_code in (302, 401)
    assert db.session.scalar(select(func.count(Disposition.id))) == 0


def test_only_real_inputs_of_this_round_can_be_answered(client, consultation, make_consultation):
    c = consultation
    draft = brief(c, title="Brouillon", state=BriefState.draft)
    withdrawn = brief(c, title="Retiré", state=BriefState.withdrawn)
    client.login(c.planner)
    assert _answer(client, c, "brief", draft.id).status_code == 404
    assert _answer(client, c, "brief", withdrawn.id).status_code == 404
    assert _answer(client, c, "need", 1).status_code == 404
    assert _answer(client, c, "brief", 999999).status_code == 404
    queue = client.get(f"/rounds/{c.round.id}/answers").text
    assert "Brouillon" not in queue and "Retiré" not in queue and "This round has received no input yet." in queue


def test_answers_wait_for_the_round_to_open(client, make_consultation):
    c = make_consultation(round_state=RoundState.scheduled)
    submitted = brief(c)  # cannot happen through the pages; the rule holds anyway
    client.login(c.planner)
    page = client.get(answer_url(c, "brief", submitted.id))
    assert page.status_code == 200 and "Inputs can be answered once the round has opened." in page.text
    refused = _answer(client, c, "brief", submitted.id)
    assert refused.status_code == 422 and "Inputs can be answered once the round has opened." in refused.text
    assert db.session.scalar(select(func.count(Disposition.id))) == 0


def test_the_queue_filters_by_kind_answer_and_outcome(client, consultation):
    c = consultation
    submitted = brief(c)
    first = thread(c, c.citizen, "Premier fil sur l'isolement.")
    thread(c, c.citizen, "Deuxième fil, sur le transport.", uid=c.other_need_uid)
    client.login(c.planner)
    _answer(client, c, "brief", submitted.id, "retained")
    _answer(client, c, "comment", first.id, "not_retained", "Déjà couvert.")
    base = f"/rounds/{c.round.id}/answers"
    unanswered = client.get(base + "?status=unanswered").text
    assert "Deuxième fil" in unanswered and "Premier fil" not in unanswered and "Mémoire" not in unanswered
    comments = client.get(base + "?kind=comment").text
    assert "Premier fil" in comments and "Deuxième fil" in comments and "Mémoire du Carrefour" not in comments
    not_retained = client.get(base + "?outcome=not_retained").text
    assert "Premier fil" in not_retained and "Deuxième fil" not in not_retained
    nonsense = client.get(base + "?kind=nonsense&status=maybe&outcome=%00")
    assert nonsense.status_code == 200 and "Deuxième fil" in nonsense.text and "Mémoire" in nonsense.text
    assert "2 of 3 inputs" not in nonsense.text and "1 of 3 inputs is still unanswered" in nonsense.text


def test_after_the_round_closes_the_notice_links_to_what_we_heard(client, make_consultation, outbox):
    c = make_consultation(round_state=RoundState.closed)
    proposed = proposed_need(c, c.citizen)
    client.login(c.planner)
    assert _answer(client, c, "proposed_need", proposed.id, "not_retained", "Déjà dans le portrait.").status_code == 302
    (message,) = outbox()
    path = link_in(message, f"/rounds/{c.round.id}/heard")
    assert path == f"/rounds/{c.round.id}/heard?kind=proposed_need#proposed_need-{proposed.id}"
    client.logout()
    page = client.get(path.split("#")[0], headers={"Accept-Language": "en"})
    assert f'id="proposed_need-{proposed.id}"' in page.text and "Déjà dans le portrait." in page.text
