"""The OpenAPI document is generated from the code, and the API page is rendered from it."""

from __future__ import annotations

import re

from flask import current_app

from consult.api.spec import OPERATIONS
from tests.api.factories import API

STABLE = ["/api/v1/openapi.json", "/api/v1/organizations", "/api/v1/projects", "/api/v1/projects/{project_id}",
          "/api/v1/rounds", "/api/v1/rounds/{round_id}", "/api/v1/rounds/{round_id}/summary",
          "/api/v1/rounds/{round_id}/open-data"]


def document(client, lang: str = "fr") -> dict:
    response = client.get(f"{API}/openapi.json", headers={"Accept-Language": lang})
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_the_document_covers_every_api_route_and_the_stable_paths(client):
    doc = document(client)
    assert doc["openapi"] == "3.1.0"
    assert set(STABLE) <= set(doc["paths"])
    routes = {r.endpoint for r in current_app.url_map.iter_rules() if r.endpoint.startswith("api.")}
    assert routes == set(OPERATIONS)  # no route escapes the document
    ids = [op["operationId"] for path in doc["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids)) == len(OPERATIONS)
    refs = set(re.findall(r'"#/components/schemas/([A-Za-z]+)"', str(doc).replace("'", '"')))
    assert refs <= set(doc["components"]["schemas"])  # every reference resolves
    post = doc["paths"]["/api/v1/rounds/{round_id}/items/{version_id}/{uid}/comments"]["post"]
    assert post["security"] == [{"token": []}] and "422" in post["responses"]
    assert doc["paths"]["/api/v1/rounds"]["get"]["security"] == [{}, {"token": []}]


def test_the_document_speaks_the_requested_language(client):
    english = document(client, "en")["paths"]["/api/v1/rounds"]["get"]["summary"]
    assert english == "List consultation rounds"
    # The French catalog is filled in one pass later; until then French falls back to the English text,
    # and the language still decides the representation (its own ETag).
    french = client.get(f"{API}/openapi.json")
    assert french.headers["Content-Language"] == "fr-CA"
    assert french.headers["ETag"] != client.get(f"{API}/openapi.json",
                                                headers={"Accept-Language": "en"}).headers["ETag"]


def test_the_api_page_renders_the_document(client):
    client.get("/lang/en")
    page = client.get("/api")
    assert page.status_code == 200
    html = page.text
    assert html.count("<h1") == 1 and "Public API" in html
    doc = document(client, "en")
    for path, operations in doc["paths"].items():
        assert path in html
        for op in operations.values():
            assert f'id="op-{op["operationId"]}"' in html
    for name in doc["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    assert 'id="problem-validation"' in html and 'id="problem-insufficient-scope"' in html
    assert "<script" not in html.split("</head>")[1] and "style=" not in html
    assert html.count("<table") == html.count("<caption")
    headers = re.findall(r"<th(?:\s[^>]*)?>", html)
    assert headers and all("scope=" in h for h in headers)  # every header cell says what it heads


def test_problem_types_link_to_their_line_on_the_api_page(client):
    problem = client.get(f"{API}/rounds/999999").get_json()
    assert problem["type"] == "http://localhost/api#problem-not-found"
    assert 'id="problem-not-found"' in client.get("/api").text
