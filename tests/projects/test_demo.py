"""The demo data holds a complete six-step PALV project that visitors can read, loaded once however many
times it runs."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.core.db import db
from consult.projects import demo
from consult.projects.models import ClinicalProject, Programme, StepState, VersionItem
from consult.seed import Report, Seeder


def _load() -> Report:
    report = Seeder().run()
    demo.load(report)
    db.session.commit()
    return report


def test_the_demo_project_is_complete_and_loaded_once(client):
    first = _load()
    assert first.created["clinical projects"] == 1 and first.created["programmes"] == 8
    second = _load()
    assert second.created["clinical projects"] == 0 and second.existing["clinical projects"] == 1
    assert db.session.scalar(select(func.count(ClinicalProject.id))) == 1
    assert db.session.scalar(select(func.count(Programme.id))) == 8
    project = db.session.scalar(select(ClinicalProject))
    states = [s.state for s in project.steps]
    assert states[0] is StepState.adopted and all(s is StepState.in_consultation for s in states[1:])
    assert all(s.latest_version_id for s in project.steps)
    assert db.session.scalar(select(func.count(VersionItem.id))) > 40

    client.get("/lang/en")
    step1 = client.get(f"/projects/{project.id}/steps/1/versions/2?kind=indicator")
    assert step1.status_code == 200 and step1.text.count('<svg role="img"') == 3
    assert "What changed since version 1" in step1.text
    diff = client.get(f"/projects/{project.id}/steps/1/compare")
    assert "0 added, 0 removed, 1 changed." in diff.text
    for path in ("traceability", "coverage", "grid", "roles", "search?q=aînés"):
        page = client.get(f"/projects/{project.id}/{path}")
        assert page.status_code == 200, path
    trace = client.get(f"/projects/{project.id}/traceability").text
    assert "Rejoindre les aînés isolés" in trace and "Carrefour des aînés du Centre-Sud (Carries out)" in trace
    six = client.get(f"/projects/{project.id}/steps/6/versions/1").text
    assert "accepted by the other side" in six


def test_every_page_of_the_demo_project_opens_for_the_people_who_use_it(app, client):
    from consult.projects.kinds import KINDS
    from consult.projects.models import OfferProvider, Service
    from consult.seed import DEMO_PASSWORD

    _load()
    project = db.session.scalar(select(ClinicalProject))
    planner = app.test_client()
    planner.post("/login", data={"email": "planif@demo.consult.ca", "password": DEMO_PASSWORD})
    pages = [f"/projects/{project.id}", f"/projects/{project.id}/edit",
             f"/projects/{project.id}/indicators/import", "/projects", "/projects/new"]
    for number in range(1, 7):
        pages += [f"/projects/{project.id}/steps/{number}", f"/projects/{project.id}/steps/{number}/versions"]
    for kind, spec in KINDS.items():
        pages += [f"/projects/{project.id}/work/{kind}", f"/projects/{project.id}/work/{kind}/new"]
        first = db.session.scalar(select(spec.model.id).where(spec.model.project_id == project.id).limit(1))
        pages.append(f"/projects/{project.id}/work/{kind}/{first}")
    pages += [f"/projects/{project.id}/work/model?step=5", f"/projects/{project.id}/work/indicator?view=charts"]
    for link in db.session.scalars(select(OfferProvider).where(OfferProvider.organization_id.is_not(None))):
        pages.append(f"/projects/{project.id}/agreements/{link.id}")
    for path in pages:
        response = planner.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert response.text.count("<h1") == 1, path

    representative = app.test_client()
    representative.post("/login", data={"email": "representant@demo.consult.ca", "password": DEMO_PASSWORD})
    mine = representative.get("/projects/my-entries")
    assert "Visites d&#39;amitié et appels de bienveillance" in mine.text
    entry = db.session.scalar(select(Service).where(Service.organization_id.is_not(None)).order_by(Service.id)
                              .limit(1))
    for path in (f"/projects/{entry.project_id}/services/{entry.id}/history",):
        assert representative.get(path).status_code == 200
