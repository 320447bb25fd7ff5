"""An establishment's own tags: its planners add and retire them; a retired tag is no longer offered but stays
readable on the inputs that carry it, and so does a key that left the taxonomy."""

from __future__ import annotations

from sqlalchemy import select

from consult.core.db import db
from consult.equity.models import LocalGroup, LocalTag
from consult.participation.models import InputKind
from tests.equity import builders


def test_a_planner_adds_a_local_tag_which_is_then_offered_on_inputs(client, consultation):
    c = consultation
    client.login(c.planner)
    client.get("/lang/en")
    page = client.get(f"/establishments/{c.establishment.id}/equity/tags")
    assert page.status_code == 200 and "Built-in tags" in page.text and "Community of interest" in page.text
    added = client.post(f"/establishments/{c.establishment.id}/equity/tags", data={
        "group": "local", "list_name": "Priorités du CSSS", "label_fr": "Proches aidants", "label_en": "Caregivers",
        "keywords_fr": "proche* aidant*", "keywords_en": "caregiver*"})
    assert added.status_code == 302
    tag = db.session.scalar(select(LocalTag))
    assert tag.code == "proches-aidants" and tag.group is LocalGroup.local and tag.created_by_id == c.planner.id
    choices = client.get(f"/equity/comments/{builders.comment(c, c.citizen).id}/tags").text
    assert f'value="{tag.key}"' in choices and "Caregivers" in choices


def test_a_code_used_before_even_by_a_retired_tag_is_refused(client, consultation):
    c = consultation
    builders.local_tag(c.establishment, "Aidants", retired=True)
    client.login(c.planner)
    client.get("/lang/en")
    again = client.post(f"/establishments/{c.establishment.id}/equity/tags",
                        data={"group": "local", "label_fr": "Aidants"})
    assert again.status_code == 422 and "already used by a tag of this establishment" in again.text
    empty = client.post(f"/establishments/{c.establishment.id}/equity/tags", data={"group": "local"})
    assert empty.status_code == 422 and "Give the tag a French label." in empty.text
    assert db.session.scalar(select(db.func.count()).select_from(LocalTag)) == 1


def test_a_retired_tag_is_no_longer_offered_but_stays_on_old_inputs(client, consultation):
    c = consultation
    tag = builders.local_tag(c.establishment)
    old = builders.comment(c, c.citizen)
    builders.tag(c, InputKind.comment, old.id, tag.key)
    client.login(c.planner)
    client.get("/lang/en")
    retired = client.post(f"/establishments/{c.establishment.id}/equity/tags/retire",
                          data={"tag_id": tag.id, "action": "retire"})
    assert retired.status_code == 302
    db.session.expire_all()
    assert db.session.get(LocalTag, tag.id).retired_at is not None  # retired, not deleted
    page = client.get(f"/equity/comments/{old.id}/tags").text
    assert "Caregivers (retired)" in page
    assert f'value="{tag.key}"' not in page  # no longer offered
    refused = client.post(f"/equity/comments/{builders.comment(c, c.citizen).id}/tags", data={"add-tag": tag.key})
    assert refused.status_code == 422
    listing = client.get(f"/establishments/{c.establishment.id}/equity/tags").text
    assert "Retired on" in listing and "Offer again" in listing
    client.post(f"/establishments/{c.establishment.id}/equity/tags/retire",
                data={"tag_id": tag.id, "action": "reinstate"})
    db.session.expire_all()
    assert db.session.get(LocalTag, tag.id).retired_at is None


def test_a_key_that_left_the_taxonomy_is_still_shown(client, consultation):
    c = consultation
    old = builders.comment(c, c.citizen)
    builders.tag(c, InputKind.comment, old.id, "disability_v0")
    client.login(c.citizen)
    client.get("/lang/en")
    assert "disability_v0 (no longer in the taxonomy)" in client.get(f"/equity/comments/{old.id}/tags").text


def test_only_the_establishments_planners_change_its_taxonomy(client, consultation, make_user):
    c = consultation
    tag = builders.local_tag(c.establishment)
    admin = make_user(admin=True)
    client.login(admin)
    assert client.get(f"/establishments/{c.establishment.id}/equity/tags").status_code == 200
    assert client.post(f"/establishments/{c.establishment.id}/equity/tags",
                       data={"group": "local", "label_fr": "Autre"}).status_code == 403
    client.logout()
    for person in (make_user(planner=c.other_establishment), c.moderator, c.citizen):
        client.login(person)
        assert client.get(f"/establishments/{c.establishment.id}/equity/tags").status_code == 403
        assert client.post(f"/establishments/{c.establishment.id}/equity/tags/retire",
                           data={"tag_id": tag.id, "action": "retire"}).status_code == 403
        client.logout()
    client.login(make_user(planner=c.other_establishment))
    # A planner of another establishment cannot retire this one's tag from their own page either.
    client.post(f"/establishments/{c.other_establishment.id}/equity/tags/retire",
                data={"tag_id": tag.id, "action": "retire"})
    db.session.expire_all()
    assert db.session.get(LocalTag, tag.id).retired_at is None
    assert db.session.scalar(select(db.func.count()).select_from(LocalTag)) == 1
