"""A compilation from the planner's click to the stored summary: what it counts, quotes and caches."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.core.db import db
from consult.participation.models import BriefVisibility
from consult.summaries import jobs
from consult.summaries.models import (
    InputAnalysis,
    JobState,
    Summary,
    SummaryJob,
    Theme,
    ThemeAssignment,
    ThemeState,
)
from tests.summaries.pipeline_data import add_brief, add_comments


@pytest.fixture(autouse=True)
def fresh_worker_memory():
    """Each test has its own database: the worker's in-memory caches must not carry another test's rows."""
    from consult.summaries import pipeline

    pipeline._ANALYSES.clear()
    pipeline._FITS.clear()


def compile_now(consultation, trigger: str = "manual") -> SummaryJob:
    """Request a compilation; the test app runs Celery eagerly, so it has run when the commit returns."""
    job, _created = jobs.request(consultation.round, consultation.planner, trigger=trigger)
    db.session.commit()
    db.session.expire_all()
    return db.session.get(SummaryJob, job.id)


def latest(consultation) -> Summary:
    return db.session.scalars(select(Summary).where(Summary.round_id == consultation.round.id)
                              .order_by(Summary.number.desc())).first()


@pytest.fixture
def compiled(consultation):
    add_comments(consultation, extra=20)
    add_brief(consultation)
    db.session.commit()
    job = compile_now(consultation)
    return consultation, job


def test_a_compilation_counts_reads_attachments_and_proposes_themes(compiled):
    consultation, job = compiled
    assert job.state is JobState.succeeded and job.outcome == "compiled" and job.progress == 100
    summary = latest(consultation)
    content = summary.content
    assert summary.job_id == job.id and summary.number == 1
    assert content["totals"]["comments"] == 30 and content["totals"]["briefs"] == 1
    assert content["totals"]["pages_read"] == 2
    assert content["themes"], "themes are proposed from the inputs"
    assert not content["themes_reviewed"]
    assert all(theme["state"] == "proposed" for theme in content["themes"])
    sources = [quote["source"] for theme in content["themes"] for quote in theme["quotes"]]
    assert sources and all(source["id"] is not None for source in sources)
    # Proposed themes are rows planners review.
    assert db.session.scalar(select(func.count(Theme.id)).where(Theme.state == ThemeState.proposed)) == len(
        content["themes"])


def test_a_quote_from_an_attachment_names_its_page_and_paragraph(consultation):
    add_brief(consultation)
    db.session.commit()
    approve_theme(consultation, "Transport adapté", "Transport adapté vers les rendez-vous médicaux.",
                  ["Le transport adapté manque pour aller aux rendez-vous médicaux."])
    compile_now(consultation)
    theme = next(t for t in latest(consultation).content["themes"] if t["label"] == "Transport adapté")
    from_pdf = [q["source"] for q in theme["quotes"] if q["source"]["attachment_id"] is not None]
    assert from_pdf and from_pdf[0]["page"] == 2 and from_pdf[0]["paragraph"] == 1
    assert from_pdf[0]["label"] == "Carrefour des aînés"


def test_a_rerun_on_unchanged_inputs_writes_nothing(compiled):
    consultation, _job = compiled
    again = compile_now(consultation)
    assert again.state is JobState.succeeded and again.outcome == "unchanged"
    assert db.session.scalar(select(func.count(Summary.id))) == 1


def test_a_recompilation_analyses_only_the_new_inputs(compiled):
    consultation, _job = compiled
    analysed = db.session.scalar(select(func.count()).select_from(InputAnalysis))
    from consult.summaries import pipeline

    pipeline._ANALYSES.clear()     # as on another worker: the cache in the database is what is reused
    add_comments(consultation, extra=0)    # ten new comments, with texts already analysed
    from tests.summaries.pipeline_data import _comment

    _comment(consultation, consultation.need_uid, consultation.needs_version.id,
             "Un tout nouveau commentaire sur les haltes-répit pour les proches aidants épuisés.", 0)
    db.session.commit()
    job = compile_now(consultation)
    assert job.outcome == "compiled"
    assert db.session.scalar(select(func.count()).select_from(InputAnalysis)) == analysed + 1
    assert latest(consultation).number == 2


def approve_theme(consultation, label: str, description: str, examples: list[str]) -> Theme:
    from consult.summaries.models import ThemeQuote

    theme = Theme(round_id=consultation.round.id, key=label.lower().replace(" ", "-"), label=label,
                  description=description, state=ThemeState.approved, origin="planner")
    for number, text in enumerate(examples):
        theme.quotes.append(ThemeQuote(source_kind="planner", text=text, kept=True, position=number))
    db.session.add(theme)
    db.session.commit()
    return theme


def test_approved_themes_are_assigned_to_every_input_with_their_sources(compiled):
    consultation, _job = compiled
    theme = approve_theme(consultation, "Isolement des aînés",
                          "Aînés seuls, visites d'amitié, appels de bienveillance.",
                          ["Les aînés seuls ont besoin de visites d'amitié."])
    job = compile_now(consultation)
    assert job.outcome == "compiled"
    summary = latest(consultation)
    entry = next(t for t in summary.content["themes"] if t["id"] == theme.id)
    assert entry["state"] == "approved" and entry["count"] >= 5
    assert summary.content["themes"][0]["id"] == theme.id, "approved themes come first"
    assigned = db.session.scalars(select(ThemeAssignment).where(ThemeAssignment.summary_id == summary.id,
                                                                ThemeAssignment.theme_id == theme.id)).all()
    assert len(assigned) == entry["count"]
    assert {a.source_kind for a in assigned} >= {"comment"}
    quote_texts = [q["text"] for q in entry["quotes"]]
    assert any("visites d'amitié" in text or "friendly visits" in text or "seul" in text for text in quote_texts)
    # The item the isolation comments were written on carries the theme.
    item = next(i for i in summary.content["items"] if i["uid"] == consultation.need_uid)
    assert theme.id in [ref["id"] for ref in item["themes"]]


def test_a_periodic_recompilation_gives_the_assignments_of_a_full_one(compiled):
    consultation, _job = compiled
    theme = approve_theme(consultation, "Transport adapté", "Transport adapté, rendez-vous médicaux, autobus.",
                          ["Le transport adapté manque pour les rendez-vous."])
    compile_now(consultation)
    full = latest(consultation)
    from tests.summaries.pipeline_data import _comment

    _comment(consultation, consultation.other_need_uid, consultation.needs_version.id,
             "Le transport adapté refuse les réservations la veille des rendez-vous.", 0)
    db.session.commit()
    compile_now(consultation, trigger="periodic")
    periodic = latest(consultation)
    assert periodic.number == full.number + 1

    def counted(summary):
        return {(a.source_kind, a.source_id) for a in db.session.scalars(
            select(ThemeAssignment).where(ThemeAssignment.summary_id == summary.id,
                                          ThemeAssignment.theme_id == theme.id))}

    assert counted(full) < counted(periodic)
    assert len(counted(periodic) - counted(full)) == 1


def test_the_same_inputs_and_themes_give_the_same_summary(compiled):
    consultation, _job = compiled
    first = latest(consultation).content
    db.session.execute(ThemeAssignment.__table__.delete())
    db.session.execute(Summary.__table__.delete())
    db.session.commit()
    compile_now(consultation)
    second = latest(consultation).content

    def comparable(content):
        # Proposed themes are new rows at each compilation: compare them by label, not by id.
        themes = [(t["label"], t["count"], [q["text"] for q in t["quotes"]]) for t in content["themes"]]
        rest = {k: v for k, v in content.items() if k not in ("compiled_at", "themes")}
        for part in rest["items"] + rest["campaigns"]:
            part["themes"] = [(ref["label"], ref["count"]) for ref in part["themes"]]
        return themes, rest

    assert comparable(first) == comparable(second)


def test_a_confidential_brief_counts_but_is_never_quoted(consultation):
    add_comments(consultation)
    add_brief(consultation, visibility=BriefVisibility.confidential)
    db.session.commit()
    approve_theme(consultation, "Transport adapté", "Transport adapté vers les rendez-vous médicaux.",
                  ["Le transport adapté manque pour aller aux rendez-vous médicaux."])
    compile_now(consultation)
    content = latest(consultation).content
    assert content["totals"]["confidential_briefs"] == 1
    quoted = [q["source"]["kind"] for t in content["themes"] for q in t["quotes"]]
    assert "brief" not in quoted
    assert all(c["source"]["kind"] != "brief" for c in content["campaigns"])


@pytest.mark.parametrize("data", [b"%PDF-1.4\n garbage that is no PDF", b"\x00" * 100])
def test_a_hostile_attachment_gets_a_status_and_the_compilation_goes_on(consultation, data):
    add_comments(consultation)
    add_brief(consultation, pdf=data, filename="piege.pdf")
    db.session.commit()
    job = compile_now(consultation)
    assert job.state is JobState.succeeded
    problems = latest(consultation).content["extraction_problems"]
    assert [(p["filename"], p["status"]) for p in problems] == [("piege.pdf", "unreadable")]


def test_campaign_copies_are_grouped_and_shown_once(consultation):
    import random

    from consult.sampledata import texts
    from tests.summaries.pipeline_data import _comment

    letter = texts.campaign_letter(random.Random(3))
    for number in range(6):
        _comment(consultation, consultation.need_uid, consultation.needs_version.id,
                 letter + f" Signé, personne {number}.", number)
    add_comments(consultation)
    db.session.commit()
    compile_now(consultation)
    campaigns = latest(consultation).content["campaigns"]
    assert campaigns[0]["count"] == 6
    assert campaigns[0]["text"].startswith(letter[:40])


def test_proposals_left_after_a_review_stay_in_the_draft_and_never_reach_the_public(compiled):
    from consult.summaries.content import public_view

    consultation, _job = compiled
    approve_theme(consultation, "Isolement des aînés", "Aînés seuls, visites d'amitié.",
                  ["Les aînés seuls ont besoin de visites d'amitié."])
    compile_now(consultation)
    content = latest(consultation).content
    assert content["themes_reviewed"], "planners approved themes: the summary may be published"
    public = public_view(content)
    assert [t["state"] for t in public["themes"]] == ["approved"]
    proposed = {t["id"] for t in content["themes"] if t["state"] == "proposed"}
    assert not any(ref["id"] in proposed for item in public["items"] for ref in item["themes"])
    assert content["totals"]["unthemed"] >= 0


def test_the_total_of_participants_is_not_given_when_it_would_reveal_a_suppressed_count(compiled):
    consultation, _job = compiled
    content = latest(consultation).content
    citizens = next(cell for cell in content["participation"]["by_kind"] if cell["key"] == "citizen")
    assert citizens["suppressed"], "one citizen wrote every comment of this round"
    assert content["totals"]["participants"] is None


def test_markdown_headings_of_a_brief_are_never_quoted_and_paragraph_numbers_stay_those_of_the_brief():
    from consult.summaries.pipeline import _readable_paragraphs, paragraphs

    body = ("## Ce que nous voyons\n\nDes aînés attendent des mois une visite d'amitié.\n\n"
            "### Nos demandes\nFinancer le jumelage à la hauteur des besoins du quartier.")
    readable = _readable_paragraphs(body)
    assert [number for number, _text in readable] == [n for n, _p in enumerate(paragraphs(body), start=1)]
    assert readable == [(1, ""), (2, "Des aînés attendent des mois une visite d'amitié."),
                        (3, "Financer le jumelage à la hauteur des besoins du quartier.")]
    assert not any("#" in text for _number, text in readable)
