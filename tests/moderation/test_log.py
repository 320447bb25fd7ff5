"""The moderation log: every decision, for the establishment's moderators, planners and admins; and the
public count of hidden content in a round."""

from __future__ import annotations

from consult.rounds.models import RoundState
from tests.moderation.conftest import add_proposed_need


def log_url(world) -> str:
    return f"/establishments/{world.establishment.id}/moderation/log"


def test_the_log_lists_every_decision(client, world, comment):
    need = add_proposed_need(world, world.citizen)
    client.login(world.moderator)
    client.post(f"/moderation/comment/{comment.id}", data={"decision": "hide", "public_reason": "Injure.",
                                                         "note": "Vu avec l'équipe."})
    client.post(f"/moderation/comment/{comment.id}", data={"decision": "restore"})
    client.post(f"/moderation/proposed_need/{need.id}", data={"decision": "hide", "public_reason": "Doublon."})
    page = client.get(log_url(world))
    assert page.status_code == 200
    assert "3 decisions" in page.text
    assert page.text.count("Hidden</td>") == 2 and "Restored" in page.text
    assert "Injure." in page.text and "Doublon." in page.text
    assert "Vu avec l&#39;équipe." in page.text  # the moderators' note, for moderators


def test_planners_read_the_log_without_moderators_notes_and_others_are_refused(client, world, comment, make_user):
    client.login(world.moderator)
    client.post(f"/moderation/comment/{comment.id}", data={"decision": "hide", "public_reason": "Injure.",
                                                         "note": "Note interne."})
    client.logout()
    client.login(world.planner)
    page = client.get(log_url(world))
    assert page.status_code == 200 and "Injure." in page.text and "Note interne." not in page.text
    assert 'value="restore"' not in page.text
    other_moderator = make_user("autre-mod@exemple.ca", moderator=world.other_establishment)
    for person in (world.citizen, other_moderator):
        client.logout()
        client.login(person)
        assert client.get(log_url(world)).status_code == 403


def test_the_public_sees_how_much_was_hidden_in_a_round(client, world, comment):
    client.login(world.moderator)
    client.post(f"/moderation/comment/{comment.id}", data={"decision": "hide", "public_reason": "Injure."})
    client.logout()
    client.get("/lang/en")
    page = client.get(f"/rounds/{world.round.id}/moderation")
    assert page.status_code == 200
    assert '<th scope="row">Comment</th><td class="num">1</td>' in page.text
    assert '<th scope="row">Proposed need</th><td class="num">0</td>' in page.text
    world.round.state = RoundState.draft
    from consult.core.db import db

    db.session.commit()
    assert client.get(f"/rounds/{world.round.id}/moderation").status_code == 404
