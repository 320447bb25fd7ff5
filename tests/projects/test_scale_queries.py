"""The workspace at scale: every page of a clinical project reads one page of rows with the same number of
SQL statements whatever the size of the project, and shows a pager when there is more to see.

Two projects are built in bulk by the benchmark's generator (consult/sampledata/workspace.py), one three
times the size of the other, with pages of five rows so that both run to several pages. Each page the
benchmark loads must cost both projects the same statements (no query per row, no step read whole), and
the pages computed from a page of needs must say what the whole project says."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest
from sqlalchemy import event, select, text

from consult.core.db import db
from consult.organizations.models import Organization, OrganizationKind
from consult.projects import queries, search, services, traceability
from consult.projects.diff import compare, with_fields
from consult.projects.models import ClinicalProject, StepVersion, VersionItem
from consult.sampledata import workspace
from consult.sampledata.workspace import Workspace
from tests.projects.conftest import add_need

PAGE = 5
SMALL = Workspace(needs=20, indicators=40, services=20, gaps=24, models=10, offers=20, responsibilities=24,
                  indicator_areas=2)
LARGE = Workspace(needs=60, indicators=120, services=60, gaps=72, models=30, offers=60, responsibilities=72,
                  indicator_areas=2)
# A page reads the project, its steps, the signed-in person and a few sets of linked rows: far fewer
# statements than rows, and the same number for both projects.
MOST_STATEMENTS = 30
# Pages listing rows beyond the first five of the larger project, besides the benchmark's own.
EXTRA_PAGES = [
    ("working copy gaps", "/work/gap", True), ("working copy models to keep", "/work/model?step=4", True),
    ("working copy models to add", "/work/model?step=5", True), ("working copy offer", "/work/offer", True),
    ("working copy responsibilities", "/work/responsibility", True),
    ("published responsibilities", "/steps/6/versions/1?kind=responsibility", False),
    ("traceability page 2", "/traceability?page=2", False),
    ("grid page 3", "/grid?page=3", False),
    ("coverage needs", "/coverage?list=needs", False), ("coverage gaps", "/coverage?list=gaps", True),
    ("coverage offers", "/coverage?list=offers", False),
    ("coverage gaps published", "/coverage?list=gaps&source=published", True),
    ("roles matrix page 2", "/roles?page=2", True),
    ("compare page 2", "/steps/1/compare?page=2", False),
]
NO_PAGER = {"project", "coverage", "coverage working copy"}


@dataclass
class Built:
    project: ClinicalProject
    latest: dict[int, StepVersion]


@pytest.fixture
def built(app, world, monkeypatch) -> dict[str, Built]:
    monkeypatch.setitem(app.config, "CONSULT_PAGE_SIZE", PAGE)
    organizations = [Organization(name=f"Organisme {n}", kind=OrganizationKind.autonomous_community)
                     for n in range(6)]
    db.session.add_all(organizations)
    db.session.flush()
    found = {}
    for name, size in (("small", SMALL), ("large", LARGE)):
        project = services.create_project(world.establishment, world.programme, title=f"Projet {name}",
                                          summary=None, start_date=None, end_date=None, territories=[world.rls])
        db.session.flush()
        workspace.build(project, size, random.Random(name), world.areas, [o.id for o in organizations])
        latest = workspace.publish(project, random.Random(name))
        db.session.commit()
        found[name] = Built(db.session.get(ClinicalProject, project.id), latest)
    return found


def _paths(built: Built) -> list[tuple[str, str, bool]]:
    base = f"/projects/{built.project.id}"
    return workspace.pages(built.project, built.latest) + [(n, base + p, w) for n, p, w in EXTRA_PAGES]


def _statements(client, url: str) -> tuple[int, str]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200, (url, response.status_code)
    return len(seen), response.text


def test_every_workspace_page_costs_the_same_statements_at_three_times_the_size(app, built, planner,
                                                                              monkeypatch):
    """The same count for the small and the large project (nothing reads a whole step), and for pages of
    five and of ten rows (nothing runs a statement per row shown)."""
    visitor, signed_in = app.test_client(), app.test_client()
    signed_in.login(planner)
    costs: dict[str, dict[tuple[str, int], int]] = {}
    for size, per_page in (("small", PAGE), ("large", PAGE), ("large", 2 * PAGE)):
        monkeypatch.setitem(app.config, "CONSULT_PAGE_SIZE", per_page)
        for name, path, planner_only in _paths(built[size]):
            client = signed_in if planner_only else visitor
            client.get(path)  # the first request of a client also loads what the process caches
            count, page = _statements(client, path)
            costs.setdefault(name, {})[(size, per_page)] = count
            if (size, per_page) == ("large", PAGE) and name not in NO_PAGER:
                assert 'class="pager"' in page, f"{name} ({path}) shows no pager"
    different = {name: c for name, c in costs.items() if len(set(c.values())) > 1}
    assert not different, f"statements grow with the project or the page: {different}"
    heavy = {name: max(c.values()) for name, c in costs.items() if max(c.values()) > MOST_STATEMENTS}
    assert not heavy, f"too many statements for one page: {heavy}"


def test_the_coverage_report_counts_every_loose_end_and_opens_each_list_on_its_own(app, client, built):
    client.get("/lang/en")
    project = built["large"].project
    page = client.get(f"/projects/{project.id}/coverage").text
    # The first five of each list, the total, and a link to the whole list.
    expected = {"needs": LARGE.needs - LARGE.needs * 9 // 10 + workspace.ADDED_NEEDS,
                "gaps": LARGE.gaps - LARGE.gaps * 9 // 10, "offers": LARGE.offers - LARGE.offers * 9 // 10}
    assert f"Needs with no gap analysis ({expected['needs']})" in page
    assert f"Gaps with no care model ({expected['gaps']})" in page
    assert f"Offer elements with no responsible actor ({expected['offers']})" in page
    assert f"See all {expected['needs']}" in page and page.count("<li>") >= 3 * PAGE
    gaps = client.get(f"/projects/{project.id}/coverage?list=gaps&page=2")
    assert gaps.status_code == 200 and 'class="pager"' in gaps.text
    assert "Needs with no gap analysis" not in gaps.text and "Back to the whole coverage report" in gaps.text
    assert client.get(f"/projects/{project.id}/coverage?list=everything").status_code == 404


def _pages(total: int) -> range:
    return range(1, (total + PAGE - 1) // PAGE + 1)


def _trace_key(trace: traceability.Trace) -> tuple:
    return (trace.uid, [u for u, _g in trace.gaps], sorted(u for u, _m in trace.models),
            sorted(u for u, _o in trace.offers), sorted(trace.actors))


def test_pages_of_traceability_grid_and_coverage_say_what_the_whole_project_says(app, built):
    project_id = built["large"].project.id
    with app.test_request_context("/"):
        project = queries.load_project(project_id)
        sources = [queries.WorkingSource(project), queries.PublishedSource(project)]
        wholes = [traceability.graph(source) for source in sources]
    for source, whole in zip(sources, wholes, strict=True):
        expected = traceability.traces(whole)
        assert any(t.gaps and t.models and t.offers and t.actors for t in expected)
        answering: dict[str, set[str]] = {}
        for _uid, service in source.items("service"):
            for ref in service["needs"]:
                answering.setdefault(ref["uid"], set()).add(service["name"])
        for number in _pages(len(whole.needs)):
            with app.test_request_context(f"/?page={number}"):
                traces = traceability.trace_page(source).items
                rows = traceability.grid_page(source).items
            assert [_trace_key(t) for t in traces] == [_trace_key(t) for t in
                                                       expected[(number - 1) * PAGE:number * PAGE]]
            for row in rows:
                names = {n for cell in row.cells.values() for n in cell.names}
                assert names == answering.get(row.uid, set()) and row.total == len(names)
        report = traceability.coverage(whole)
        with app.test_request_context("/"):
            lists = {c.key: c.page for c in traceability.coverage_lists(source)}
        for key, pairs in (("needs", report.needs_without_gap), ("gaps", report.gaps_without_model),
                           ("offers", report.offers_without_actor)):
            assert lists[key].total == len(pairs) > 0
            assert [uid for uid, _d in lists[key].items] == [uid for uid, _d in pairs[:PAGE]]


def test_comparing_versions_finds_in_sql_what_comparing_every_item_finds(app, built):
    step = built["large"].project.step(1)
    old, new = (db.session.scalar(select(StepVersion).where(StepVersion.step_id == step.id,
                                                            StepVersion.number == n)) for n in (1, 2))

    def items(version: StepVersion) -> dict[tuple[str, str], dict]:
        return {(kind, uid): data for kind, uid, data in db.session.execute(
            select(VersionItem.kind, VersionItem.uid, VersionItem.data).where(VersionItem.version_id == version.id))}

    before, after = items(old), items(new)
    with app.test_request_context("/"):
        changes = with_fields(compare(old, new), old, new)
    found = {(c.status, c.kind, c.uid) for c in changes}
    assert found == ({("added", *key) for key in after.keys() - before.keys()}
                     | {("removed", *key) for key in before.keys() - after.keys()}
                     | {("changed", *key) for key in after.keys() & before.keys() if after[key] != before[key]})
    assert {"added", "removed", "changed"} == {status for status, _kind, _uid in found}
    for change in changes:
        if change.status == "changed":
            key = (change.kind, change.uid)
            differing = {name for name in before[key].keys() | after[key].keys()
                         if before[key].get(name) != after[key].get(name)}
            assert differing and {f.name for f in change.fields} == differing
            assert all((f.before, f.after) == (before[key].get(f.name), after[key].get(f.name))
                       for f in change.fields)
            assert change.title == (after[key].get("title") or after[key].get("name"))


def test_postgresql_searches_through_the_french_gin_index(app, project):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite searches its FTS5 table")
    definition = db.session.scalar(text("SELECT indexdef FROM pg_indexes "
                                        "WHERE indexname = 'ix_project_search_entries_french'"))
    assert "USING gin" in definition and "to_tsvector('french'::regconfig, text)" in definition
    for n in range(30):
        add_need(project, f"Logement abordable {n}" if n % 10 == 0 else f"Transport adapté {n}")
    statement = search.search(project.id, "logements", None)
    assert len(db.session.scalars(statement).all()) == 3
    compiled = statement.compile(dialect=db.engine.dialect, compile_kwargs={"render_postcompile": True})
    connection = db.session.connection()
    connection.exec_driver_sql("ANALYZE project_search_entries")
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a table this small is read whole otherwise
    plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params))
    assert "ix_project_search_entries_french" in plan, plan
