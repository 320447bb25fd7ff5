"""Planners start projects and move steps through their states; everyone else reads what is published."""

from __future__ import annotations

from sqlalchemy import select

from consult.core.db import db
from consult.projects import services
from consult.projects.models import ClinicalProject, Programme, StepState, StepVersion
from tests.projects.conftest import add_need, publish


def test_a_planner_creates_a_project_with_its_six_draft_steps(client, planner, world):
    client.login(planner)
    page = client.get("/projects/new")
    assert page.status_code == 200
    assert "CSSS du Centre-Est" in page.text and "CSSS d&#39;ailleurs" not in page.text
    assert "Loss of autonomy related to ageing (PALV)" in page.text
    response = client.post("/projects/new", data={
        "establishment_id": world.establishment.id, "programme_id": world.programme.id,
        "title": "Projet PALV 2026", "territory_ids": [world.rls.id, world.clsc.id],
        "start_date": "2026-01-01", "end_date": "2027-12-31"})
    assert response.status_code == 302
    project = db.session.scalar(select(ClinicalProject))
    assert [s.number for s in project.steps] == [1, 2, 3, 4, 5, 6]
    assert all(s.state is StepState.draft for s in project.steps)
    assert {t.code for t in project.territories} == {"0611", "06111"}
    overview = client.get(response.headers["Location"])
    assert "Projet PALV 2026" in overview.text and overview.text.count("Not published yet") == 6


def test_a_planner_cannot_create_a_project_for_another_establishment(client, planner, world):
    client.login(planner)
    response = client.post("/projects/new", data={
        "establishment_id": world.other_establishment.id, "programme_id": world.programme.id, "title": "Non"})
    assert response.status_code == 422
    assert db.session.scalar(select(ClinicalProject)) is None


def test_period_must_end_after_it_starts(client, planner, world):
    client.login(planner)
    response = client.post("/projects/new", data={
        "establishment_id": world.establishment.id, "programme_id": world.programme.id, "title": "Projet",
        "start_date": "2027-01-01", "end_date": "2026-01-01"})
    assert response.status_code == 422
    assert "The end of the period comes before its start." in response.text


def test_an_unpublished_project_is_hidden_from_visitors_and_other_planners(client, project, make_user, world):
    assert client.get(f"/projects/{project.id}").status_code == 302  # visitors are sent to sign in
    stranger = make_user("autre@exemple.ca", planner=world.other_establishment)
    client.login(stranger)
    assert client.get(f"/projects/{project.id}").status_code == 403
    assert "Projet clinique PALV" not in client.get("/projects").text


def test_publishing_makes_the_project_public(client, project):
    add_need(project)
    publish(project, 1)
    client.get("/lang/en")
    listing = client.get("/projects")
    assert "Projet clinique PALV" in listing.text
    page = client.get(f"/projects/{project.id}")
    assert page.status_code == 200 and "Read version 1" in page.text
    assert "Working copy" not in page.text
    assert client.get(f"/projects/{project.id}/steps/1").status_code == 302  # the working copy is not public


def test_the_state_machine_runs_and_refuses_invalid_moves(client, planner, project):
    client.login(planner)
    url = f"/projects/{project.id}/steps/1/transition"

    def move(action):
        step = project.step(1)
        db.session.refresh(step)
        return client.post(url, data={"action": action, "lock_version": step.lock_version},
                           follow_redirects=True)

    refused = move("adopt")
    assert "is not possible while the step is “Draft”" in refused.text
    assert "Possible now: Publish for consultation" in refused.text
    assert "Version 1 of “Needs portrait” is published" in move("publish").text
    assert "The step is now “Consolidating”" in move("close").text
    assert "Version 2 of “Needs portrait” is published" in move("adopt").text
    db.session.refresh(project.step(1))
    assert project.step(1).state is StepState.adopted
    assert "is not possible while the step is “Adopted”" in move("publish").text
    move("reopen")
    db.session.refresh(project.step(1))
    assert project.step(1).state is StepState.draft
    versions = db.session.scalars(select(StepVersion).order_by(StepVersion.number)).all()
    assert [(v.number, v.purpose) for v in versions] == [(1, "consultation"), (2, "adopted")]
    page = client.get(f"/projects/{project.id}/steps/1")
    assert "you are preparing version 3" in page.text


def test_an_adopted_step_refuses_changes_until_reopened(project):
    add_need(project)
    step = project.step(1)
    for action in ("publish", "close", "adopt"):
        services.transition(step, action, None)
    db.session.commit()
    try:
        add_need(project, "Encore un besoin")
    except services.ProjectError as error:
        assert "Rouvrez-la" in error.message  # French, the default language
    else:
        raise AssertionError("an adopted step accepted a new need")


def test_a_stale_state_change_is_refused(client, planner, project):
    client.login(planner)
    step = project.step(1)
    old = step.lock_version
    client.post(f"/projects/{project.id}/steps/1/transition", data={"action": "publish", "lock_version": old})
    again = client.post(f"/projects/{project.id}/steps/1/transition",
                        data={"action": "close", "lock_version": old}, follow_redirects=True)
    assert "Someone else changed the state of this step" in again.text
    db.session.refresh(step)
    assert step.state is StepState.in_consultation


def test_admins_manage_programmes_and_can_restore_the_standard_list(client, make_user):
    admin = make_user("admin@exemple.ca", admin=True, locale="en")
    client.login(admin)
    assert "No programme yet." in client.get("/admin/programmes").text
    client.post("/admin/programmes", data={})
    names = db.session.scalars(select(Programme.name_en).order_by(Programme.position)).all()
    assert names[0] == "Loss of autonomy related to ageing (PALV)" and len(names) == 8
    created = client.post("/admin/programmes/new", data={"code": "general", "name_fr": "Services généraux",
                                                         "name_en": "General services", "position": 90,
                                                         "active": "y"})
    assert created.status_code == 302
    duplicate = client.post("/admin/programmes/new", data={"code": "general", "name_fr": "x", "name_en": "y",
                                                           "position": 1})
    assert duplicate.status_code == 422 and "The code general is already used." in duplicate.text


def test_programme_names_follow_the_readers_language(client, project):
    add_need(project)
    publish(project, 1)
    french = client.get(f"/projects/{project.id}", headers={"Accept-Language": "fr-CA"})
    assert "Perte d&#39;autonomie liée au vieillissement (PALV)" in french.text
    client.get("/lang/en")
    assert "Loss of autonomy related to ageing (PALV)" in client.get(f"/projects/{project.id}").text


def test_a_stale_project_edit_is_refused(client, planner, project, world):
    client.login(planner)
    opened = project.lock_version
    data = {"programme_id": world.programme.id, "title": "Titre A", "status": "in_progress",
            "lock_version": opened}
    assert client.post(f"/projects/{project.id}/edit", data=data).status_code == 302
    late = client.post(f"/projects/{project.id}/edit", data={**data, "title": "Titre B"})
    assert late.status_code == 409
    assert "This item was changed by someone else since you opened it." in late.text
    assert "The project now reads: title “Titre A”" in late.text
    db.session.refresh(project)
    assert project.title == "Titre A"
