"""/rounds/{id}/summary: the latest published summary, as the public may read it, with each quote's source as
an absolute link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app

from consult.core.db import db, now_utc
from consult.rounds.models import RoundState
from consult.summaries.models import Summary, SummaryState
from tests.api.factories import API


def position(stance: str, name: str, confidential: bool, brief_id: int) -> dict:
    return {"stance": stance, "text": f"Texte de {name}",
            "holder": {"organization_id": brief_id, "name": name, "brief_id": brief_id, "confidential": confidential}}


def content(round_id: int, title: str) -> dict:
    public, secret = position("support", "Carrefour des aînés", False, 1), position("oppose", "Organisme discret",
                                                                                     True, 2)
    quote = {"text": "Les soirs sont longs.", "language": "fr",
             "source": {"kind": "comment", "id": 7, "attachment_id": None, "page": None, "paragraph": None}}
    page_quote = {"text": "Page 3 du mémoire.", "language": "fr",
                  "source": {"kind": "brief", "id": 1, "attachment_id": 4, "page": 3, "paragraph": 2}}
    count = {"key": "citizen", "value": None, "suppressed": True}
    return {
        "schema": 1, "round_id": round_id, "title": title, "project": "Projet clinique PALV",
        "compiled_at": "2026-01-10T12:00:00Z", "inputs_until": "2026-01-09T12:00:00Z", "round_state": "closed",
        "themes_reviewed": True,
        "totals": {"comments": 3, "threads": 2, "briefs": 2, "confidential_briefs": 1, "attachments": 1,
                   "pages_read": 3, "proposed_needs": 0, "supports": 4, "participants": 3, "campaigns": 0,
                   "campaign_copies": 0},
        "participation": {"by_kind": [count], "by_organization_kind": [], "by_area": [], "by_age_band": [],
                          "by_gender": [], "by_population_group": []},
        "themes": [{"id": 1, "key": "soirs", "label": title, "description": "", "state": "approved", "count": 3,
                    "comments": 2, "briefs": 1, "proposed_needs": 0, "languages": {"fr": 3}, "keyphrases": ["soir"],
                    "quotes": [quote, page_quote]}],
        "items": [{"version_id": 1, "uid": "u", "kind": "need", "step": 1, "title": "Isolement", "supports": 4,
                   "comments": 2, "positions": {"support": [public], "oppose": [secret], "amend": []},
                   "agreement": "disagreement", "minority": [secret], "themes": [], "quotes": [quote]}],
        "agreements": [{"version_id": 1, "uid": "u", "title": "Isolement", "holders": [public["holder"],
                                                                                          secret["holder"]]}],
        "disagreements": [{"version_id": 1, "uid": "u", "title": "Isolement", "support": [public],
                           "oppose": [secret], "amend": []}],
        "campaigns": [], "proposed_needs": [],
        "answers": {"by_outcome": [], "answered": 0, "unanswered": 2},
        "extraction_problems": [{"brief_id": 2, "attachment_id": 5, "filename": "scan.pdf", "status": "empty",
                                 "pages": 3, "reason": None, "limit": 0}],
    }


def summary(c, number: int, state: SummaryState, title: str, days_ago: int) -> Summary:
    made = Summary(round_id=c.round.id, number=number, state=state, input_digest="d" * 64,
                   content=content(c.round.id, title),
                   published_at=now_utc() - timedelta(days=days_ago) if state is SummaryState.published else None)
    db.session.add(made)
    db.session.commit()
    return made


def test_no_published_summary_is_a_404_problem(client, make_consultation):
    c = make_consultation(round_state=RoundState.closed)
    summary(c, 1, SummaryState.draft, "Brouillon", 0)
    response = client.get(f"{API}/rounds/{c.round.id}/summary")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_the_latest_published_summary_is_served_without_confidential_holders(client, make_consultation):
    c = make_consultation(round_state=RoundState.closed)
    summary(c, 1, SummaryState.published, "Ancienne", 5)
    latest = summary(c, 2, SummaryState.published, "Récente", 1)
    summary(c, 3, SummaryState.draft, "Brouillon plus récent", 0)
    served = client.get(f"{API}/rounds/{c.round.id}/summary").get_json()
    assert served["id"] == latest.id and served["number"] == 2
    body = served["content"]
    assert body["themes"][0]["label"] == "Récente"
    item = body["items"][0]
    assert item["positions"]["oppose"] == [] and item["minority"] == []
    assert [h["name"] for h in body["agreements"][0]["holders"]] == ["Carrefour des aînés"]
    assert "Organisme discret" not in str(body)
    assert "extraction_problems" not in body  # for planners only


def test_each_quote_links_to_its_source(client, make_consultation):
    c = make_consultation(round_state=RoundState.closed)
    summary(c, 1, SummaryState.published, "Thème", 1)
    quotes = client.get(f"{API}/rounds/{c.round.id}/summary").get_json()["content"]["themes"][0]["quotes"]
    if "summaries.source" not in current_app.view_functions:
        assert all(q["source"]["url"] is None for q in quotes)
        pytest.skip("the summaries.source page is not deployed in this tree: links are null until it is")
    comment_link, page_link = (q["source"]["url"] for q in quotes)
    assert comment_link.startswith("http://localhost/") and "/7" in comment_link
    assert "attachment_id=4" in page_link and "page=3" in page_link and "paragraph=2" in page_link


def test_a_draft_rounds_summary_is_not_found(client, make_consultation):
    c = make_consultation(round_state=RoundState.draft)
    summary(c, 1, SummaryState.published, "Thème", 1)
    assert client.get(f"{API}/rounds/{c.round.id}/summary").status_code == 404
