"""A round's open data: a ZIP of CSV files (UTF-8 with BOM) with a bilingual dictionary, from the API and from
a link of the site, leaving out hidden, withdrawn, confidential and personal data."""

from __future__ import annotations

import csv
import io
import zipfile

from consult.core.db import db
from consult.participation.models import BriefState, BriefVisibility, Disposition, InputKind, Outcome, Support
from consult.rounds.models import RoundState
from tests.api.factories import API, brief, comment, proposed


def unzip(response) -> dict[str, bytes]:
    assert response.status_code == 200, response.text
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return {name: archive.read(name) for name in archive.namelist()}


def data_of(files: dict[str, bytes]) -> str:
    """The data files together (the README and the dictionary describe what is left out, in words)."""
    return "".join(raw.decode("utf-8-sig") for name, raw in files.items()
                   if name not in ("LISEZMOI-README.txt", "dictionnaire-dictionary.csv"))


def rows(files: dict[str, bytes], name: str) -> list[dict[str, str]]:
    raw = files[name]
    assert raw.startswith(b"\xef\xbb\xbf"), f"{name} has no BOM"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_an_open_round_gives_its_items_comments_and_proposed_needs(client, consultation, make_user):
    named = make_user("louise@exemple.ca", name="Louise Tremblay")
    comment(consultation, named, "Je vis seule.")
    comment(consultation, named, "Texte masqué par la modération.", hidden="Propos injurieux")
    comment(consultation, named, "=HYPERLINK(\"http://evil\")")
    proposed(consultation, named, "Répit le soir")
    proposed(consultation, named, "Besoin masqué", hidden="Hors sujet")
    brief(consultation, "Mémoire avant fermeture")  # briefs stay with the establishment until closing
    db.session.add(Support(round_id=consultation.round.id, version_id=consultation.needs_version.id,
                           item_uid=consultation.need_uid, item_kind="need", user_id=named.id))
    db.session.commit()

    files = unzip(client.get(f"{API}/rounds/{consultation.round.id}/open-data"))
    assert set(files) == {"LISEZMOI-README.txt", "dictionnaire-dictionary.csv", "round.csv", "items.csv",
                          "comments.csv", "proposed_needs.csv", "briefs.csv", "brief_positions.csv", "answers.csv",
                          "invitations.csv"}
    assert rows(files, "round.csv")[0]["title"] == "Consultation sur le portrait des besoins"
    items = {r["title"]: r for r in rows(files, "items.csv")}
    assert items["Isolement des aînés"]["supports"] == "1" and items["Isolement des aînés"]["comments"] == "2"
    assert items["Pas de visites à domicile le soir"]["kind"] == "gap"
    bodies = [r["body"] for r in rows(files, "comments.csv")]
    assert bodies == ["Je vis seule.", "'=HYPERLINK(\"http://evil\")"]  # a formula is defused
    assert [r["title"] for r in rows(files, "proposed_needs.csv")] == ["Répit le soir"]
    assert rows(files, "briefs.csv") == [] and rows(files, "answers.csv") == []
    everything = data_of(files)
    for personal in ("Louise", "Tremblay", "@exemple.ca", "masqué", "Besoin masqué", "Mémoire avant"):
        assert personal not in everything, personal
    assert "author" not in files["comments.csv"].decode("utf-8-sig").splitlines()[0]


def test_a_closed_round_adds_public_briefs_and_answers_only(client, make_consultation):
    c = make_consultation(round_state=RoundState.closed)
    public = brief(c, "Mémoire public", attachment=True)
    brief(c, "Mémoire confidentiel", visibility=BriefVisibility.confidential)
    brief(c, "Mémoire retiré", state=BriefState.withdrawn)
    brief(c, "Mémoire brouillon", state=BriefState.draft)
    brief(c, "Mémoire masqué", organization=c.other_organization, hidden="Diffamation")
    db.session.add(Disposition(round_id=c.round.id, input_kind=InputKind.brief, input_id=public.id,
                               outcome=Outcome.partly_retained, reason="En partie intégré."))
    db.session.commit()
    files = unzip(client.get(f"/rounds/{c.round.id}/open-data.zip"))  # the site's link
    briefs = rows(files, "briefs.csv")
    assert [b["title"] for b in briefs] == ["Mémoire public"]
    assert briefs[0]["organization"] == "Carrefour des aînés" and briefs[0]["attachments"] == "Mémoire public.pdf"
    assert [p["stance"] for p in rows(files, "brief_positions.csv")] == ["amend"]
    assert [(a["input_kind"], a["outcome"]) for a in rows(files, "answers.csv")] == [("brief", "partly_retained")]
    everything = data_of(files)
    for excluded in ("Mémoire confidentiel", "Mémoire retiré", "Mémoire brouillon", "Mémoire masqué", "Diffamation"):
        assert excluded not in everything, excluded


def test_the_dictionary_describes_every_column_in_both_languages(client, consultation):
    files = unzip(client.get(f"{API}/rounds/{consultation.round.id}/open-data"))
    dictionary = rows(files, "dictionnaire-dictionary.csv")
    described = {(d["file"], d["column"]) for d in dictionary if d["column"]}
    for name, raw in files.items():
        if name.endswith(".csv") and name != "dictionnaire-dictionary.csv":
            header = raw.decode("utf-8-sig").splitlines()[0].split(",")
            assert {(name, column) for column in header} <= described, name
    assert all(d["description_fr"] and d["description_en"] for d in dictionary)
    readme = files["LISEZMOI-README.txt"].decode("utf-8")
    assert "FRANÇAIS" in readme and "ENGLISH" in readme and "personal information" in readme


def test_the_zip_has_an_etag_and_the_same_bytes_twice(client, consultation):
    first = client.get(f"{API}/rounds/{consultation.round.id}/open-data")
    second = client.get(f"{API}/rounds/{consultation.round.id}/open-data")
    assert first.data == second.data
    assert client.get(f"{API}/rounds/{consultation.round.id}/open-data",
                      headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert "attachment" in first.headers["Content-Disposition"]


def test_a_draft_round_has_no_open_data(client, make_consultation):
    c = make_consultation(round_state=RoundState.draft)
    assert client.get(f"/rounds/{c.round.id}/open-data.zip").status_code == 404
    client.login(c.planner)
    assert client.get(f"/rounds/{c.round.id}/open-data.zip").status_code == 404
