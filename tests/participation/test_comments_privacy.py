"""Law 25: "download my data" holds a person's comments (with earlier texts), supports, proposed needs and
profile; deleting the account removes the profile and the supports, and what they wrote stays, shown as
written by a former participant."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select

from consult.core.db import db
from consult.participation.models import Comment, ParticipantProfile, ProposedNeed, Support
from tests.fixtures.app import PASSWORD


def _take_part(client, c) -> None:
    item = f"/rounds/{c.round.id}/items/{c.needs_version.id}/{c.need_uid}"
    client.post(item + "/comments", data={"body": "Mon premier texte."})
    made = db.session.scalar(select(Comment))
    client.post(f"/comments/{made.id}/edit", data={"body": "Mon texte corrigé."})
    client.post(item + "/support")
    client.post(f"/rounds/{c.round.id}/proposed-needs/new", data={
        "title": "Transport vers les soins", "description": "Pas d'autobus le dimanche.", "area_id": str(c.area.id)})
    client.post("/account/participation-profile", data={"consent": "y", "age_band": "75_plus",
                                                        "area_id": str(c.area.id)})


def test_download_my_data_holds_my_participation(client, consultation):
    c = consultation
    client.login(c.citizen)
    _take_part(client, c)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/data").data))
    comments = json.loads(archive.read("comments.json"))
    assert comments[0]["text"] == "Mon texte corrigé."
    assert comments[0]["earlier_texts"][0]["text"] == "Mon premier texte."
    assert comments[0]["item"] == c.need_uid
    supports = json.loads(archive.read("supports.json"))
    assert [s["item"] for s in supports] == [c.need_uid]
    proposed = json.loads(archive.read("proposed_needs.json"))
    assert proposed[0]["title"] == "Transport vers les soins" and proposed[0]["local_area"] == "Centre-Sud"
    profile = json.loads(archive.read("participant_profile.json"))
    assert profile["age_band"] == "75_plus" and profile["local_area"] == "Centre-Sud"


def test_someone_elses_participation_is_not_in_my_data(client, consultation):
    c = consultation
    client.login(c.citizen)
    _take_part(client, c)
    client.logout()
    client.login(c.member)
    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/data").data))
    for name in ("comments.json", "supports.json", "proposed_needs.json"):
        assert json.loads(archive.read(name)) == []
    assert json.loads(archive.read("participant_profile.json")) is None


def test_deleting_my_account_erases_profile_and_supports_and_keeps_what_i_wrote(client, consultation):
    c = consultation
    client.login(c.citizen)
    _take_part(client, c)
    deleted = client.post("/account/delete", data={"current_password": PASSWORD, "confirm": "y"})
    assert deleted.status_code == 302
    assert db.session.scalar(select(func.count(ParticipantProfile.user_id))) == 0
    assert db.session.scalar(select(func.count(Support.id))) == 0
    kept = db.session.scalar(select(Comment))
    assert kept.body == "Mon texte corrigé." and kept.author_id == c.citizen.id
    assert db.session.scalar(select(func.count(ProposedNeed.id))) == 1

    client.get("/lang/en")
    page = client.get(f"/rounds/{c.round.id}/items/{c.needs_version.id}/{c.need_uid}")
    assert "Mon texte corrigé." in page.text and "Former participant" in page.text
    assert "0 people support this item." in page.text
    listing = client.get(f"/rounds/{c.round.id}/proposed-needs")
    assert "Transport vers les soins" in listing.text and "Former participant" in listing.text
