"""The issue's "done when": a planner builds a six-step PALV project through the pages, publishes the
steps, and a visitor reads them in French and English, with charts, tables, traceability and coverage."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from consult.core.db import db
from consult.projects.models import CareModel, ClinicalProject, Gap, Need, OfferElement, Service


def _id(model, **where) -> int:
    return db.session.scalar(select(model.id).filter_by(**where))


def test_a_planner_builds_the_six_steps_and_a_visitor_reads_them(app, client, planner, world):
    client.login(planner)
    created = client.post("/projects/new", data={
        "establishment_id": world.establishment.id, "programme_id": world.programme.id,
        "title": "Projet clinique PALV", "territory_ids": [world.rls.id]})
    project_id = int(re.search(r"/projects/(\d+)", created.headers["Location"]).group(1))
    base = f"/projects/{project_id}"

    def post(path, data, expect=302):
        response = client.post(base + path, data=data)
        assert response.status_code == expect, (path, response.text[:2000])
        return response

    def publish(number):
        step = db.session.scalar(select(ClinicalProject).where(ClinicalProject.id == project_id)).step(number)
        db.session.refresh(step)
        post(f"/steps/{number}/transition", {"action": "publish", "lock_version": step.lock_version})

    # Step 1
    post("/work/need/new", {"title": "Isolement des aînés", "determinant": "isolation", "priority": "high",
                            "area_ids": [world.areas[0].id], "population_groups": "aînés seuls"})
    csv = "nom;unité;valeur;année;territoire\nAînés vivant seuls;%;46,2;2021;06111-01\n" \
          "Aînés vivant seuls;%;38,5;2021;06111-02\n"
    client.post(f"{base}/indicators/import", data={"file": (io.BytesIO(csv.encode()), "i.csv")},
                content_type="multipart/form-data")
    publish(1)
    need = _id(Need, title="Isolement des aînés")
    # Step 2
    post("/work/service/new", {"name": "Visites d'amitié", "provider_id": world.organization.id,
                               "provider_kind": "community", "need_ids": [need]})
    publish(2)
    # Step 3
    post("/work/gap/new", {"title": "Aînés isolés non rejoints", "need_id": need, "dimension": "access",
                           "severity": "high", "service_ids": [_id(Service, name="Visites d'amitié")]})
    publish(3)
    gap = _id(Gap, title="Aînés isolés non rejoints")
    # Steps 4 and 5
    post("/work/model/new", {"kind": "keep", "name": "Réseau de visites", "gap_ids": [gap], "decision": "chosen",
                             "partner_ids": [world.organization.id], "origin": "Un organisme communautaire"})
    post("/work/model/new", {"kind": "add", "name": "Centre de jour", "gap_ids": [gap], "decision": "proposed"})
    publish(4)
    publish(5)
    # Step 6
    post("/work/offer/new", {"name": "Rejoindre les aînés isolés", "gap_ids": [gap],
                             "model_ids": [_id(CareModel, name="Réseau de visites")],
                             "provider_ids": [0, world.organization.id]})
    post("/work/responsibility/new", {"description": "Jumeler les bénévoles",
                                      "offer_element_id": _id(OfferElement, name="Rejoindre les aînés isolés"),
                                      "decides": [world.organization.id], "informed": [0]})
    publish(6)
    client.logout()

    visitor = app.test_client()
    french = visitor.get(base, headers={"Accept-Language": "fr-CA"})
    assert french.status_code == 200 and french.text.count("Lire la version 1") + french.text.count(
        "Read version 1") == 6
    portrait = visitor.get(f"{base}/steps/1/versions/1?kind=indicator", headers={"Accept-Language": "fr-CA"})
    assert '<svg role="img"' in portrait.text and "46,2" in portrait.text
    visitor.get("/lang/en")
    english = visitor.get(f"{base}/steps/1/versions/1?kind=indicator")
    assert "46.2" in english.text and "<caption>" in english.text
    assert "Isolement des aînés" in visitor.get(f"{base}/steps/1/versions/1").text
    trace = visitor.get(f"{base}/traceability").text
    row = trace[trace.index('<th scope="row">Isolement des aînés'):].split("</tr>")[0]
    for text in ("Aînés isolés non rejoints", "Réseau de visites", "Centre de jour", "Rejoindre les aînés isolés",
                 "Carrefour des aînés (Decides)", "CSSS du Centre-Est (Is informed)"):
        assert text in row
    coverage = visitor.get(f"{base}/coverage").text
    assert "Every need has a gap analysis, every gap a care model, every offer element a responsible actor." \
        in coverage
    inventory = visitor.get(f"{base}/steps/2/versions/1").text
    assert "Proposed by the establishment, awaiting the organization&#39;s confirmation" in inventory
