"""Comments on an item in consultation: threads, replies on demand, the edit window and its public
history, moderation that hides a comment and keeps its thread, closed rounds, organizations-only rounds,
and nobody editing another person's words."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from consult.core.db import db, now_utc
from consult.participation.models import Comment, CommentRevision
from consult.rounds.models import Audience, RoundState


def item_url(c, uid=None, version=None) -> str:
    return f"/rounds/{c.round.id}/items/{(version or c.needs_version).id}/{uid or c.need_uid}"


def english(client) -> None:
    client.get("/lang/en")


def comments_count() -> int:
    return db.session.scalar(select(func.count(Comment.id)))


def post(client, c, body: str, **kw):
    return client.post(item_url(c, **kw) + "/comments", data={"body": body})


def test_a_visitor_reads_the_item_and_is_asked_to_sign_in(client, consultation):
    english(client)
    page = client.get(item_url(consultation))
    assert page.status_code == 200
    assert "<h1" in page.text and page.text.count("<h1") == 1
    assert "Isolement des aînés" in page.text
    assert consultation.round.title in page.text and "Consultation" in page.text  # the participation level
    assert f"/projects/versions/{consultation.needs_version.id}/items/{consultation.need_uid}" in page.text
    assert "Sign in to comment" in page.text
    assert 'id="new-comment"' not in page.text
    assert "0 people support this item." in page.text


def test_an_item_outside_the_round_or_version_is_not_found(client, consultation):
    assert client.get(item_url(consultation, uid="not-a-uid")).status_code == 404
    # The gap lives in the gaps version, not in the needs version.
    assert client.get(item_url(consultation, uid=consultation.gap_uid)).status_code == 404
    assert client.get(item_url(consultation, uid=consultation.gap_uid,
                               version=consultation.gaps_version)).status_code == 200
    assert client.get(f"/rounds/{consultation.round.id}/items/999999/{consultation.need_uid}").status_code == 404


def test_a_draft_round_is_not_public(client, make_consultation):
    draft = make_consultation(round_state=RoundState.draft)
    assert client.get(item_url(draft)).status_code == 404
    client.login(draft.citizen)
    assert client.get(item_url(draft)).status_code == 404
    client.logout()
    client.login(draft.planner)
    assert client.get(item_url(draft)).status_code == 200


def test_a_citizen_comments_and_sees_it_escaped_with_its_paragraphs(client, consultation):
    client.login(consultation.citizen)
    english(client)
    body = "Premier paragraphe.\n\n<script>alert(1)</script>\nligne deux"
    posted = post(client, consultation, body)
    assert posted.status_code == 302
    made = db.session.scalar(select(Comment))
    assert posted.headers["Location"].endswith(f"page=1#comment-{made.id}")
    assert made.root_id == made.id and made.parent_id is None and made.author_id == consultation.citizen.id
    assert made.item_kind == "need" and made.round_id == consultation.round.id
    page = client.get(posted.headers["Location"])
    assert "Your comment was published." in page.text
    assert "<p>Premier paragraphe.</p>" in page.text
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;<br>ligne deux</p>" in page.text
    assert "<script>alert(1)" not in page.text
    assert f'id="comment-{made.id}"' in page.text
    assert "Edit" in page.text


def test_empty_or_oversized_comments_are_refused_with_a_message(client, consultation):
    client.login(consultation.citizen)
    english(client)
    empty = post(client, consultation, "   \n  ")
    assert empty.status_code == 422 and "Write your comment." in empty.text
    long = post(client, consultation, "x" * 5001)
    assert long.status_code == 422 and "A comment has at most 5000 characters." in long.text
    assert "x" * 5001 in long.text  # what was typed is kept in the form
    assert comments_count() == 0
    fine = post(client, consultation, "y" * 5000)
    assert fine.status_code == 302 and comments_count() == 1


def test_replies_keep_their_thread_notify_the_author_and_load_on_demand(client, consultation, outbox):
    c = consultation
    client.login(c.citizen)
    post(client, c, "Il manque du transport le soir.")
    root = db.session.scalar(select(Comment))
    client.logout()

    client.login(c.representative)
    english(client)
    answered = client.post(f"/comments/{root.id}/reply", data={f"reply{root.id}-body": "Nous le voyons aussi."})
    assert answered.status_code == 302
    first = db.session.scalar(select(Comment).where(Comment.parent_id == root.id))
    assert answered.headers["Location"].endswith(f"/comments/{root.id}/replies?page=1#comment-{first.id}")
    assert first.root_id == root.id
    messages = outbox()
    assert len(messages) == 1 and "citoyen@exemple.ca" in messages[0]
    assert "Nous le voyons aussi." in messages[0] and f"/comments/{root.id}/replies" in messages[0]
    # A reply to the reply stays in the same thread and counts at the root.
    nested = client.post(f"/comments/{first.id}/reply", data={f"reply{first.id}-body": "Moi aussi."})
    assert nested.status_code == 302
    second = db.session.scalar(select(Comment).where(Comment.parent_id == first.id))
    assert second.root_id == root.id
    db.session.expire_all()
    assert db.session.get(Comment, root.id).reply_count == 2
    assert len(outbox()) == 1  # replying to oneself tells nobody

    item_page = client.get(item_url(c))
    assert "Show 2 replies" in item_page.text
    assert "Nous le voyons aussi." not in item_page.text  # replies load on demand
    replies = client.get(f"/comments/{root.id}/replies")
    assert replies.status_code == 200
    assert "Nous le voyons aussi." in replies.text and "Moi aussi." in replies.text
    assert "in reply to" in replies.text
    # A reply's own address leads to its place in the thread.
    moved = client.get(f"/comments/{second.id}/replies")
    assert moved.status_code == 302 and f"/comments/{root.id}/replies" in moved.headers["Location"]


def test_an_empty_reply_is_refused_on_the_thread_page(client, consultation):
    client.login(consultation.citizen)
    english(client)
    post(client, consultation, "Un commentaire.")
    root = db.session.scalar(select(Comment))
    refused = client.post(f"/comments/{root.id}/reply", data={f"reply{root.id}-body": ""})
    assert refused.status_code == 422 and "Write your comment." in refused.text
    assert comments_count() == 1


def test_first_level_comments_page_oldest_first_and_a_new_one_lands_on_its_page(client, consultation):
    c = consultation
    db.session.add_all([Comment(round_id=c.round.id, version_id=c.needs_version.id, item_uid=c.need_uid,
                                item_kind="need", author_id=c.citizen.id, body=f"Commentaire numéro {n:02d}")
                        for n in range(1, 31)])
    db.session.commit()
    english(client)
    first = client.get(item_url(c))
    assert first.text.count('class="card comment"') == 25
    assert "Commentaire numéro 01" in first.text and "Commentaire numéro 26" not in first.text
    assert "Page 1 of 2" in first.text
    second = client.get(item_url(c) + "?page=2")
    assert second.text.count('class="card comment"') == 5 and "Commentaire numéro 30" in second.text
    client.login(c.member)
    posted = post(client, c, "Le trente et unième.")
    assert "page=2#comment-" in posted.headers["Location"]


def _comment_by(c, author, minutes_ago: int = 0) -> Comment:
    made = Comment(round_id=c.round.id, version_id=c.needs_version.id, item_uid=c.need_uid, item_kind="need",
                   author_id=author.id, body="Texte d'origine.", created_at=now_utc() - timedelta(minutes=minutes_ago))
    db.session.add(made)
    db.session.flush()
    made.root_id = made.id
    db.session.commit()
    return made


def test_the_author_edits_within_the_window_and_the_history_is_public(client, consultation):
    made = _comment_by(consultation, consultation.citizen, minutes_ago=5)
    client.login(consultation.citizen)
    english(client)
    form = client.get(f"/comments/{made.id}/edit")
    assert form.status_code == 200 and "Texte d&#39;origine." in form.text
    done = client.post(f"/comments/{made.id}/edit", data={"body": "Texte corrigé."})
    assert done.status_code == 302 and f"#comment-{made.id}" in done.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Comment, made.id).body == "Texte corrigé."
    assert db.session.get(Comment, made.id).edited_at is not None
    revision = db.session.scalar(select(CommentRevision))
    assert revision.body == "Texte d'origine." and revision.comment_id == made.id
    client.logout()
    english(client)
    page = client.get(item_url(consultation))
    assert f'href="/comments/{made.id}/history"' in page.text and ">edited<" in page.text
    history = client.get(f"/comments/{made.id}/history")
    assert history.status_code == 200
    assert "Texte corrigé." in history.text and "Texte d&#39;origine." in history.text


def test_editing_after_the_window_is_refused(client, consultation):
    made = _comment_by(consultation, consultation.citizen, minutes_ago=31)
    client.login(consultation.citizen)
    english(client)
    page = client.get(item_url(consultation))
    assert f"/comments/{made.id}/edit" not in page.text
    assert client.get(f"/comments/{made.id}/edit").status_code == 403
    refused = client.post(f"/comments/{made.id}/edit", data={"body": "Trop tard."})
    assert refused.status_code == 403 and "The time to change this comment is over" in refused.text
    db.session.expire_all()
    assert db.session.get(Comment, made.id).body == "Texte d'origine."
    assert db.session.scalar(select(func.count(CommentRevision.id))) == 0


def test_nobody_edits_another_persons_comment(client, consultation, make_user):
    made = _comment_by(consultation, consultation.citizen)
    admin = make_user("admin@exemple.ca", admin=True)
    for other in (consultation.representative, consultation.planner, consultation.moderator, admin):
        client.login(other)
        assert client.get(f"/comments/{made.id}/edit").status_code == 403
        assert client.post(f"/comments/{made.id}/edit", data={"body": "Réécrit."}).status_code == 403
        client.logout()
    assert client.post(f"/comments/{made.id}/edit", data={"body": "Réécrit."}).status_code == 302  # to sign in
    db.session.expire_all()
    assert db.session.get(Comment, made.id).body == "Texte d'origine."


def test_a_hidden_comment_shows_its_reason_and_its_thread_stays(client, consultation):
    c = consultation
    made = _comment_by(c, c.citizen)
    client.login(c.representative)
    client.post(f"/comments/{made.id}/reply", data={f"reply{made.id}-body": "Une réponse qui reste."})
    client.logout()
    made = db.session.get(Comment, made.id)
    made.hidden_at = now_utc()
    made.hidden_reason = "Propos <injurieux>"
    db.session.commit()
    english(client)
    page = client.get(item_url(c))
    assert "Hidden by moderation: Propos &lt;injurieux&gt;" in page.text
    assert "Texte d&#39;origine." not in page.text
    assert "Show 1 reply" in page.text
    thread = client.get(f"/comments/{made.id}/replies")
    assert "Hidden by moderation" in thread.text and "Une réponse qui reste." in thread.text
    history = client.get(f"/comments/{made.id}/history")
    assert "Texte d&#39;origine." not in history.text and "Hidden by moderation" in history.text
    client.login(c.citizen)
    assert client.get(f"/comments/{made.id}/edit").status_code == 403  # its author cannot rewrite it either


def test_a_closed_round_refuses_comments_and_replies_with_a_message(client, make_consultation):
    closed = make_consultation(round_state=RoundState.closed)
    made = _comment_by(closed, closed.citizen)
    client.login(closed.citizen)
    english(client)
    page = client.get(item_url(closed))
    assert "This consultation is closed" in page.text and 'id="new-comment"' not in page.text
    refused = post(client, closed, "Trop tard ?")
    assert refused.status_code in (403, 422) and "This consultation is closed" in refused.text
    reply = client.post(f"/comments/{made.id}/reply", data={f"reply{made.id}-body": "Trop tard."})
    assert reply.status_code in (403, 422) and "This consultation is closed" in reply.text
    assert comments_count() == 1


def test_a_comment_just_after_closing_time_is_refused_even_before_the_state_changes(client, consultation):
    consultation.round.closes_at = now_utc() - timedelta(seconds=5)  # the beat tick has not run yet
    db.session.commit()
    client.login(consultation.citizen)
    english(client)
    refused = post(client, consultation, "Juste après la fermeture.")
    assert refused.status_code in (403, 422) and "This consultation is closed" in refused.text
    assert comments_count() == 0


def test_an_organizations_only_round_takes_comments_from_members_only(client, make_consultation):
    c = make_consultation(audience=Audience.organizations)
    client.login(c.citizen)
    english(client)
    page = client.get(item_url(c))
    assert "open to organizations only" in page.text
    assert post(client, c, "Je suis citoyen.").status_code == 403
    assert comments_count() == 0
    client.logout()
    client.login(c.member)
    assert post(client, c, "Je suis membre du Carrefour.").status_code == 302
    client.logout()
    client.login(c.coalition_representative)
    assert post(client, c, "Au nom de la Table.").status_code == 302
    assert comments_count() == 2


def test_an_unconfirmed_account_cannot_comment_yet(client, consultation, make_user):
    newcomer = make_user("nouveau@exemple.ca", verified=False, locale="en")
    client.login(newcomer)
    page = client.get(item_url(consultation))
    assert "Confirm your e-mail address to take part" in page.text
    assert post(client, consultation, "Bonjour").status_code == 403
    assert comments_count() == 0


def test_a_visitor_posting_is_sent_to_sign_in(client, consultation):
    response = post(client, consultation, "Anonyme")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert comments_count() == 0


def test_a_refused_reply_deep_in_a_thread_is_shown_again_on_its_page(client, consultation):
    c = consultation
    root = _comment_by(c, c.citizen)
    replies = [Comment(round_id=c.round.id, version_id=c.needs_version.id, item_uid=c.need_uid, item_kind="need",
                       parent_id=root.id, root_id=root.id, author_id=c.member.id, body=f"Réponse {n}")
               for n in range(30)]
    db.session.add_all(replies)
    root.reply_count = 30
    db.session.commit()
    deep = replies[27]
    client.login(c.citizen)
    english(client)
    refused = client.post(f"/comments/{deep.id}/reply", data={f"reply{deep.id}-body": "x" * 5001})
    assert refused.status_code == 422
    assert "Page 2 of 2" in refused.text and f'id="reply{deep.id}-body"' in refused.text
    assert "A comment has at most 5000 characters." in refused.text and "x" * 5001 in refused.text


def test_the_edit_form_closes_with_the_round(client, consultation):
    made = _comment_by(consultation, consultation.citizen, minutes_ago=1)
    consultation.round.state = RoundState.closed
    db.session.commit()
    client.login(consultation.citizen)
    english(client)
    refused = client.get(f"/comments/{made.id}/edit")
    assert refused.status_code == 403 and "This consultation is closed" in refused.text
