"""The OpenAPI 3.1 document, built at request time from the code: the URL map gives the paths, methods and
path parameters; each view's @operation declaration (spec.py) its summary, query parameters, body,
response and problems; schemas.py the shapes. Nothing is written by hand, so the document cannot drift
from what the server does. Texts come in the language of the request.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import Rule
from werkzeug.routing.converters import IntegerConverter

from consult.api import schemas
from consult.api.pagination import MAX_LIMIT
from consult.api.problems import MEDIA_TYPE as PROBLEM
from consult.api.problems import TYPES, type_uri
from consult.api.spec import OPERATIONS, Operation

VERSION = "1.0.0"
METHOD_ORDER = ("get", "post", "put", "patch", "delete")

TAGS = {
    "directory": _l("Establishments, territories and organizations."),
    "projects": _l("Clinical projects and their published step versions."),
    "rounds": _l("Consultation rounds, items in consultation, answers, summaries and open data."),
    "participation": _l("Comments, replies, supports, proposed needs and briefs. Writing needs a token of scope "
                        "“participate”."),
    "account": _l("The token in use."),
}


def _plain(value: Any) -> Any:
    """Lazy strings (and anything nested) as plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def openapi_path(rule: Rule) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)


def _path_params(rule: Rule) -> list[dict[str, Any]]:
    found = []
    for name in sorted(rule.arguments, key=rule.rule.index):
        converter = rule._converters.get(name)
        if isinstance(converter, IntegerConverter):
            schema = schemas.identifier()
        elif name == "uid":
            schema = {k: v for k, v in schemas.UID.items() if k != "description"}
        else:
            schema = {"type": "string"}
        found.append({"name": name, "in": "path", "required": True, "schema": schema})
    return found


def _problem(status: int) -> dict[str, Any]:
    kinds = [t for t in TYPES.values() if t.status == status]
    return {"description": " / ".join(str(t.title) for t in kinds) or str(status),
            "content": {PROBLEM: {"schema": schemas.ref("Problem")}}}


def _success(spec: Operation) -> dict[str, Any]:
    if spec.produces == "application/zip":
        return {"description": str(_l("The ZIP file.")),
                "content": {"application/zip": {"schema": {"type": "string", "contentMediaType": "application/zip"}}}}
    if spec.many:
        schema = schemas.ref(f"{spec.response}Page")
    else:
        schema = schemas.ref(spec.response) if spec.response else {"type": "object"}
    return {"description": str(_l("One page of the list.") if spec.many else _l("Done.")),
            "content": {spec.produces: {"schema": schema}}}


def _operation(rule: Rule, method: str, spec: Operation) -> dict[str, Any]:
    parameters = _path_params(rule) + [
        {"name": p.name, "in": "query", "required": p.required, "schema": p.schema, "description": p.description}
        for p in spec.params]
    responses: dict[str, Any] = {str(spec.status): _success(spec)}
    if method == "get":
        responses[str(spec.status)]["headers"] = {"ETag": {"description": str(_l(
            "Send it back as If-None-Match to get 304 when nothing changed.")), "schema": {"type": "string"}}}
        responses["304"] = {"description": str(_l("Not modified since the ETag sent as If-None-Match."))}
    for status in sorted({*spec.problems, 401, 429}):
        responses[str(status)] = _problem(status)
    found: dict[str, Any] = {"operationId": spec.operation_id, "tags": [spec.tag], "summary": spec.summary,
                             "description": spec.description, "parameters": parameters, "responses": responses}
    if spec.scope is not None:
        found["security"] = [{"token": []}]
    else:
        found["security"] = [{}, {"token": []}]
    if spec.body:
        found["requestBody"] = {"required": True, "content": {spec.media_type: {"schema": schemas.ref(spec.body)}}}
    return found


def operations() -> list[tuple[str, str, Rule, Operation]]:
    """(path, method, rule, declaration) of every API route, in path order."""
    found = []
    for rule in current_app.url_map.iter_rules():
        spec = OPERATIONS.get(rule.endpoint)
        if spec is None:
            continue
        methods = [m.lower() for m in (rule.methods or ()) if m not in ("HEAD", "OPTIONS")]
        for method in methods:
            found.append((openapi_path(rule), method, rule, spec))
    return sorted(found, key=lambda f: (f[0], METHOD_ORDER.index(f[1]) if f[1] in METHOD_ORDER else 9))


def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for path, method, rule, spec in operations():
        paths.setdefault(path, {})[method] = _operation(rule, method, spec)
    components: dict[str, Any] = {**schemas.SCHEMAS, **schemas.INPUTS}
    for spec in OPERATIONS.values():
        if spec.many and spec.response:
            components[f"{spec.response}Page"] = schemas.list_of(spec.response)
    return _plain({
        "openapi": "3.1.0",
        "info": {
            "title": "consult API", "version": VERSION,
            "summary": _l("The public content of the clinical projects and their consultations, as data."),
            "description": _l(
                "Reads are public and need no token: establishments, territories, organizations, clinical "
                "projects and their published versions, consultation rounds, comments, proposed needs, briefs once "
                "public, answers and published summaries. Hidden, withdrawn and confidential content and personal "
                "information are never served. Writing (comment, reply, support, propose a need, submit a brief) "
                "needs a personal token of scope “participate”, sent as “Authorization: Bearer <token>”; it acts "
                "with exactly the rights its owner has on the site. Lists are pages of {\"items\": [...], "
                "\"next\": cursor or null}: pass `next` back as ?cursor=. Errors are RFC 9457 problems, in the "
                "language of Accept-Language (French unless English is asked for). Successful reads carry an "
                "ETag; reads allow any origin (CORS), writes none."),
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "servers": [{"url": request.host_url.rstrip("/")}],
        "tags": [{"name": name, "description": text} for name, text in TAGS.items()],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"token": {
                "type": "http", "scheme": "bearer",
                "description": _l("A personal token, created on the account page (“API tokens”) or with "
                                  "`consult tokens create`. Scope “read” or “participate”.")}},
        },
        "externalDocs": {"description": _l("The API page"), "url": type_uri("x").split("#")[0]},
        "x-problem-types": {slug: {"status": t.status, "title": t.title, "meaning": t.meaning}
                            for slug, t in TYPES.items()},
        "x-max-limit": MAX_LIMIT,
    })
