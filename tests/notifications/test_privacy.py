"""Law 25: a person's notification data is in their download and gone when they delete their account."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import func, select

from consult.accounts import privacy
from consult.core.db import db
from consult.notifications import services
from consult.notifications.models import Delivery, Follow, NotificationSetting, PendingNotice


def setup_data(world) -> None:
    services.follow(world.citizen, world.project.id)
    services.set_delivery(world.citizen, Delivery.daily)
    services.notify(world.citizen, "notifications/content_hidden", kind="comment", reason="Motif.",
                    excerpt="Mon texte.", round_title="Consultation", url=None)
    db.session.commit()


def test_the_download_holds_settings_follows_and_waiting_notices(world):
    setup_data(world)
    archive = zipfile.ZipFile(io.BytesIO(privacy.export_zip(world.citizen)))
    data = json.loads(archive.read("notifications.json"))
    assert data["delivery"] == "daily"
    assert [f["title"] for f in data["followed_projects"]] == ["Projet clinique PALV"]
    assert data["notices_for_digest"][0]["context"]["reason"] == "Motif."


def test_deleting_the_account_erases_it(world):
    setup_data(world)
    privacy.delete_account(world.citizen)
    db.session.commit()
    for model in (Follow, NotificationSetting, PendingNotice):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0
