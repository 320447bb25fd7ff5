"""Every naughty string as a report's note and as a public reason: saved or refused with a message, never a
500, and shown escaped in the queue, the log and the moderated page."""

from __future__ import annotations

from sqlalchemy import delete, select

from consult.core.db import db
from consult.moderation.models import Flag, ModerationAction
from tests.hostile import naughty_strings


def test_naughty_strings_in_the_report_note_and_the_hide_reason(client, app, world, comment):
    reader, moderator = app.test_client(), app.test_client()
    reader.login(world.member)
    moderator.login(world.moderator)
    failures = []
    for number, value in enumerate(naughty_strings()):
        if number % 50 == 0:  # fresh sessions: unread flash messages would pile up in the cookie
            for person, who in ((reader, world.member), (moderator, world.moderator)):
                person.logout()
                person.login(who)
        flagged = reader.post(f"/report/comment/{comment.id}", data={"reason": "other", "note": value})
        hidden = moderator.post(f"/moderation/comment/{comment.id}", data={
            "decision": "hide", "public_reason": value, "note": value})
        restored = moderator.post(f"/moderation/comment/{comment.id}", data={"decision": "restore"})
        for what, response in (("flag", flagged), ("hide", hidden), ("restore", restored)):
            if response.status_code not in (302, 422):
                failures.append((what, value, response.status_code))
        db.session.execute(delete(Flag))
        db.session.commit()
    assert not failures, failures[:5]
    reasons = [a.public_reason for a in db.session.scalars(select(ModerationAction)) if a.public_reason]
    assert any("<script" in r.lower() for r in reasons)
    script = "<script>alert('moderation')</script>"
    moderator.post(f"/moderation/comment/{comment.id}", data={"decision": "hide", "public_reason": script})
    for url in (f"/establishments/{world.establishment.id}/moderation/log", f"/moderation/comment/{comment.id}"):
        page = moderator.get(url)
        assert page.status_code == 200
        assert script not in page.text and "&lt;script&gt;alert(&#39;moderation&#39;)" in page.text
