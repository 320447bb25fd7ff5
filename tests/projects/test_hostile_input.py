"""Every naughty string (tests/hostile.py) in the text of needs, in search and in CSV cells: saved or
refused with a message, never a 500, always shown escaped, also once frozen in a published version."""

from __future__ import annotations

import io

from consult.core.db import db
from consult.projects import csv_import, services
from tests.hostile import naughty_strings


def _shown_safely(text: str, value: str) -> bool:
    return "<script" not in value.lower() or value not in text


def test_naughty_needs_and_searches(client, planner, project):
    client.login(planner)
    failures = []
    for value in naughty_strings():
        saved = client.post(f"/projects/{project.id}/work/need/new", data={
            "title": value, "description": value, "population_groups": value, "sources": value,
            "determinant": "other", "priority": "low"})
        found = client.get(f"/projects/{project.id}/search", query_string={"q": value})
        for what, response in (("saved", saved), ("found", found)):
            if response.status_code not in (200, 302, 422) or not _shown_safely(response.text, value):
                failures.append((value, what, response.status_code))
    assert not failures, failures[:5]
    services.transition(project.step(1), "publish", None)
    db.session.commit()
    client.logout()
    page, number = None, 1
    while True:
        page = client.get(f"/projects/{project.id}/steps/1/versions/1?page={number}")
        if page.status_code == 404:
            break
        assert page.status_code == 200 and "<script>alert" not in page.text
        number += 1
    assert number > 2


def test_naughty_csv_cells_are_reported_not_crashed(client, planner, project):
    client.login(planner)
    rows = ["nom;unité;valeur;année;territoire"]
    rows += [f"{v.replace(';', ',').replace(chr(10), ' ')};%;{v[:20].replace(';', ',')};2021;06111"
             for v in naughty_strings()[:300] if "\r" not in v and "\n" not in v]
    response = client.post(f"/projects/{project.id}/indicators/import",
                           data={"file": (io.BytesIO("\n".join(rows).encode()), "x.csv")},
                           content_type="multipart/form-data")
    assert response.status_code in (302, 422)
    assert "<script>alert" not in response.text
    report, _rows = csv_import.check(project, "\n".join(rows).encode())
    assert not report.ok
