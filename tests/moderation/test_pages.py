"""Every moderation and notification page renders with one heading, no inline style or script, and its
forms labelled."""

from __future__ import annotations

import re

from consult.moderation.models import FlagReason, TargetKind
from consult.notifications import tokens
from tests.moderation.test_queue import report


def well_formed(html: str) -> bool:
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)", html)
    return html.count("<h1") == 1 and 'style="' not in html and not inline_scripts


def test_pages_have_one_heading_and_no_inline_code(client, world, comment):
    report(TargetKind.comment, comment.id, world.member, world, reason=FlagReason.abuse, note="Note.")
    client.login(world.moderator)
    urls = [f"/establishments/{world.establishment.id}/moderation", f"/moderation/comment/{comment.id}",
            f"/establishments/{world.establishment.id}/moderation/log", f"/rounds/{world.round.id}/moderation",
            "/account/notifications", f"/unsubscribe/{tokens.make(world.citizen)}", "/unsubscribe/forged"]
    for url in urls:
        page = client.get(url)
        assert page.status_code in (200, 400), url
        assert well_formed(page.text), url
    queue = client.get(urls[0]).text
    for textarea in re.findall(r'<textarea id="([^"]+)"', queue):
        assert f'<label for="{textarea}">' in queue
    client.logout()
    client.login(world.representative)
    form = client.get(f"/report/comment/{comment.id}")
    assert form.status_code == 200 and well_formed(form.text)
    assert '<label for="note">' in form.text and "<legend>" in form.text
