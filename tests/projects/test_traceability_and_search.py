"""Traceability from each need to the actors responsible, the coverage report and its CSV export, and a
French-aware search (accents and plurals) on SQLite and PostgreSQL alike."""

from __future__ import annotations

import csv
import io

from consult.core.db import db
from consult.projects import services
from consult.projects.models import Decision, ModelKind, RoleLevel
from tests.projects.conftest import add_indicator, add_need, publish
from tests.projects.test_gaps_models_offer import add_gap


def _chain(project, world):
    """A need followed all the way to its actors, and loose ends at each level."""
    need = add_need(project, "Isolement des aînés")
    add_need(project, "Transport adapté")  # no gap
    gap = add_gap(project, need, "Peu de visites à domicile")
    add_gap(project, need, "Liste d'attente")  # no model
    model = services.save_item(project, "model", None, {
        "kind": ModelKind.keep, "name": "Visites d'amitié", "description": "", "partners": [world.organization],
        "origin": "Organisme communautaire", "gaps": [gap], "evidence": "", "decision": Decision.chosen,
        "decision_reason": ""})
    offer = services.save_item(project, "offer", None, {
        "name": "Réseau de visites", "description": "", "gaps": [], "models": [model],
        "providers": [world.organization]})
    services.save_item(project, "offer", None, {"name": "Offre orpheline", "description": "", "gaps": [gap],
                                                "models": [], "providers": []})
    services.save_item(project, "responsibility", None, {
        "description": "Coordonner les visites", "offer_element": offer,
        "assignments": {RoleLevel.decides: [None], RoleLevel.carries_out: [world.organization]}})
    db.session.commit()
    return need


def test_traceability_follows_each_need_to_its_actors(client, planner, project, world):
    _chain(project, world)
    client.login(planner)
    client.get("/lang/en")
    page = client.get(f"/projects/{project.id}/traceability")
    assert page.status_code == 200
    row = page.text[page.text.index('<th scope="row">Isolement des aînés'):].split("</tr>")[0]
    for text in ("Peu de visites à domicile", "Visites d&#39;amitié", "Réseau de visites", "Offre orpheline",
                 "CSSS du Centre-Est (Decides)", "Carrefour des aînés (Carries out)"):
        assert text in row
    lonely = page.text[page.text.index('<th scope="row">Transport adapté'):].split("</tr>")[0]
    assert "No gap analysis" in lonely
    export = client.get(f"/projects/{project.id}/traceability.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][1] == "Need" and len(rows) == 3
    assert rows[1][1] == "Isolement des aînés" and "Réseau de visites" in rows[1][5]


def test_coverage_lists_the_loose_ends(client, planner, project, world):
    _chain(project, world)
    client.login(planner)
    client.get("/lang/en")
    page = client.get(f"/projects/{project.id}/coverage")
    assert "Needs with no gap analysis (1)" in page.text and "Transport adapté" in page.text
    assert "Gaps with no care model (1)" in page.text and "Liste d&#39;attente" in page.text
    assert "Offer elements with no responsible actor (1)" in page.text and "Offre orpheline" in page.text
    export = client.get(f"/projects/{project.id}/coverage.csv").text
    assert "Need with no gap analysis;" in export and "Offre orpheline" in export


def test_visitors_see_traceability_of_the_published_versions_only(client, project, world):
    _chain(project, world)
    publish(project, 1)
    publish(project, 3)
    add_need(project, "Besoin pas encore publié")
    client.get("/lang/en")
    page = client.get(f"/projects/{project.id}/traceability")
    assert page.status_code == 200
    assert "Isolement des aînés" in page.text and "Besoin pas encore publié" not in page.text
    assert "Réseau de visites" not in page.text  # step 6 is not published yet
    assert "Computed from the latest published version of each step." in page.text


def test_search_ignores_accents_and_plurals(client, planner, project, world):
    add_need(project, "Hebergements temporaires", description="Places de répit")
    add_need(project, "Transport")
    add_indicator(project, world.areas[0], 4.0, name="Taux d'hébergement en CHSLD")
    client.login(planner)
    client.get("/lang/en")
    page = client.get(f"/projects/{project.id}/search?q=hébergement")
    assert page.status_code == 200
    assert "Hebergements temporaires" in page.text and "Taux d&#39;hébergement en CHSLD" in page.text
    assert "2 results" in page.text
    assert "1 result" in client.get(f"/projects/{project.id}/search?q=REPIT").text
    assert "Nothing matches this search." in client.get(f"/projects/{project.id}/search?q=piscine").text
    assert client.get(f"/projects/{project.id}/search?q=%22%27%2A%28").status_code == 200


def test_visitors_search_the_published_text(client, project, world):
    need = add_need(project, "Logements abordables")
    publish(project, 1)
    services.save_item(project, "need", need, {"title": "Transport collectif"}, need.lock_version)
    db.session.commit()
    client.get("/lang/en")
    found = client.get(f"/projects/{project.id}/search?q=logement")
    assert "1 result" in found.text and "/projects/versions/" in found.text
    assert "Nothing matches this search." in client.get(f"/projects/{project.id}/search?q=collectif").text


def test_search_results_lead_planners_to_the_working_item(client, planner, project):
    need = add_need(project, "Hébergement")
    client.login(planner)
    found = client.get(f"/projects/{project.id}/search?q=hebergements")
    link = f"/projects/{project.id}/work/items/{need.uid}"
    assert link in found.text
    assert client.get(link).headers["Location"].endswith(f"/projects/{project.id}/work/need/{need.id}")


def test_a_migrated_sqlite_database_gets_its_search_index_back(client, planner, project):
    from sqlalchemy import text

    from consult.projects.search import FTS_TABLE, install_sqlite_index

    if db.engine.dialect.name != "sqlite":
        return  # PostgreSQL needs no extra table
    add_need(project, "Hébergement temporaire")
    client.login(planner)
    project_id = project.id
    db.session.close()
    with db.engine.begin() as conn:
        for suffix in ("ai", "ad", "au"):
            conn.execute(text(f"DROP TRIGGER {FTS_TABLE}_{suffix}"))
        conn.execute(text(f"DROP TABLE {FTS_TABLE}"))
        install_sqlite_index(lambda sql: conn.exec_driver_sql(sql))
    client.get("/lang/en")
    assert "1 result" in client.get(f"/projects/{project_id}/search?q=hebergements").text
    add_need(db.session.get(type(project), project_id), "Hébergements de répit")
    assert "2 results" in client.get(f"/projects/{project_id}/search?q=hebergement").text
