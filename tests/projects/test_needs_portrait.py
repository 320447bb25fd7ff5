"""Step 1 through the pages: needs and indicators in the working copy, a frozen published version that
never changes, charts with their data tables, and a comparison of versions."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from consult.core.db import db
from consult.projects import services
from consult.projects.models import Indicator, Level3, Need, VersionItem
from tests.projects.conftest import add_indicator, add_need, publish


def _need_form(world, **extra):
    data = {"title": "Logement abordable", "description": "Les loyers montent.",
            "population_groups": "aînés seuls, proches aidants", "area_ids": [world.areas[0].id],
            "determinant": "housing", "priority": "high", "sources": "Enquête 2024"}
    data.update(extra)
    return data


def test_a_planner_adds_a_need_through_the_form(client, planner, project, world):
    client.login(planner)
    form = client.get(f"/projects/{project.id}/work/need/new")
    assert form.status_code == 200
    assert "Housing (social determinant)" in form.text and "Income (social determinant)" in form.text
    assert "06111-01 — Centre-Sud" in form.text
    saved = client.post(f"/projects/{project.id}/work/need/new", data=_need_form(world))
    assert saved.status_code == 302
    need = db.session.scalar(select(Need))
    assert need.population_groups == ["aînés seuls", "proches aidants"]
    assert [a.code for a in need.areas] == ["06111-01"]
    listing = client.get(f"/projects/{project.id}/work/need")
    assert "Logement abordable" in listing.text and "Centre-Sud" in listing.text


def test_a_need_form_with_errors_is_shown_again(client, planner, project, world):
    client.login(planner)
    page = client.post(f"/projects/{project.id}/work/need/new", data=_need_form(world, title="", priority="x"))
    assert page.status_code == 422
    assert 'href="#title"' in page.text and "Enter the title of the need." in page.text


def test_a_stale_save_is_refused_and_shows_the_current_values(client, planner, project, world, make_user):
    need = add_need(project)
    opened = need.lock_version
    colleague = make_user("collegue@exemple.ca", planner=world.establishment)
    other = client.application.test_client()
    other.login(colleague)
    first = other.post(f"/projects/{project.id}/work/need/{need.id}",
                       data=_need_form(world, title="Titre de la collègue", lock_version=opened))
    assert first.status_code == 302
    client.login(planner)
    second = client.post(f"/projects/{project.id}/work/need/{need.id}",
                         data=_need_form(world, title="Mon titre", lock_version=opened))
    assert second.status_code == 409
    assert "This item was changed by someone else since you opened it." in second.text
    assert "Titre de la collègue" in second.text  # the current values are shown
    db.session.refresh(need)
    assert need.title == "Titre de la collègue"
    # The form now carries the current counter: saving again, knowingly, works.
    fresh = re.search(r'name="lock_version" type="hidden" value="(\d+)"', second.text).group(1)
    third = client.post(f"/projects/{project.id}/work/need/{need.id}",
                        data=_need_form(world, title="Mon titre", lock_version=fresh))
    assert third.status_code == 302


def test_changing_only_the_areas_still_moves_the_lock(project, world):
    need = add_need(project)
    before = need.lock_version
    services.save_item(project, "need", need, {"areas": [world.areas[1]]}, before)
    db.session.commit()
    assert need.lock_version > before
    try:
        services.save_item(project, "need", need, {"title": "x"}, before)
    except services.StaleItem:
        pass
    else:
        raise AssertionError("a save on a stale copy went through")


def test_published_pages_never_change_when_the_working_copy_does(client, project, world):
    need = add_need(project, "Isolement des aînés")
    add_indicator(project, world.areas[0], 31.5)
    version = publish(project, 1)
    url = f"/projects/{project.id}/steps/1/versions/1"
    client.get("/lang/en")
    before_needs = client.get(url).text
    before_charts = client.get(url + "?kind=indicator").text
    services.save_item(project, "need", need, {"title": "Titre changé"}, need.lock_version)
    services.delete_item(project, "indicator", db.session.scalar(select(Indicator)), 1)
    add_need(project, "Besoin ajouté plus tard")
    db.session.commit()
    assert client.get(url).text == before_needs
    assert client.get(url + "?kind=indicator").text == before_charts
    assert "Isolement des aînés" in before_needs and "Titre changé" not in before_needs
    count = db.session.scalar(select(func.count(VersionItem.id)).where(VersionItem.version_id == version.id))
    assert count == 2


def test_a_visitor_reads_the_needs_portrait_in_french_and_english_with_charts(client, project, world):
    add_need(project, "Isolement des aînés")
    add_indicator(project, world.areas[0], 31.5)
    add_indicator(project, world.areas[1], 12.25)
    publish(project, 1)
    url = f"/projects/{project.id}/steps/1/versions/1"
    french = client.get(url, headers={"Accept-Language": "fr-CA"})
    assert french.status_code == 200 and 'lang="fr-CA"' in french.text
    assert "Isolement des aînés" in french.text
    charts = client.get(url + "?kind=indicator", headers={"Accept-Language": "fr-CA"})
    assert '<svg role="img"' in charts.text and "<title id=" in charts.text and "<desc id=" in charts.text
    assert "31,5" in charts.text and "12,25" in charts.text  # French number format
    svg_end = charts.text.index("</svg>")
    table = charts.text.index("<table", svg_end)
    assert table > svg_end and "<caption>" in charts.text[table:]
    assert '<th scope="row">Centre-Sud</th>' in charts.text
    client.get("/lang/en")
    english = client.get(url + "?kind=indicator")
    assert 'lang="en-CA"' in english.text and "31.5" in english.text
    assert "Aînés vivant seuls by local area, 2021" in english.text
    assert "Highest: Centre-Sud, 31.5 %. Lowest: Quartier latin, 12.25 %." in english.text
    needs = client.get(url)
    assert "Social isolation (social determinant)" in needs.text and "Needs portrait" in needs.text


def test_version_pages_paginate(client, project, app, monkeypatch):
    for n in range(5):
        add_need(project, f"Besoin {n}")
    publish(project, 1)
    monkeypatch.setitem(app.config, "CONSULT_PAGE_SIZE", 2)
    client.get("/lang/en")
    url = f"/projects/{project.id}/steps/1/versions/1"
    first = client.get(url)
    assert "Besoin 0" in first.text and "Besoin 2" not in first.text and "Page 1 of 3" in first.text
    assert "Besoin 4" in client.get(url + "?page=3").text
    assert client.get(url + "?page=4").status_code == 404


def test_an_item_of_a_version_has_a_stable_address(client, project):
    need = add_need(project)
    version = publish(project, 1)
    page = client.get(f"/projects/versions/{version.id}/items/{need.uid}")
    assert page.status_code == 200 and "Isolement des aînés" in page.text
    assert client.get(f"/projects/versions/{version.id}/items/not-a-uid").status_code == 404


def test_comparing_versions_shows_added_removed_and_changed_fields(client, project, world):
    kept = add_need(project, "Isolement des aînés")
    removed = add_need(project, "Besoin retiré")
    publish(project, 1)
    for action in ("close", "adopt", "reopen"):
        services.transition(project.step(1), action, None)
    db.session.commit()
    services.save_item(project, "need", kept, {"priority": Level3.low}, kept.lock_version)
    services.delete_item(project, "need", removed, removed.lock_version)
    add_need(project, "Nouveau besoin")
    db.session.commit()
    services.transition(project.step(1), "publish", None)
    db.session.commit()
    client.get("/lang/en")
    page = client.get(f"/projects/{project.id}/steps/1/compare?from=1&to=3")
    assert page.status_code == 200
    assert "1 added, 1 removed, 1 changed." in page.text
    assert "Nouveau besoin" in page.text and "Besoin retiré" in page.text
    changed = page.text[page.text.index("Isolement des aînés"):]
    assert "<del>High</del>" in changed and "<ins>Low</ins>" in changed
    same = client.get(f"/projects/{project.id}/steps/1/compare?from=1&to=2")
    assert "0 added, 0 removed, 0 changed." in same.text


def test_the_working_copy_is_for_the_establishments_planners_and_admins(client, project, make_user, world,
                                                                        representative):
    client.login(representative)
    assert client.get(f"/projects/{project.id}/work/need").status_code == 403
    admin = make_user("admin@exemple.ca", admin=True)
    other = client.application.test_client()
    other.login(admin)
    assert other.get(f"/projects/{project.id}/work/need").status_code == 200
    assert other.post(f"/projects/{project.id}/work/need/new", data=_need_form(world)).status_code == 403


def _queries(app, client, url: str) -> int:
    from sqlalchemy import event

    count = 0

    def counter(*_args, **_kwargs):
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    return count


def test_the_public_needs_portrait_runs_the_same_queries_whatever_its_size(app, client, project, world):
    for n in range(3):
        add_need(project, f"Besoin {n}", areas=[world.areas[0]])
        add_indicator(project, world.areas[n % 2], n, name=f"Indicateur {n}")
    small = publish(project, 1)
    url = f"/projects/{project.id}/steps/1/versions/{small.number}"
    few = (_queries(app, client, url), _queries(app, client, url + "?kind=indicator"))
    for action in ("close", "adopt", "reopen"):
        services.transition(project.step(1), action, None)
    for n in range(3, 20):
        add_need(project, f"Besoin {n}", areas=world.areas)
        add_indicator(project, world.areas[n % 2], n, name=f"Indicateur {n}")
    large = publish(project, 1)
    url = f"/projects/{project.id}/steps/1/versions/{large.number}"
    many = (_queries(app, client, url), _queries(app, client, url + "?kind=indicator"))
    assert many == few
