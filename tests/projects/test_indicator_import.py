"""CSV import of indicators: what Québec users export is accepted; anything wrong is reported row by row
and nothing at all is imported."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from consult.core.db import db
from consult.projects import csv_import
from consult.projects.models import Indicator, SearchEntry


def _post(client, project, content: bytes, name: str = "indicateurs.csv"):
    return client.post(f"/projects/{project.id}/indicators/import",
                       data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def _count() -> int:
    return db.session.scalar(select(func.count(Indicator.id)))


@pytest.fixture
def signed_in(client, planner):
    client.login(planner)
    return client


def test_excel_french_export_with_bom_semicolons_and_decimal_commas(signed_in, project):
    content = ("\ufeffNom;Unité;Valeur;Année;Territoire;Source\r\n"
               "Aînés vivant seuls;%;31,5;2021;06111-01;Recensement 2021\r\n"
               "Aînés vivant seuls;%;12,25;2021;06111-02;Recensement 2021\r\n"
               "Revenu médian;$;\u00a038 400,00;2021;06111;ISQ\r\n").encode("utf-8")
    response = _post(signed_in, project, content)
    assert response.status_code == 302, response.text
    values = dict(db.session.execute(select(Indicator.name, func.sum(Indicator.value))
                                     .group_by(Indicator.name)).all())
    assert values == {"Aînés vivant seuls": pytest.approx(43.75), "Revenu médian": pytest.approx(38400)}
    listing = signed_in.get(response.headers["Location"], follow_redirects=True)
    assert "3 rows imported: 3 new indicators, 0 updated." in listing.text


def test_comma_separated_english_headers(signed_in, project):
    content = b"name,unit,value,year,territory\nSeniors living alone,%,31.5,2021,06111-01\n"
    assert _post(signed_in, project, content).status_code == 302
    assert _count() == 1


def test_one_bad_row_imports_nothing_and_every_error_is_listed(signed_in, project):
    content = ("nom;unité;valeur;année;territoire\n"
               "Aînés vivant seuls;%;31,5;2021;06111-01\n"
               "Aînés vivant seuls;%;beaucoup;2021;06111-02\n"
               "Aînés vivant seuls;%;10;deux mille;99999\n"
               ";%;10;2021;06111\n").encode()
    response = _post(signed_in, project, content)
    assert response.status_code == 422
    assert _count() == 0
    text = response.text
    assert "Nothing was imported" in text
    assert "4 errors in 4 rows." in text
    assert "<th scope=\"row\">3</th><td>value</td><td>“beaucoup” is not a number.</td>" in text
    assert "“deux mille” is not a year." in text
    assert "Unknown territory code “99999”." in text
    assert "<th scope=\"row\">5</th><td>name</td><td>This cell is empty.</td>" in text


def test_missing_columns_are_refused_by_name(signed_in, project):
    response = _post(signed_in, project, b"nom;valeur\nx;1\n")
    assert response.status_code == 422
    assert "Columns missing from the first line: unit, year, territory." in response.text
    assert _count() == 0


def test_duplicate_rows_in_one_file_are_errors(signed_in, project):
    content = b"name;unit;value;year;territory\nA;%;1;2021;06111\nA;%;2;2021;06111\n"
    response = _post(signed_in, project, content)
    assert response.status_code == 422
    assert "Same indicator, unit, year and territory as row 2." in response.text


def test_too_many_rows_is_a_clear_refusal(signed_in, project):
    lines = ["name;unit;value;year;territory"] + [f"I{n};%;1;2021;06111" for n in range(50_001)]
    response = _post(signed_in, project, "\n".join(lines).encode())
    assert response.status_code == 422
    assert "The file has more than 50 000 rows." in response.text
    assert _count() == 0


def test_a_file_over_20_mb_is_a_clear_refusal(signed_in, project):
    big = b"name;unit;value;year;territory\n" + b"x" * (20 * 1024 * 1024 + 10)
    response = _post(signed_in, project, big)
    assert response.status_code == 422
    assert "The file is larger than 20 MB." in response.text


def test_binary_or_empty_files_are_refused_politely(signed_in, project):
    assert "This does not look like a CSV file." in _post(signed_in, project, b"\x00\x01PK\x03").text
    assert "The file is empty." in _post(signed_in, project, b"   ").text
    assert "The file has a header line but no data." in _post(
        signed_in, project, b"name;unit;value;year;territory\n").text
    assert "Choose a CSV file." in signed_in.post(f"/projects/{project.id}/indicators/import", data={}).text


def test_windows_1252_files_are_read(signed_in, project):
    content = "nom;unité;valeur;année;territoire\nAînés;%;5,5;2021;06111\n".encode("cp1252")
    assert _post(signed_in, project, content).status_code == 302
    assert db.session.scalar(select(Indicator.name)) == "Aînés"


def test_importing_again_updates_values_and_keeps_uids(signed_in, project):
    _post(signed_in, project, b"name;unit;value;year;territory\nA;%;1;2021;06111\n")
    uid = db.session.scalar(select(Indicator.uid))
    response = _post(signed_in, project, b"name;unit;value;year;territory\nA;%;2,5;2021;06111\nB;%;3;2021;06111\n")
    assert response.status_code == 302
    indicator = db.session.scalar(select(Indicator).where(Indicator.uid == uid))
    assert indicator.value == 2.5 and indicator.lock_version == 2
    assert _count() == 2
    assert db.session.scalar(select(func.count(SearchEntry.id)).where(SearchEntry.kind == "indicator")) == 2


def test_a_large_valid_file_is_imported_at_once(project):
    lines = ["name;unit;value;year;territory"] + [f"Indicateur {n % 40};%;{n},5;{2000 + n // 40};06111"
                                                    for n in range(4_000)]
    report, rows = csv_import.check(project, "\n".join(lines).encode())
    assert report.ok and len(rows) == 4_000
    done = csv_import.apply(project, rows)
    db.session.commit()
    assert done.created == 4_000 and _count() == 4_000


@pytest.mark.parametrize(("raw", "expected"), [
    ("31,5", 31.5), ("1 234,5", 1234.5), ("1\u00a0234,5", 1234.5), ("1,234.5", 1234.5), ("1.234,5", 1234.5),
    ("-2,5", -2.5), ("abc", None), ("", None), ("nan", None), ("inf", None)])
def test_numbers_as_people_write_them(raw, expected):
    assert csv_import.parse_number(raw) == expected


def test_only_planners_of_the_establishment_import(client, project, representative):
    client.login(representative)
    response = _post(client, project, b"name;unit;value;year;territory\nA;%;1;2021;06111\n")
    assert response.status_code == 403
    assert _count() == 0
