"""What every response shares: cursor pagination, ETags, read-only CORS, problems for unknown addresses and
methods, rate limits."""

from __future__ import annotations

from consult.core.db import db
from consult.territories.models import Level, TerritoryNode
from tests.api.factories import API, bearer, comment


def comments_path(c) -> str:
    return f"{API}/rounds/{c.round.id}/items/{c.needs_version.id}/{c.need_uid}/comments"


def add_regions(count: int) -> None:
    db.session.add_all([TerritoryNode(code=f"9{n:02d}", name=f"Région {n}", level=Level.region)
                        for n in range(count)])
    db.session.commit()


def test_cursors_walk_a_list_to_its_end_without_repeats(client, app):
    add_regions(7)
    seen, cursor, pages = [], None, 0
    while True:
        response = client.get(f"{API}/territories?limit=3" + (f"&cursor={cursor}" if cursor else ""))
        page = response.get_json()
        assert set(page) == {"items", "next"}
        seen += [t["code"] for t in page["items"]]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == [f"9{n:02d}" for n in range(7)] and pages == 3


def test_a_cursor_is_opaque_and_bound_to_its_list(client, consultation):
    add_regions(4)
    cursor = client.get(f"{API}/territories?limit=2").get_json()["next"]
    assert cursor
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    assert client.get(f"{API}/territories?cursor={tampered}").status_code == 400
    # The same cursor on another list, or with other filters, is refused rather than misread.
    assert client.get(f"{API}/organizations?cursor={cursor}").status_code == 400
    problem = client.get(f"{API}/territories?level=region&cursor={cursor}").get_json()
    assert problem["status"] == 400 and "cursor" in problem["errors"]


def test_comments_page_in_order_as_new_ones_arrive(client, consultation):
    for n in range(5):
        comment(consultation, consultation.citizen, f"Commentaire {n}")
    path = comments_path(consultation)
    first = client.get(path + "?limit=2").get_json()
    comment(consultation, consultation.citizen, "Arrivé entre deux pages")
    second = client.get(path + f"?limit=2&cursor={first['next']}").get_json()
    assert [c["body"] for c in first["items"] + second["items"]] == [f"Commentaire {n}" for n in range(4)]


def test_etag_and_not_modified(client, consultation):
    path = f"{API}/rounds/{consultation.round.id}"
    first = client.get(path)
    etag = first.headers["ETag"]
    assert etag and first.headers["Cache-Control"] == "no-cache"
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    consultation.round.title = "Nouveau titre"
    db.session.commit()
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    # Another language is another representation, with its own tag.
    assert client.get(path, headers={"Accept-Language": "en"}).headers["ETag"] != changed.headers["ETag"]


def test_reads_allow_any_origin_writes_none(client, consultation, token_for):
    read = client.get(f"{API}/rounds", headers={"Origin": "https://tableau.exemple.org"})
    assert read.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in read.headers["Access-Control-Expose-Headers"]
    preflight = client.options(f"{API}/rounds", headers={"Origin": "https://tableau.exemple.org",
                                                         "Access-Control-Request-Method": "GET"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD"
    assert "Authorization" not in preflight.headers["Access-Control-Allow-Headers"]
    path = comments_path(consultation)
    write_preflight = client.options(path, headers={"Origin": "https://tableau.exemple.org",
                                                    "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in write_preflight.headers
    written = client.post(path, json={"body": "Bonjour"}, headers=bearer(token_for(consultation.citizen),
                                                                         Origin="https://tableau.exemple.org"))
    assert written.status_code == 201 and "Access-Control-Allow-Origin" not in written.headers
    not_found = client.get(f"{API}/rounds/999999")
    assert not_found.headers["Access-Control-Allow-Origin"] == "*"  # a script in a page can read the problem


def test_unknown_addresses_and_methods_are_problems(client):
    missing = client.get(f"{API}/nothing-here", headers={"Accept-Language": "en"})
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert missing.get_json()["title"] == "Not found"
    wrong = client.put(f"{API}/rounds")
    assert wrong.status_code == 405 and wrong.mimetype == "application/problem+json"
    assert "GET" in wrong.headers["Allow"]
    # Core's error pages are untouched elsewhere.
    assert client.get("/no-such-page").mimetype == "text/html"


def test_reads_are_rate_limited_per_caller(client, app, consultation, token_for):
    app.config["CONSULT_API_READ_LIMIT"] = "3 per minute"
    for _n in range(3):
        assert client.get(f"{API}/establishments", environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 200
    limited = client.get(f"{API}/establishments", environ_base={"REMOTE_ADDR": "10.9.9.9"},
                         headers={"Accept-Language": "en"})
    assert limited.status_code == 429 and limited.mimetype == "application/problem+json"
    assert limited.get_json()["title"] == "Too many requests" and "Retry-After" in limited.headers
    # A token has its own budget.
    headers = bearer(token_for(consultation.citizen, "read"))
    assert client.get(f"{API}/establishments", headers=headers,
                      environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 200


def test_writes_use_the_pages_post_limit(client, app, consultation, token_for):
    app.config["CONSULT_POST_LIMIT"] = "2 per minute"
    try:
        headers = bearer(token_for(consultation.citizen))
        path = (f"{API}/rounds/{consultation.round.id}/items/{consultation.needs_version.id}/"
                f"{consultation.need_uid}/comments")
        statuses = [client.post(path, json={"body": f"Message {n}"}, headers=headers).status_code for n in range(3)]
        assert statuses == [201, 201, 429]
    finally:
        app.config["CONSULT_POST_LIMIT"] = "100000 per minute"
