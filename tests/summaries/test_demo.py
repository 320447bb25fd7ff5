"""The demo's closed round comes with a published consultation summary, compiled, reviewed and published by the
real pipeline at seed time: a visitor reading in French finds its themes, every quote opens its source, the
files download; `consult seed-demo` says where the page is, and running it again changes nothing."""

from __future__ import annotations

import html
import re

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from consult.core.db import db
from consult.summaries import demo
from consult.summaries.models import JobState, Summary, SummaryJob, SummaryState, Theme, ThemeAssignment, ThemeState


@pytest.fixture
def seeded(app, monkeypatch) -> str:
    """`consult seed-demo` as `make run` runs it: tasks are sent to a broker (the filesystem transport, which no
    worker reads here) rather than run eagerly, so the compilations run in the seeding process as demo.py runs
    them."""
    monkeypatch.setitem(app.extensions["celery"].conf, "task_always_eager", False)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def _published() -> Summary:
    round_ = demo.demo_round()
    (summary,) = db.session.scalars(select(Summary).where(Summary.round_id == round_.id,
                                                         Summary.state == SummaryState.published)).all()
    return summary


def _section(page: str, section_id: str) -> str:
    return page.split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]


def test_a_visitor_reads_the_published_demo_summary_in_french_and_every_quote_opens(client, seeded):
    round_ = demo.demo_round()
    path = f"/rounds/{round_.id}/summary"
    assert f"Published consultation summary of the closed demo round: {path}" in seeded
    assert f'href="{path}"' in client.get(f"/rounds/{round_.id}").text   # the round page leads to it

    page = client.get(path)
    assert page.status_code == 200
    assert 'lang="fr-CA"' in page.text
    summary = _published()
    assert summary.content["themes_reviewed"] and summary.published_by.email == "planif@demo.consult.ca"
    themes = _section(page.text, "themes")
    shown = [theme for theme in summary.content["themes"] if theme["quotes"]]
    assert shown, summary.content["themes"]
    for theme in shown:
        assert str(escape(theme["label"])) in themes
    # Nothing of the planners' draft reaches a visitor: no proposal, no theme set aside.
    assert {theme["state"] for theme in summary.content["themes"]} == {"approved"}
    assert db.session.scalar(select(func.count(Theme.id)).where(Theme.round_id == round_.id,
                                                               Theme.state == ThemeState.proposed)) == 0
    participation = _section(page.text, "participation")   # the tables of who took part
    assert "<caption" in participation and '<th scope="row">' in participation

    links = sorted({html.unescape(href) for href in re.findall(r'<a href="([^"]*/sources/[^"]*)"', themes)})
    assert links
    for href in links:
        opened = client.get(href, follow_redirects=True)
        assert opened.status_code == 200, href
    # A quote from the Carrefour's PDF brief opens that page of the file, the passage highlighted.
    from_pdf = [href for href in links if "/sources/brief/" in href and "page=1" in href]
    assert from_pdf, links
    source = client.get(from_pdf[0])
    assert source.text.count("<mark>") == 1 and "memoire-carrefour-des-aines.pdf" in source.text

    # The draft compiled before the review is the planners' only.
    draft = db.session.scalar(select(Summary).where(Summary.round_id == round_.id,
                                                    Summary.state == SummaryState.draft))
    assert draft is not None and client.get(f"/summaries/{draft.id}").status_code == 404


def test_the_demo_summary_files_download_stored_or_rendered_on_the_spot(app, client, seeded):
    summary = _published()
    assert set(summary.files) == {"pdf:fr", "pdf:en", "docx:fr", "docx:en"}  # made public when published
    page = client.get(f"/rounds/{summary.round_id}/summary").text
    pdf = html.unescape(re.search(r'href="([^"]*/download/pdf[^"]*lang=fr[^"]*)"', page).group(1))
    response = client.get(pdf)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    # Without stored files (a storage emptied, files never rendered), the link still gives the document.
    summary.files = {}
    db.session.commit()
    docx = client.get(f"/summaries/{summary.id}/download/docx?lang=fr")
    assert docx.status_code == 200 and docx.data.startswith(b"PK")


def test_seeding_again_changes_nothing(app, seeded):
    def state() -> dict[str, object]:
        summary = _published()
        return {"summaries": db.session.scalar(select(func.count(Summary.id))),
                "jobs": db.session.scalar(select(func.count(SummaryJob.id))),
                "themes": db.session.scalar(select(func.count(Theme.id))),
                "assignments": db.session.scalar(select(func.count(ThemeAssignment.summary_id))),
                "published": (summary.id, summary.published_at, summary.input_digest)}

    before = state()
    jobs = db.session.scalars(select(SummaryJob)).all()
    # One compilation proposes the themes, the second assigns the approved ones.
    assert len(jobs) == 2 and all(job.state is JobState.succeeded for job in jobs)
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.output
    assert f"/rounds/{demo.demo_round().id}/summary" in again.output
    db.session.expire_all()
    assert state() == before
