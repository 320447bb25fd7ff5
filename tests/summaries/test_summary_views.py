"""The summary pages: drafts only for the establishment, published summaries for everyone (without the
organizations whose briefs are confidential), publishing and its refusals, downloads in each format and
language, and the page that opens a quote's source."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.core.db import db, now_utc
from consult.notifications.models import Follow
from consult.participation.models import (
    Brief,
    BriefAttachment,
    BriefState,
    BriefVisibility,
    Comment,
    ProposedNeed,
)
from consult.rounds.models import ConsultationRound, ParticipationLevel, RoundEvent, RoundState
from consult.storage import get_storage
from consult.summaries.models import AttachmentText, Summary, SummaryState
from tests.summaries import content_sample as sample
from tests.summaries.test_render import pdf_text


@pytest.fixture
def closed(make_consultation):
    return make_consultation(round_state=RoundState.closed)


def make_summary(c, *, state: SummaryState = SummaryState.draft, number: int = 1, **changes) -> Summary:
    made = Summary(round_id=c.round.id, number=number, state=state, input_digest="0" * 64,
                   content=sample.sample_content(c.round.id, **changes),
                   published_at=now_utc() if state is SummaryState.published else None)
    db.session.add(made)
    db.session.commit()
    return made


def english(client):
    client.get("/lang/en")
    return client


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.text).split())


# Reading -------------------------------------------------------------------------------------------------


def test_a_draft_is_hidden_from_visitors_citizens_and_representatives(client, closed):
    summary = make_summary(closed)
    assert client.get(f"/summaries/{summary.id}").status_code == 404
    for user in (closed.citizen, closed.representative, closed.moderator):
        client.login(user)
        assert client.get(f"/summaries/{summary.id}").status_code == 404
        assert client.get(f"/summaries/{summary.id}/download/pdf").status_code == 404
        client.logout()


def test_the_planner_reads_a_draft_with_everything_and_a_publish_button(client, closed):
    summary = make_summary(closed)
    client.login(closed.planner)
    page = client.get(f"/summaries/{summary.id}")
    assert page.status_code == 200
    assert page.text.count("<h1") == 1
    assert "Draft: this summary is not public." in page.text
    assert sample.CONFIDENTIAL_NAME in page.text
    assert sample.PROBLEM_FILENAME in page.text
    assert "This PDF contains no text, only images" in page.text
    assert f'action="/summaries/{summary.id}/publish"' in page.text
    assert f'href="/rounds/{closed.round.id}/themes"' in page.text  # the theme review
    assert f'href="/rounds/{closed.round.id}/compilations"' in page.text  # the jobs page
    # Quotes keep their language; each opens its source.
    assert f'<blockquote lang="en" cite="/rounds/{closed.round.id}/sources/comment/5002">' in page.text
    assert f'href="/rounds/{closed.round.id}/sources/brief/101?attachment_id=71&amp;page=3&amp;paragraph=2"' \
        in page.text
    # Tables are tables: a caption and header cells with a scope.
    assert "<caption>Participants by age group (those who chose to say)</caption>" in page.text
    assert '<th scope="row">Under 18</th><td class="num">fewer than 5</td>' in page.text
    assert "style=" not in page.text and "<script>" not in page.text


def test_an_administrator_reads_a_draft_but_gets_no_publish_button(client, closed, make_user):
    summary = make_summary(closed)
    client.login(make_user("admin@exemple.ca", admin=True, locale="en"))
    page = client.get(f"/summaries/{summary.id}")
    assert page.status_code == 200
    assert "/publish" not in page.text
    assert client.post(f"/summaries/{summary.id}/publish").status_code == 403
    db.session.expire_all()
    assert db.session.get(Summary, summary.id).state is SummaryState.draft


def test_a_published_summary_is_public_without_confidential_holders(client, closed):
    summary = make_summary(closed, state=SummaryState.published)
    page = english(client).get(f"/summaries/{summary.id}")
    assert page.status_code == 200
    text = text_of(page)
    assert sample.THEME_TRANSPORT in text and sample.FRENCH_QUOTE.replace("'", "&#39;") in page.text
    assert "Coopérative de soutien à domicile" in text
    assert sample.PUBLIC_MINORITY_TEXT in text
    assert sample.CONFIDENTIAL_NAME not in text
    assert sample.MINORITY_TEXT not in text
    assert sample.PROBLEM_FILENAME not in text
    assert "/publish" not in page.text
    assert "61 inputs: 54 comments, 6 briefs, 1 proposed needs." in text  # counts beside the quotes


def test_the_planner_sees_who_holds_a_position_in_a_confidential_brief_on_the_published_page(client, closed):
    summary = make_summary(closed, state=SummaryState.published)
    client.login(closed.planner)
    assert sample.CONFIDENTIAL_NAME in client.get(f"/summaries/{summary.id}").text


def test_unreviewed_themes_are_announced(client, closed):
    summary = make_summary(closed, state=SummaryState.published, themes_reviewed=False)
    assert "have not all been reviewed yet" in english(client).get(f"/summaries/{summary.id}").text


def test_the_round_summary_is_the_latest_published_one(client, closed):
    make_summary(closed, state=SummaryState.published, number=1, title="Première version")
    make_summary(closed, state=SummaryState.published, number=2, title="Deuxième version")
    make_summary(closed, number=3, title="Brouillon en cours")
    page = english(client).get(f"/rounds/{closed.round.id}/summary")
    assert page.status_code == 200
    assert "Deuxième version" in page.text
    assert "Brouillon en cours" not in page.text
    assert "Summary number 1" in page.text  # the earlier published one stays readable
    assert "Summary number 3" not in page.text


def test_a_round_without_a_published_summary_says_so(client, closed):
    make_summary(closed)
    page = english(client).get(f"/rounds/{closed.round.id}/summary")
    assert page.status_code == 200
    assert "No summary of this round is published yet." in page.text
    assert "/compilations" not in page.text
    assert "Summary number 1" not in page.text
    client.login(closed.planner)
    page = client.get(f"/rounds/{closed.round.id}/summary")
    assert f'href="/rounds/{closed.round.id}/compilations"' in page.text
    assert "Summary number 1" in page.text


def test_a_draft_round_has_no_summary_page_for_the_public(client, make_consultation):
    c = make_consultation(round_state=RoundState.draft)
    assert client.get(f"/rounds/{c.round.id}/summary").status_code == 404


# Publishing ----------------------------------------------------------------------------------------------


def test_publishing_is_refused_while_themes_are_not_reviewed(client, closed):
    summary = make_summary(closed, themes_reviewed=False)
    client.login(closed.planner)
    page = client.get(f"/summaries/{summary.id}")
    assert "Some themes are still proposed and not reviewed." in page.text
    assert f'action="/summaries/{summary.id}/publish"' not in page.text
    response = client.post(f"/summaries/{summary.id}/publish", follow_redirects=True)
    assert "Some themes are still proposed and not reviewed." in response.text
    db.session.expire_all()
    assert db.session.get(Summary, summary.id).state is SummaryState.draft
    assert db.session.get(ConsultationRound, closed.round.id).state is RoundState.closed


def test_publishing_is_refused_while_the_round_is_open(client, consultation):
    summary = make_summary(consultation)
    client.login(consultation.planner)
    response = client.post(f"/summaries/{summary.id}/publish", follow_redirects=True)
    assert "The round is still taking input." in response.text
    db.session.expire_all()
    assert db.session.get(Summary, summary.id).state is SummaryState.draft


def test_publishing_makes_it_public_summarizes_the_round_and_tells_followers(client, closed, make_user, outbox):
    follower = make_user("abonnee@exemple.ca", locale="en")
    db.session.add(Follow(user_id=follower.id, project_id=closed.project.id))
    db.session.commit()
    summary = make_summary(closed)
    client.login(closed.planner)
    response = client.post(f"/summaries/{summary.id}/publish", follow_redirects=True)
    assert "The summary is published." in response.text
    assert "The round is now marked as summarized." in response.text
    db.session.expire_all()
    published = db.session.get(Summary, summary.id)
    assert published.state is SummaryState.published
    assert published.published_by_id == closed.planner.id and published.published_at is not None
    assert db.session.get(ConsultationRound, closed.round.id).state is RoundState.summarized
    event = db.session.scalar(select(RoundEvent).where(RoundEvent.round_id == closed.round.id,
                                                       RoundEvent.kind == "summary_published"))
    assert event.actor_id == closed.planner.id and event.detail["summary_id"] == summary.id
    # The stored files are the public ones: the confidential brief's organization is not in them.
    assert set(published.files) == {"pdf:fr", "pdf:en", "docx:fr", "docx:en"}
    stored = get_storage().read(published.files["docx:en"])
    assert stored.startswith(b"PK") and sample.CONFIDENTIAL_NAME.encode() not in stored
    messages = [m for m in outbox() if "abonnee@exemple.ca" in m]
    assert len(messages) == 1
    assert f"/rounds/{closed.round.id}/summary" in messages[0]
    # Everyone can read it now; publishing again changes nothing.
    client.logout()
    assert client.get(f"/summaries/{summary.id}").status_code == 200
    client.login(closed.planner)
    again = client.post(f"/summaries/{summary.id}/publish", follow_redirects=True)
    assert "This summary is already published." in again.text
    assert len([m for m in outbox() if "abonnee@exemple.ca" in m]) == 1


def test_the_drafts_files_are_never_served_once_public_even_if_rendering_fails(client, closed, monkeypatch):
    summary = make_summary(closed)
    summary.files = {"pdf:fr": get_storage().put_bytes(b"%PDF draft naming " + sample.CONFIDENTIAL_NAME.encode())}
    db.session.commit()

    def broken(_summary):
        raise RuntimeError("no fonts")

    monkeypatch.setattr("consult.summaries.render.store_files", broken)
    client.login(closed.planner)
    client.post(f"/summaries/{summary.id}/publish")
    db.session.expire_all()
    published = db.session.get(Summary, summary.id)
    assert published.state is SummaryState.published and published.files == {}
    client.logout()
    pdf = client.get(f"/summaries/{summary.id}/download/pdf?lang=fr")
    assert pdf.data.startswith(b"%PDF") and sample.CONFIDENTIAL_NAME not in pdf_text(pdf.data)


def test_publishing_leaves_a_summarized_round_as_it_is(client, make_consultation):
    c = make_consultation(round_state=RoundState.published)
    summary = make_summary(c)
    client.login(c.planner)
    client.post(f"/summaries/{summary.id}/publish")
    db.session.expire_all()
    assert db.session.get(Summary, summary.id).state is SummaryState.published
    assert db.session.get(ConsultationRound, c.round.id).state is RoundState.published


def test_only_the_planners_publish(client, closed):
    summary = make_summary(closed)
    assert client.post(f"/summaries/{summary.id}/publish").status_code == 302  # to sign in
    client.login(closed.citizen)
    assert client.post(f"/summaries/{summary.id}/publish").status_code == 404
    db.session.expire_all()
    assert db.session.get(Summary, summary.id).state is SummaryState.draft


# Downloads -----------------------------------------------------------------------------------------------


def test_downloads_in_each_format_and_language(client, closed):
    summary = make_summary(closed, state=SummaryState.published)
    pdf = client.get(f"/summaries/{summary.id}/download/pdf?lang=en")  # a French reader asks for English
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "Who took part" in pdf_text(pdf.data)
    assert pdf.mimetype == "application/pdf"
    disposition = pdf.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "summary-consultation-sur-le-portrait-des-besoins-1-en.pdf" \
        in disposition
    assert pdf.headers["Cache-Control"].startswith("public")
    docx = client.get(f"/summaries/{summary.id}/download/docx?lang=fr")
    assert docx.data.startswith(b"PK") and "synthese-consultation-sur-le-portrait-des-besoins-1-fr.docx" in \
        docx.headers["Content-Disposition"]
    assert client.get(f"/summaries/{summary.id}/download/json").json["content"]["title"] == sample.sample_content()[
        "title"]
    assert client.get(f"/summaries/{summary.id}/download/xlsx?lang=en").data.startswith(b"PK")
    csv = client.get(f"/summaries/{summary.id}/download/csv/themes?lang=en")
    assert csv.data.startswith(b"\xef\xbb\xbf") and csv.mimetype == "text/csv"
    assert "Theme number" in csv.data.decode("utf-8-sig").splitlines()[0]
    assert "themes-en.csv" in csv.headers["Content-Disposition"]
    assert client.get(f"/summaries/{summary.id}/download/html").status_code == 404
    assert client.get(f"/summaries/{summary.id}/download/csv/people").status_code == 404


def test_the_language_of_a_download_defaults_to_the_readers(client, closed):
    summary = make_summary(closed, state=SummaryState.published)
    csv = english(client).get(f"/summaries/{summary.id}/download/csv/participation")
    assert csv.data.decode("utf-8-sig").splitlines()[0].startswith("Table (key),Table")
    assert "-en.csv" in csv.headers["Content-Disposition"]


def test_a_stored_file_is_served_as_it_was_stored(client, closed):
    summary = make_summary(closed, state=SummaryState.published)
    summary.files = {"pdf:fr": get_storage().put_bytes(b"%PDF-1.7 stored by the worker")}
    db.session.commit()
    assert client.get(f"/summaries/{summary.id}/download/pdf?lang=fr").data == b"%PDF-1.7 stored by the worker"
    # Not stored in English: made on the spot.
    assert client.get(f"/summaries/{summary.id}/download/pdf?lang=en").data != b"%PDF-1.7 stored by the worker"


def test_a_drafts_downloads_are_private_to_the_planners(client, closed):
    summary = make_summary(closed)
    client.login(closed.planner)
    response = client.get(f"/summaries/{summary.id}/download/json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("private")
    assert sample.CONFIDENTIAL_NAME in response.get_data(as_text=True)


# Sources -------------------------------------------------------------------------------------------------


def _brief(c, *, visibility: BriefVisibility = BriefVisibility.public) -> Brief:
    brief = Brief(round_id=c.round.id, organization=c.organization, author=c.representative,
                  title="Mémoire du Carrefour des aînés", summary="Résumé.",
                  body="## Nos constats\n\nPremier paragraphe.\n\n" + sample.BRIEF_QUOTE + "\n\nTroisième paragraphe.",
                  visibility=visibility, state=BriefState.submitted, submitted_at=now_utc())
    db.session.add(brief)
    db.session.commit()
    return brief


def test_a_brief_quote_opens_its_paragraph_highlighted(client, closed):
    brief = _brief(closed)
    page = english(client).get(f"/rounds/{closed.round.id}/sources/brief/{brief.id}?paragraph=3")
    assert page.status_code == 200
    assert f"<mark>{sample.BRIEF_QUOTE}</mark>".replace("'", "&#39;") in page.text
    assert 'id="paragraph-3"' in page.text and 'href="#paragraph-3"' in page.text
    assert f'href="/briefs/{brief.id}"' in page.text
    assert "Carrefour des aînés" in page.text
    assert page.text.count("<mark>") == 1


def test_an_attachment_quote_opens_its_page_with_the_paragraph_highlighted(client, closed):
    brief = _brief(closed)
    key = get_storage().put_bytes(b"%PDF-1.4 memoire")
    attachment = BriefAttachment(brief_id=brief.id, storage_key=key, filename="memoire-carrefour.pdf",
                                 media_type="application/pdf", size=16)
    db.session.add_all([attachment, AttachmentText(
        storage_key=key, media_type="application/pdf", status="ok", pages=3,
        passages=[[2, 1, "Page deux."], [3, 1, "Nos recommandations."], [3, 2, sample.ATTACHMENT_QUOTE],
                  [3, 3, "Conclusion."]])])
    db.session.commit()
    page = english(client).get(f"/rounds/{closed.round.id}/sources/brief/{brief.id}"
                               f"?attachment_id={attachment.id}&page=3&paragraph=2")
    assert page.status_code == 200
    assert f"<mark>{sample.ATTACHMENT_QUOTE}</mark>".replace("'", "&#39;") in page.text
    assert 'id="page-3-paragraph-2"' in page.text
    assert "Nos recommandations." in page.text and "Page deux." not in page.text
    assert f'href="/briefs/{brief.id}/attachments/{attachment.id}"' in page.text


def test_an_attachment_of_another_brief_is_not_found(client, closed):
    brief, other = _brief(closed), _brief(closed)
    attachment = BriefAttachment(brief_id=other.id, storage_key="a" * 64, filename="x.pdf",
                                 media_type="application/pdf", size=1)
    db.session.add(attachment)
    db.session.commit()
    url = f"/rounds/{closed.round.id}/sources/brief/{brief.id}?attachment_id={attachment.id}&page=1"
    assert client.get(url).status_code == 404


def test_a_confidential_brief_is_not_shown_to_the_public(client, closed):
    brief = _brief(closed, visibility=BriefVisibility.confidential)
    url = f"/rounds/{closed.round.id}/sources/brief/{brief.id}?paragraph=3"
    assert client.get(url).status_code == 404
    client.login(closed.citizen)
    assert client.get(url).status_code == 404
    client.logout()
    client.login(closed.planner)
    assert client.get(url).status_code == 200


def test_a_comment_quote_opens_the_comment_in_its_thread(client, closed):
    comment = Comment(round_id=closed.round.id, version_id=closed.needs_version.id, item_uid=closed.need_uid,
                      item_kind="need", author=closed.citizen, body=sample.FRENCH_QUOTE)
    db.session.add(comment)
    db.session.flush()
    comment.root_id = comment.id
    proposed = ProposedNeed(round_id=closed.round.id, version_id=closed.needs_version.id, author=closed.citizen,
                            title="Soutien psychologique", description="Le soir.")
    db.session.add(proposed)
    db.session.commit()
    response = client.get(f"/rounds/{closed.round.id}/sources/comment/{comment.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/rounds/{closed.round.id}/items/{closed.needs_version.id}/{closed.need_uid}?page=1#comment-{comment.id}")
    response = client.get(f"/rounds/{closed.round.id}/sources/proposed_need/{proposed.id}")
    assert response.headers["Location"].endswith(f"/proposed-needs/{proposed.id}")


def test_a_source_of_another_round_is_not_found(client, closed):
    other = ConsultationRound(project=closed.project, title="Autre consultation", mandate="Mandat.",
                              participation_level=ParticipationLevel.consultation,
                              opens_at=now_utc() - timedelta(days=40), closes_at=now_utc() - timedelta(days=2),
                              state=RoundState.closed, versions=[closed.needs_version])
    db.session.add(other)
    db.session.flush()
    comment = Comment(round_id=other.id, version_id=closed.needs_version.id, item_uid=closed.need_uid,
                      item_kind="need", author=closed.citizen, body="Ailleurs.")
    db.session.add(comment)
    db.session.flush()
    comment.root_id = comment.id
    db.session.commit()
    brief = _brief(closed)
    assert client.get(f"/rounds/{closed.round.id}/sources/comment/{comment.id}").status_code == 404
    assert client.get(f"/rounds/{other.id}/sources/brief/{brief.id}").status_code == 404
    assert client.get(f"/rounds/{closed.round.id}/sources/planner/1").status_code == 404
