"""The planners' review of the themes the workers propose: every action changes what the page shows, refused
actions say why, a stale form gets a message rather than an error, and only the round's planners change
anything (administrators read)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from consult.core.db import db, now_utc
from consult.rounds.models import ConsultationRound, ParticipationLevel, RoundState
from consult.summaries import review
from consult.summaries.models import Theme, ThemeQuote, ThemeState
from tests.hostile import naughty_strings

# ---------------------------------------------------------------------------------------------------- helpers


def make_theme(round_: ConsultationRound, label: str, *, state: ThemeState = ThemeState.proposed,
               quotes: tuple[str, ...] = (), size: int = 10, keyphrases: tuple[str, ...] = (),
               language: str = "fr", kept: tuple[int, ...] = ()) -> Theme:
    count = db.session.scalar(select(db.func.count()).select_from(Theme).where(Theme.round_id == round_.id))
    theme = Theme(round_id=round_.id, key=f"theme-{count + 1}", label=label, state=state, size=size,
                  keyphrases=list(keyphrases), position=count, language=language)
    for position, text in enumerate(quotes):
        theme.quotes.append(ThemeQuote(source_kind="comment", source_id=100 + position, text=text,
                                       language=language, score=1.0 - position / 10, kept=position in kept,
                                       position=position))
    db.session.add(theme)
    db.session.commit()
    return theme


def url(c, path: str = "") -> str:
    return f"/rounds/{c.round.id}/themes{path}"


def planner_client(client, c):
    client.login(c.planner)
    client.get("/lang/en")
    return client


def fresh(theme: Theme) -> Theme:
    db.session.expire_all()
    return db.session.get(Theme, theme.id)


def section(page: str, heading_id: str) -> str:
    """The HTML of one state's section of the review page."""
    found = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', page, re.S)
    assert found, f"no section {heading_id}"
    return found.group(1)


HOUSING = ("Les loyers ont doublé dans le quartier.", "Il manque de logements sociaux.",
           "Mon logement est insalubre.")
TRANSPORT = ("Les autobus ne passent que deux fois par jour.", "Il faut un transport adapté vers l'hôpital.")


# -------------------------------------------------------------------------------------------------- the page


def test_the_page_explains_the_review_and_shows_themes_by_state(client, consultation):
    c = consultation
    proposed = make_theme(c.round, "Logement", quotes=HOUSING, keyphrases=("loyer", "logement social"))
    make_theme(c.round, "Transport", state=ThemeState.approved, quotes=TRANSPORT)
    make_theme(c.round, "Météo", state=ThemeState.discarded)
    english = make_theme(c.round, "Caregivers", quotes=("Caregivers are exhausted.",), language="en")
    merged = make_theme(c.round, "Loyers", state=ThemeState.merged)
    merged.merged_into = proposed
    db.session.commit()

    page = planner_client(client, c).get(url(c))
    assert page.status_code == 200
    text = page.text
    assert text.count("<h1") == 1
    assert "Approved themes are assigned to every input at the next compilation" in text
    order = [text.index(f'id="state-{state}"') for state in ("proposed", "approved", "discarded", "merged")]
    assert order == sorted(order)
    assert "Logement" in section(text, "state-proposed") and "Caregivers" in section(text, "state-proposed")
    assert "Transport" in section(text, "state-approved")
    assert "Météo" in section(text, "state-discarded")
    assert "Merged into “Logement”." in section(text, "state-merged")
    assert "logement social" in text and "About 10 inputs when last compiled." in text
    assert '<blockquote lang="fr">Les loyers ont doublé dans le quartier.</blockquote>' in text
    assert '<blockquote lang="en">Caregivers are exhausted.</blockquote>' in text
    assert f'id="theme-{english.id}"' in text
    assert "2 proposed, not reviewed · 1 approved · 1 set aside · 1 merged." in text
    assert "Approve all 2 proposed themes" in text
    # Quotes open their source once the source page exists; until then no link leads nowhere.
    assert ("Open the source" in text) == ("summaries.source" in client.application.view_functions)


def test_a_round_without_themes_says_how_they_come(client, consultation):
    page = planner_client(client, consultation).get(url(consultation))
    assert page.status_code == 200
    assert "No theme yet: the workers propose themes when the round is compiled." in page.text
    assert "Add a theme" in page.text


def test_more_than_fifty_themes_are_paginated(client, consultation):
    for number in range(55):
        db.session.add(Theme(round_id=consultation.round.id, key=f"t-{number}", label=f"Thème numéro {number:02d}",
                             position=number))
    db.session.commit()
    planner_client(client, consultation)
    first = client.get(url(consultation))
    assert first.text.count('class="card"') == 50 and "Page 1 of 2" in first.text
    second = client.get(url(consultation), query_string={"page": 2})
    assert second.text.count('class="card"') == 5 and "Thème numéro 54" in second.text


# ------------------------------------------------------------------------------------------- one theme


def test_approve_set_aside_and_restore_move_the_theme_on_the_page(client, consultation):
    c = consultation
    theme = make_theme(c.round, "Logement", quotes=HOUSING)
    planner_client(client, c)

    approved = client.post(url(c, f"/{theme.id}/approve"), follow_redirects=True)
    assert "“Logement” is approved" in approved.text
    assert "Logement" in section(approved.text, "state-approved")
    assert 'id="state-proposed"' not in approved.text and "Every theme is reviewed." in approved.text
    assert fresh(theme).reviewed_by_id == c.planner.id and fresh(theme).reviewed_at is not None

    discarded = client.post(url(c, f"/{theme.id}/discard"), follow_redirects=True)
    assert "“Logement” is set aside" in discarded.text
    assert "Logement" in section(discarded.text, "state-discarded")

    refused = client.post(url(c, f"/{theme.id}/approve"), follow_redirects=True)
    assert "“Logement” was set aside, perhaps by a colleague. Restore it first" in refused.text
    assert fresh(theme).state is ThemeState.discarded

    restored = client.post(url(c, f"/{theme.id}/restore"), follow_redirects=True)
    assert "“Logement” is back among the proposed themes." in restored.text
    assert "Logement" in section(restored.text, "state-proposed")

    again = client.post(url(c, f"/{theme.id}/restore"), follow_redirects=True)
    assert "“Logement” is not set aside: there is nothing to restore." in again.text


def test_approve_all_approves_every_proposed_theme(client, consultation):
    c = consultation
    for label in ("Logement", "Transport", "Isolement"):
        make_theme(c.round, label)
    discarded = make_theme(c.round, "Météo", state=ThemeState.discarded)
    page = planner_client(client, c).post(url(c, "/approve-all"), follow_redirects=True)
    assert "3 themes approved" in page.text
    assert 'id="state-proposed"' not in page.text
    assert review.review_state(c.round) == {"proposed": 0, "approved": 3, "discarded": 1, "merged": 0,
                                            "total": 4, "pending": False}
    assert fresh(discarded).state is ThemeState.discarded
    nothing = client.post(url(c, "/approve-all"), follow_redirects=True)
    assert "No theme was still proposed" in nothing.text


def test_rename_keeps_the_key_and_refuses_an_empty_or_long_label(client, consultation):
    c = consultation
    theme = make_theme(c.round, "logement loyer", quotes=HOUSING)
    make_theme(c.round, "Transport")
    planner_client(client, c)
    form = client.get(url(c, f"/{theme.id}/edit"))
    assert form.status_code == 200 and 'value="logement loyer"' in form.text

    saved = client.post(url(c, f"/{theme.id}/edit"), data={
        "label": "  Le coût du   logement ", "description": "Loyers, salubrité, logement social."},
        follow_redirects=True)
    assert "“Le coût du logement” is saved. It is still proposed: approve it to keep it" in saved.text
    assert "Loyers, salubrité, logement social." in saved.text
    assert fresh(theme).key == "theme-1" and fresh(theme).label == "Le coût du logement"

    empty = client.post(url(c, f"/{theme.id}/edit"), data={"label": "   ", "description": ""})
    assert empty.status_code == 422 and "Enter the theme's label." in empty.text
    long = client.post(url(c, f"/{theme.id}/edit"), data={"label": "x" * 201, "description": "y" * 2001})
    assert long.status_code == 422
    assert "at most 200 characters" in long.text and "at most 2000 characters" in long.text
    taken = client.post(url(c, f"/{theme.id}/edit"), data={"label": "TRANSPORT", "description": ""})
    assert taken.status_code == 422 and "Another theme of this round is already called “Transport”" in taken.text
    assert fresh(theme).label == "Le coût du logement"


def test_keeping_a_quote_marks_it_as_an_example(client, consultation):
    c = consultation
    theme = make_theme(c.round, "Logement", quotes=HOUSING)
    quote = theme.quotes[1]
    planner_client(client, c)
    assert "<strong class=\"tag\">Example</strong>" not in client.get(url(c)).text

    kept = client.post(url(c, f"/{theme.id}/quotes/{quote.id}/keep"), data={"kept": "1"}, follow_redirects=True)
    assert "The quote is kept as an example of “Logement”." in kept.text
    assert kept.text.count("<strong class=\"tag\">Example</strong>") == 1
    assert "No longer an example" in kept.text
    assert [q.text for q in fresh(theme).examples] == [HOUSING[1]]

    dropped = client.post(url(c, f"/{theme.id}/quotes/{quote.id}/keep"), data={"kept": "0"}, follow_redirects=True)
    assert "The quote is no longer an example of “Logement”." in dropped.text
    assert fresh(theme).examples == []
    assert client.post(url(c, f"/{theme.id}/quotes/{quote.id}/keep"), data={"kept": "maybe"}).status_code == 400


def test_a_theme_has_at_most_twenty_examples(client, consultation):
    c = consultation
    texts = tuple(f"Passage numéro {n}." for n in range(21))
    theme = make_theme(c.round, "Logement", quotes=texts, kept=tuple(range(20)))
    last = theme.quotes[20]
    page = planner_client(client, c).post(url(c, f"/{theme.id}/quotes/{last.id}/keep"), data={"kept": "1"},
                                          follow_redirects=True)
    assert "“Logement” already has 20 examples." in page.text
    assert len(fresh(theme).examples) == 20


# --------------------------------------------------------------------------------------------- merge and split


def test_merge_moves_quotes_without_duplicates_and_sums_the_sizes(client, consultation):
    c = consultation
    housing = make_theme(c.round, "Logement", quotes=HOUSING, size=12, keyphrases=("loyer",))
    rents = make_theme(c.round, "Loyers", quotes=(HOUSING[0], "Le loyer mange la moitié du revenu."), size=5,
                       keyphrases=("loyer", "revenu"))
    unhealthy = make_theme(c.round, "Insalubrité", state=ThemeState.approved, quotes=("Il y a de la moisissure.",),
                           size=3)
    untouched = make_theme(c.round, "Transport", quotes=TRANSPORT)
    planner_client(client, c)

    page = client.post(url(c, "/merge"), data={"themes": [housing.id, rents.id, unhealthy.id], "into": housing.id},
                       follow_redirects=True)
    assert "2 themes were merged into “Logement”, which is approved." in page.text
    merged = section(page.text, "state-merged")
    assert "Merged into “Logement”." in merged and "Loyers" in merged and "Insalubrité" in merged
    kept = fresh(housing)
    assert kept.state is ThemeState.approved and kept.size == 20
    assert [q.text for q in kept.quotes] == [*HOUSING, "Le loyer mange la moitié du revenu.",
                                             "Il y a de la moisissure."]
    assert kept.keyphrases == ["loyer", "revenu"]
    assert fresh(rents).merged_into_id == housing.id and fresh(rents).state is ThemeState.merged
    assert len(fresh(rents).quotes) == 2  # the merged theme keeps its own, so earlier links still resolve
    assert fresh(untouched).state is ThemeState.proposed

    # Merging the result again re-points what was merged before to the theme that remains.
    client.post(url(c, "/merge"), data={"themes": [housing.id, untouched.id], "into": untouched.id})
    assert fresh(rents).merged_into_id == untouched.id and fresh(housing).merged_into_id == untouched.id


def test_merge_is_refused_with_fewer_than_two_themes(client, consultation):
    c = consultation
    housing = make_theme(c.round, "Logement", quotes=HOUSING)
    make_theme(c.round, "Transport")
    planner_client(client, c)
    one = client.post(url(c, "/merge"), data={"themes": [housing.id], "into": housing.id})
    assert one.status_code == 422 and "Choose at least two themes to merge." in one.text
    none = client.post(url(c, "/merge"), data={})
    assert none.status_code == 422 and "Choose the theme to keep." in none.text
    assert fresh(housing).state is ThemeState.proposed


def test_merge_refuses_themes_of_different_rounds(app, consultation):
    c = consultation
    other = _other_round(c)
    first, second = make_theme(c.round, "Logement"), make_theme(other, "Logement")
    with pytest.raises(review.ReviewError, match=r"same round|même ronde"):
        review.merge([first, second], first, c.planner)


def test_split_gives_the_chosen_quotes_to_a_new_approved_theme(client, consultation):
    c = consultation
    theme = make_theme(c.round, "Logement et transport", quotes=HOUSING + TRANSPORT, size=10)
    planner_client(client, c)
    form = client.get(url(c, f"/{theme.id}/split"))
    assert form.status_code == 200 and TRANSPORT[0] in form.text
    chosen = [q.id for q in theme.quotes if q.text in TRANSPORT]
    page = client.post(url(c, f"/{theme.id}/split"), data={
        "quotes": chosen, "label": "Transport", "description": "Se rendre aux services."}, follow_redirects=True)
    assert "“Transport” now holds 2 quotes taken from “Logement et transport”; it is approved." in page.text
    assert "Transport" in section(page.text, "state-approved")
    new = db.session.scalar(select(Theme).where(Theme.label == "Transport"))
    assert new.origin == "split" and new.key == "transport" and new.size == 4
    assert [q.text for q in new.quotes] == list(TRANSPORT)
    assert [q.text for q in fresh(theme).quotes] == list(HOUSING) and fresh(theme).size == 6


def test_split_is_refused_without_a_quote_or_with_all_of_them(client, consultation):
    c = consultation
    theme = make_theme(c.round, "Logement", quotes=HOUSING)
    planner_client(client, c)
    none = client.post(url(c, f"/{theme.id}/split"), data={"label": "Autre"})
    assert none.status_code == 422 and "Choose the quotes that belong to the new theme." in none.text
    every = client.post(url(c, f"/{theme.id}/split"), data={"quotes": [q.id for q in theme.quotes],
                                                             "label": "Autre"})
    assert every.status_code == 422 and "Leave at least one quote with “Logement”" in every.text
    assert len(fresh(theme).quotes) == 3
    assert db.session.scalar(select(db.func.count()).select_from(Theme)) == 1


def test_split_keys_are_unique_within_the_round(consultation):
    c = consultation
    first = make_theme(c.round, "Logement", quotes=HOUSING)
    db.session.add(Theme(round_id=c.round.id, key="transport", label="Transport (écarté)",
                         state=ThemeState.discarded, position=5))
    db.session.commit()
    new = review.split(first, [first.quotes[0].id], c.planner, "Transport", "")
    assert new.key == "transport-2"  # the set-aside key stays that theme's, never proposed again


# ------------------------------------------------------------------------------------------ a planner's theme


RESPITE = "Caregivers are exhausted and they need respite in the evening."


def test_a_planner_adds_a_theme_with_examples(client, consultation):
    c = consultation
    planner_client(client, c)
    assert client.get(url(c, "/new")).status_code == 200
    page = client.post(url(c, "/new"), data={
        "label": "Proches aidants", "description": "L'épuisement des proches aidants.",
        "examples": f"Je m'occupe de ma mère seule depuis trois ans.\n\n  {RESPITE}  \n"},
        follow_redirects=True)
    assert "“Proches aidants” is added and approved" in page.text
    approved = section(page.text, "state-approved")
    assert "Proches aidants" in approved and "added by a planner" in approved
    assert approved.count("<strong class=\"tag\">Example</strong>") == 2
    assert "An example written by a planner" in approved
    assert f'<blockquote lang="en">{RESPITE}</blockquote>' in approved
    theme = db.session.scalar(select(Theme).where(Theme.label == "Proches aidants"))
    assert theme.origin == "planner" and theme.key == "proches-aidants"
    assert [(q.source_kind, q.source_id, q.kept) for q in theme.quotes] == [("planner", None, True)] * 2


def test_a_planners_theme_is_refused_with_a_clear_message(client, consultation):
    c = consultation
    make_theme(c.round, "Proches aidants")
    planner_client(client, c)
    empty = client.post(url(c, "/new"), data={"label": " ", "examples": ""})
    assert empty.status_code == 422 and "Enter the theme's label." in empty.text
    same = client.post(url(c, "/new"), data={"label": "proches  AIDANTS"})
    assert same.status_code == 422 and "Another theme of this round is already called “Proches aidants”" in same.text
    many = client.post(url(c, "/new"), data={"label": "Logement",
                                             "examples": "\n".join(f"Exemple {n}" for n in range(21))})
    assert many.status_code == 422 and "At most 20 examples per theme (there are 21)." in many.text
    long = client.post(url(c, "/new"), data={"label": "Logement", "examples": "court\n" + "x" * 2001})
    assert long.status_code == 422 and "Example 2 is too long" in long.text
    assert db.session.scalar(select(db.func.count()).select_from(Theme)) == 1


# ---------------------------------------------------------------------------------------------- stale forms


def test_a_theme_a_colleague_merged_gives_a_message_not_an_error(client, consultation):
    c = consultation
    housing = make_theme(c.round, "Logement", quotes=HOUSING)
    rents = make_theme(c.round, "Loyers", quotes=("Le loyer est trop cher.",))
    transport = make_theme(c.round, "Transport", quotes=TRANSPORT)
    review.merge([housing, rents], housing, c.planner)  # a colleague, meanwhile
    db.session.commit()
    planner_client(client, c)
    message = "“Loyers” was already merged into “Logement”, perhaps by a colleague."
    for path, data in ((f"/{rents.id}/approve", {}), (f"/{rents.id}/discard", {}),
                       (f"/{rents.id}/edit", {"label": "Coût des loyers"}),
                       (f"/{rents.id}/split", {}),
                       (f"/{rents.id}/quotes/{rents.quotes[0].id}/keep", {"kept": "1"}),
                       ("/merge", {"themes": [rents.id, transport.id], "into": transport.id})):
        response = client.post(url(c, path), data=data)
        assert response.status_code == 302, path
        assert message in client.get(response.headers["Location"]).text, path
    assert fresh(transport).state is ThemeState.proposed and fresh(rents).label == "Loyers"


def test_a_theme_replaced_by_a_new_compilation_gives_a_message(client, consultation):
    c = consultation
    theme = make_theme(c.round, "Logement", quotes=HOUSING)
    theme_id, quote_id = theme.id, theme.quotes[0].id
    db.session.delete(theme)
    db.session.commit()
    planner_client(client, c)
    approved = client.post(url(c, f"/{theme_id}/approve"), follow_redirects=True)
    assert approved.status_code == 200 and "This theme no longer exists" in approved.text
    kept = client.post(url(c, f"/{theme_id}/quotes/{quote_id}/keep"), data={"kept": "1"}, follow_redirects=True)
    assert "This theme no longer exists" in kept.text


def test_a_quote_moved_by_a_colleague_gives_a_message(client, consultation):
    c = consultation
    theme = make_theme(c.round, "Logement et transport", quotes=HOUSING + TRANSPORT)
    moved = theme.quotes[3]
    review.split(theme, [moved.id], c.planner, "Transport", "")
    db.session.commit()
    page = planner_client(client, c).post(url(c, f"/{theme.id}/quotes/{moved.id}/keep"), data={"kept": "1"},
                                          follow_redirects=True)
    assert "This quote now belongs to “Transport”" in page.text


# ------------------------------------------------------------------------------------------------- who may


def _other_round(c) -> ConsultationRound:
    now = now_utc()
    other = ConsultationRound(project=c.project, title="Une autre consultation", mandate="Autre mandat.",
                              participation_level=ParticipationLevel.consultation, opens_at=now - timedelta(days=3),
                              closes_at=now + timedelta(days=30), state=RoundState.open,
                              versions=[c.needs_version], created_by_id=c.planner.id)
    db.session.add(other)
    db.session.commit()
    return other


def _all_actions(c, theme: Theme) -> list[tuple[str, dict]]:
    quote = theme.quotes[0]
    return [(url(c, f"/{theme.id}/approve"), {}), (url(c, f"/{theme.id}/discard"), {}),
            (url(c, f"/{theme.id}/restore"), {}), (url(c, "/approve-all"), {}),
            (url(c, f"/{theme.id}/edit"), {"label": "Changé"}),
            (url(c, f"/{theme.id}/split"), {"quotes": [quote.id], "label": "Changé"}),
            (url(c, "/merge"), {"themes": [theme.id], "into": theme.id}),
            (url(c, "/new"), {"label": "Changé"}),
            (url(c, f"/{theme.id}/quotes/{quote.id}/keep"), {"kept": "1"})]


def test_people_outside_the_establishment_cannot_see_nor_change_the_review(client, consultation, make_user):
    c = consultation
    theme = make_theme(c.round, "Logement", quotes=HOUSING)
    visitor = client.get(url(c))
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]
    outsider = make_user(planner=c.other_establishment)
    for user in (c.citizen, c.representative, c.moderator, outsider):
        client.login(user)
        assert client.get(url(c)).status_code == 403
        for path, data in _all_actions(c, theme):
            assert client.post(path, data=data).status_code == 403, path
        client.logout()
    assert fresh(theme).state is ThemeState.proposed and fresh(theme).label == "Logement"
    assert db.session.scalar(select(db.func.count()).select_from(Theme)) == 1


def test_a_draft_rounds_review_does_not_exist_for_citizens(client, make_consultation):
    c = make_consultation(round_state=RoundState.draft)
    client.login(c.citizen)
    assert client.get(url(c)).status_code == 404
    client.logout()
    client.login(c.planner)
    assert client.get(url(c)).status_code == 200


def test_an_administrator_reads_but_cannot_change(client, consultation, make_user):
    c = consultation
    theme = make_theme(c.round, "Logement", quotes=HOUSING)
    client.login(make_user(admin=True, locale="en"))
    page = client.get(url(c))
    assert page.status_code == 200 and "Logement" in page.text
    assert "You can read this review; only the planners" in page.text
    assert "Approve all" not in page.text and "Merge themes" not in page.text and "Keep as an example" not in page.text
    assert client.get(url(c, f"/{theme.id}/edit")).status_code == 403
    for path, data in _all_actions(c, theme):
        assert client.post(path, data=data).status_code == 403, path
    assert fresh(theme).state is ThemeState.proposed and fresh(theme).examples == []


def test_themes_of_another_round_are_not_found(client, consultation):
    c = consultation
    elsewhere = make_theme(_other_round(c), "Ailleurs", quotes=HOUSING)
    here = make_theme(c.round, "Ici", quotes=TRANSPORT)
    planner_client(client, c)
    for path in (f"/{elsewhere.id}/edit", f"/{elsewhere.id}/split"):
        assert client.get(url(c, path)).status_code == 404
    for path, data in ((f"/{elsewhere.id}/approve", {}), (f"/{elsewhere.id}/discard", {}),
                       (f"/{elsewhere.id}/quotes/{elsewhere.quotes[0].id}/keep", {"kept": "1"}),
                       (f"/{here.id}/quotes/{elsewhere.quotes[0].id}/keep", {"kept": "1"}),
                       ("/merge", {"themes": [here.id, elsewhere.id], "into": here.id})):
        assert client.post(url(c, path), data=data).status_code == 404, path
    assert fresh(elsewhere).state is ThemeState.proposed and fresh(here).state is ThemeState.proposed
    assert "Ailleurs" not in client.get(url(c)).text


# ------------------------------------------------------------------------------------------------- hostile


def test_hostile_labels_are_stored_and_shown_as_text(client, consultation):
    c = consultation
    theme = make_theme(c.round, "Logement", quotes=HOUSING)
    planner_client(client, c)
    failures = []
    for number, value in enumerate(naughty_strings()):
        added = client.post(url(c, "/new"), data={"label": value, "description": value, "examples": value})
        renamed = client.post(url(c, f"/{theme.id}/edit"), data={"label": f"{value} {number}",
                                                                 "description": value})
        for what, response in (("added", added), ("renamed", renamed)):
            if response.status_code not in (302, 422):
                failures.append((value, what, response.status_code))
    assert not failures, failures[:5]
    script = "<script>alert(123)</script>"
    client.post(url(c, f"/{theme.id}/edit"), data={"label": script, "description": script})
    assert fresh(theme).label == script
    page = client.get(url(c))
    assert page.status_code == 200
    assert script not in page.text and "&lt;script&gt;alert(123)&lt;/script&gt;" in page.text
    last = -(-db.session.scalar(select(db.func.count()).select_from(Theme)) // 50)
    for number in range(2, last + 1):
        assert script not in client.get(url(c), query_string={"page": number}).text
