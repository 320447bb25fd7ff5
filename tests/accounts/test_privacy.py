from __future__ import annotations

import io
import json
import zipfile

from consult.accounts.models import User
from consult.core.db import db
from consult.mail.models import Email
from tests.fixtures.app import PASSWORD


def test_privacy_notice_is_public(client):
    page = client.get("/privacy")
    assert page.status_code == 200
    assert "renseignements personnels" in page.text


def test_download_my_data_is_a_zip_of_json(client, make_user):
    user = make_user("donnees@exemple.ca", name="Lucie")
    client.login(user)
    response = client.get("/account/data")
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    account = json.loads(archive.read("account.json"))
    assert account["email"] == "donnees@exemple.ca"
    assert account["display_name"] == "Lucie"
    assert "emails.json" in archive.namelist()


def test_delete_my_account_erases_personal_information(client, make_user, outbox):
    user = make_user("efface@exemple.ca", name="Paul")
    client.post("/password/forgot", data={"email": "efface@exemple.ca"})  # leaves a message behind
    client.login(user)
    refused = client.post("/account/delete", data={"current_password": "mauvais", "confirm": "y"})
    assert refused.status_code == 422
    done = client.post("/account/delete", data={"current_password": PASSWORD, "confirm": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    gone = db.session.get(User, user.id)
    assert gone.is_deleted
    assert "efface" not in gone.email and gone.display_name is None
    assert gone.public_name in {"Ancien participant", "Ancienne participante", "Former participant",
                                "Ancien·ne participant·e"}
    assert db.session.scalar(db.select(db.func.count(Email.id)).where(Email.user_id == user.id)) == 0
    assert client.get("/account").status_code == 302
    # The address is free again.
    page = client.post("/register", data={"email": "efface@exemple.ca", "password": PASSWORD,
                                          "language": "fr", "accept_privacy": "y"})
    assert page.status_code == 200
    assert db.session.scalar(db.select(db.func.count(User.id)).where(User.email == "efface@exemple.ca")) == 1
