"""Views computed across steps: the needs × resources grid, the roles and responsibilities matrix,
traceability and coverage (with CSV exports), and search. Readers see them on the published versions;
the establishment's planners (and administrators) may switch to the working copy."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from consult.core import permissions
from consult.core.pagination import paginate
from consult.i18n.locale import current_lang
from consult.projects import search as project_search
from consult.projects import traceability
from consult.projects.forms import SearchForm
from consult.projects.kinds import KINDS, labels_of, step_of
from consult.projects.models import ClinicalProject, ProviderKind, RoleLevel
from consult.projects.queries import PublishedSource, WorkingSource
from consult.projects.views import bp, load_visible


def _source(project: ClinicalProject) -> WorkingSource | PublishedSource:
    if permissions.can(current_user, "projects.work.view", project) and request.args.get("source") != "published":
        return WorkingSource(project)
    return PublishedSource(project)


def _context(project: ClinicalProject, source) -> dict:
    return {"project": project, "source": source, "lang": current_lang(),
            "working_allowed": permissions.can(current_user, "projects.work.view", project)}


@bp.get("/projects/<int:project_id>/grid")
def grid(project_id: int):
    project = load_visible(project_id)
    source = _source(project)
    return render_template("projects/grid.html", page=traceability.grid_page(source),
                           kinds=[kind.value for kind in ProviderKind], service_count=source.count("service"),
                           **_context(project, source))


@bp.get("/projects/<int:project_id>/roles")
def roles(project_id: int):
    project = load_visible(project_id)
    source = _source(project)
    page = source.page("responsibility")
    actors = list(dict.fromkeys(a["actor"] for _uid, r in page.items for a in r["assignments"]))
    cells = {(uid, a["actor"]): [] for uid, r in page.items for a in r["assignments"]}
    for uid, r in page.items:
        for a in r["assignments"]:
            cells[(uid, a["actor"])].append(a["level"])
    order = [level.value for level in RoleLevel]
    return render_template("projects/roles.html", page=page, actors=actors, cells=cells, order=order,
                           **_context(project, source))


@bp.get("/projects/<int:project_id>/traceability")
def trace(project_id: int):
    project = load_visible(project_id)
    source = _source(project)
    return render_template("projects/trace.html", page=traceability.trace_page(source),
                           labels=labels_of("priority", "dimension", "decision", "level"),
                           **_context(project, source))


@bp.get("/projects/<int:project_id>/traceability.csv")
def trace_csv(project_id: int):
    project = load_visible(project_id)
    rows = traceability.traces(traceability.graph(_source(project)))
    return _csv(traceability.traces_csv(rows), f"traceability-{project.id}.csv")


@bp.get("/projects/<int:project_id>/coverage")
def coverage(project_id: int):
    project = load_visible(project_id)
    source = _source(project)
    only = request.args.get("list")
    if only is not None and only not in traceability.COVERAGE_LISTS:
        abort(404)
    lists = traceability.coverage_lists(source, only)
    return render_template("projects/coverage.html", lists=lists, only=only,
                           complete=only is None and not any(c.page.total for c in lists),
                           **_context(project, source))


@bp.get("/projects/<int:project_id>/coverage.csv")
def coverage_csv(project_id: int):
    project = load_visible(project_id)
    report = traceability.coverage(traceability.graph(_source(project)))
    return _csv(traceability.coverage_csv(report), f"coverage-{project.id}.csv")


def _csv(body: str, filename: str) -> Response:
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/projects/<int:project_id>/search")
def search(project_id: int):
    project = load_visible(project_id)
    source = _source(project)
    form = SearchForm(request.args)
    page = None
    if form.validate() and form.q.data:
        version_ids = None if not source.published else [v.id for v in source.versions().values()]
        page = paginate(project_search.search(project.id, form.q.data, version_ids))
    versions = source.versions()
    links = {}
    if page is not None:
        for entry in page.items:
            if source.published:
                version = next((v for v in versions.values() if v.id == entry.version_id), None)
                links[entry.id] = ("projects.version_item", {"version_id": entry.version_id, "uid": entry.uid},
                                   version)
    return render_template("projects/search.html", form=form, page=page, links=links, kinds=KINDS,
                           step_of=step_of, no_result=_("Nothing matches this search."),
                           **_context(project, source))
