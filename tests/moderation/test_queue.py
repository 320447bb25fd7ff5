"""The moderation queue of an establishment: who sees it, what it shows, and the three decisions
(hide with a public reason, restore, dismiss) that each close the open flags and leave a line in the log."""

from __future__ import annotations

from datetime import timedelta

from flask import url_for
from sqlalchemy import select

from consult.core.db import db, now_utc
from consult.moderation.models import Decision, Flag, FlagReason, ModerationAction, TargetKind
from consult.participation.models import Comment
from tests.moderation.conftest import add_comment, add_proposed_need


def report(target_kind: TargetKind, target_id: int, reporter, world, reason=FlagReason.spam, note=None,
           days_ago: int = 0) -> Flag:
    made = Flag(target_kind=target_kind, target_id=target_id, establishment_id=world.establishment.id,
                reporter_id=reporter.id, reason=reason, note=note, created_at=now_utc() - timedelta(days=days_ago))
    db.session.add(made)
    db.session.commit()
    return made


def queue_url(world) -> str:
    return f"/establishments/{world.establishment.id}/moderation"


def test_the_queue_is_for_the_establishments_moderators_and_admins(client, world, comment, make_user):
    report(TargetKind.comment, comment.id, world.member, world)
    other_moderator = make_user("autre-mod@exemple.ca", moderator=world.other_establishment, locale="en")
    admin = make_user("admin@exemple.ca", admin=True, locale="en")
    expected = {world.moderator: 200, admin: 200, other_moderator: 403, world.citizen: 403,
                world.planner: 403, world.representative: 403}
    for person, status in expected.items():
        client.logout()
        client.login(person)
        assert client.get(queue_url(world)).status_code == status, person.email
    client.logout()
    assert "/login" in client.get(queue_url(world)).headers["Location"]


def test_the_queue_shows_content_author_reasons_and_notes_most_flagged_first(client, world, make_user):
    once = add_comment(world, world.citizen, "Commentaire signalé une fois, il y a longtemps.")
    twice = add_comment(world, world.member, "<script>alert('x')</script> signalé deux fois.")
    need = add_proposed_need(world, world.citizen)
    report(TargetKind.comment, once.id, world.member, world, days_ago=5)
    report(TargetKind.comment, twice.id, world.citizen, world, reason=FlagReason.abuse, note="Injure envers Marc.")
    report(TargetKind.comment, twice.id, world.representative, world, reason=FlagReason.spam)
    report(TargetKind.proposed_need, need.id, world.member, world, days_ago=1)
    client.login(world.moderator)
    page = client.get(queue_url(world)).text
    assert page.index("signalé deux fois") < page.index("il y a longtemps") < page.index("Proches aidants")
    assert "&lt;script&gt;alert(" in page and "<script>alert(" not in page
    assert "Insults, harassment or hate" in page and "Advertising or spam" in page
    assert "Injure envers Marc." in page
    assert "Lucie" in page  # the author's public name
    assert "3 items wait for a decision" in page


def test_the_queue_pages(client, world, app):
    for number in range(app.config["CONSULT_PAGE_SIZE"] + 1):
        target = add_comment(world, world.citizen, f"Commentaire numéro {number}.")
        report(TargetKind.comment, target.id, world.member, world)
    client.login(world.moderator)
    first = client.get(queue_url(world))
    assert "Page 1 of 2" in first.text
    assert client.get(queue_url(world) + "?page=2").status_code == 200


def test_hiding_needs_a_public_reason(client, world, comment):
    report(TargetKind.comment, comment.id, world.member, world)
    client.login(world.moderator)
    page = client.post(f"/moderation/comment/{comment.id}", data={"decision": "hide", "public_reason": "  "})
    assert page.status_code == 422
    assert "Give the public reason shown to readers" in page.text
    db.session.refresh(comment)
    assert comment.hidden_at is None


def test_hide_with_a_reason_replaces_the_content_for_readers_and_tells_the_author(client, world, comment, outbox,
                                                                                   app):
    report(TargetKind.comment, comment.id, world.member, world)
    client.login(world.moderator)
    done = client.post(f"/moderation/comment/{comment.id}", data={
        "decision": "hide", "public_reason": "Propos injurieux envers une personne.", "note": "Deuxième fois.",
        "next": queue_url(world)})
    assert done.status_code == 302 and done.headers["Location"] == queue_url(world)
    db.session.expire_all()
    hidden = db.session.get(Comment, comment.id)
    assert hidden.hidden_at is not None and hidden.hidden_reason == "Propos injurieux envers une personne."
    assert hidden.body == "Les aînés du Centre-Sud sont seuls le soir."  # kept, never edited
    assert all(f.resolved_at is not None and f.resolved_by_id == world.moderator.id
               for f in db.session.scalars(select(Flag)))
    [action] = db.session.scalars(select(ModerationAction))
    assert (action.decision, action.public_reason, action.note) == (
        Decision.hide, "Propos injurieux envers une personne.", "Deuxième fois.")
    assert "Nothing waits for a decision" in client.get(queue_url(world)).text
    [mail] = [m for m in outbox() if "citoyen@exemple.ca" in m]
    assert "Propos injurieux envers une personne." in mail
    assert "/unsubscribe/" in mail
    if "participation.item" in app.view_functions:  # the page readers see, once participation has it
        client.logout()
        client.get("/lang/en")
        item = client.get(url_for("participation.item", round_id=world.round.id, version_id=world.needs_version.id,
                                  uid=world.need_uid, _external=False))
        assert item.status_code == 200
        assert "Hidden by moderation: Propos injurieux envers une personne." in item.text
        assert "Les aînés du Centre-Sud sont seuls le soir." not in item.text


def test_a_double_clicked_hide_hides_once(client, world, comment):
    client.login(world.moderator)
    data = {"decision": "hide", "public_reason": "Hors sujet."}
    assert client.post(f"/moderation/comment/{comment.id}", data=data).status_code == 302
    again = client.post(f"/moderation/comment/{comment.id}", data=data, follow_redirects=True)
    assert again.status_code == 200 and "already hidden" in again.text
    assert len(list(db.session.scalars(select(ModerationAction)))) == 1


def test_moderators_may_hide_content_nobody_reported(client, world, comment):
    client.login(world.moderator)
    page = client.get(f"/moderation/comment/{comment.id}")
    assert page.status_code == 200 and "Nobody reported this content." in page.text
    client.post(f"/moderation/comment/{comment.id}", data={"decision": "hide", "public_reason": "Publicité."})
    db.session.refresh(comment)
    assert comment.hidden_reason == "Publicité."


def test_restore_shows_the_content_again(client, world, comment):
    client.login(world.moderator)
    client.post(f"/moderation/comment/{comment.id}", data={"decision": "hide", "public_reason": "Erreur ?"})
    page = client.get(f"/moderation/comment/{comment.id}")
    assert "Hidden by moderation: Erreur ?" in page.text and 'value="restore"' in page.text
    done = client.post(f"/moderation/comment/{comment.id}", data={"decision": "restore"})
    assert done.status_code == 302
    db.session.refresh(comment)
    assert comment.hidden_at is None and comment.hidden_reason is None
    decisions = [a.decision for a in db.session.scalars(select(ModerationAction).order_by(ModerationAction.id))]
    assert decisions == [Decision.hide, Decision.restore]
    refused = client.post(f"/moderation/comment/{comment.id}", data={"decision": "restore"}, follow_redirects=True)
    assert "nothing to restore" in refused.text


def test_dismiss_closes_the_flags_and_keeps_the_content(client, world, comment):
    report(TargetKind.comment, comment.id, world.member, world)
    report(TargetKind.comment, comment.id, world.representative, world)
    client.login(world.moderator)
    done = client.post(f"/moderation/comment/{comment.id}", data={"decision": "dismiss"}, follow_redirects=True)
    assert "The flags were dismissed" in done.text
    db.session.refresh(comment)
    assert comment.hidden_at is None
    assert all(f.resolved_at for f in db.session.scalars(select(Flag)))
    [action] = db.session.scalars(select(ModerationAction))
    assert action.decision is Decision.dismiss
    # A flag raised after a dismissal opens the item in the queue again; the same reader cannot re-flag.
    client.logout()
    client.login(world.member)
    again = client.post(f"/report/comment/{comment.id}", data={"reason": "spam"}, follow_redirects=True)
    assert "You already reported this content" in again.text


def test_dismiss_without_open_flags_says_so(client, world, comment):
    client.login(world.moderator)
    page = client.post(f"/moderation/comment/{comment.id}", data={"decision": "dismiss"}, follow_redirects=True)
    assert "no open flags" in page.text
    assert list(db.session.scalars(select(ModerationAction))) == []


def test_only_the_establishments_moderators_decide(client, world, comment, make_user):
    report(TargetKind.comment, comment.id, world.member, world)
    other_moderator = make_user("autre-mod@exemple.ca", moderator=world.other_establishment)
    for person in (world.planner, world.citizen, other_moderator, world.member):
        client.logout()
        client.login(person)
        assert client.get(f"/moderation/comment/{comment.id}").status_code == 403
        assert client.post(f"/moderation/comment/{comment.id}", data={
            "decision": "hide", "public_reason": "Non."}).status_code == 403
    db.session.refresh(comment)
    assert comment.hidden_at is None
    assert list(db.session.scalars(select(ModerationAction))) == []


def test_a_proposed_need_can_be_hidden_too(client, world):
    need = add_proposed_need(world, world.citizen)
    client.login(world.moderator)
    client.post(f"/moderation/proposed_need/{need.id}", data={"decision": "hide", "public_reason": "Doublon."})
    db.session.refresh(need)
    assert need.is_hidden and need.hidden_reason == "Doublon."


def test_an_unknown_decision_is_refused(client, world, comment):
    client.login(world.moderator)
    page = client.post(f"/moderation/comment/{comment.id}", data={"decision": "delete"})
    assert page.status_code == 422
    db.session.refresh(comment)
    assert comment.hidden_at is None
