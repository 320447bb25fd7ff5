"""Suggested tags: deterministic keyword matching in French and English, stored as suggestions that never
override what a person decided, and the taxonomy's local and retired tags."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.core.db import db
from consult.equity import suggestions, taxonomy
from consult.equity.models import InputTag, TagOrigin, TagState
from consult.participation.models import InputKind
from tests.equity import builders

LONELY = "Depuis le décès de mon mari, je me sens très seule. Mon loyer a augmenté de 12 % cette année."
ENGLISH = "As a caregiver I feel invisible: nobody asked us what help we need at night."


def test_french_text_suggests_its_dimensions_relations_and_sides():
    [found] = suggestions.suggest([LONELY])
    keys = [key for key, _score in found]
    assert {"relational", "material", "perceived", "objective"} <= set(keys)
    assert "ethnicity" not in keys
    assert all(0 < score <= 1 for _key, score in found)
    scores = [score for _key, score in found]
    assert scores == sorted(scores, reverse=True)  # best first


def test_english_text_and_words_without_accents_match_too():
    [english, plain] = suggestions.suggest([ENGLISH, "les ainees isolees et les proches aidantes"])
    assert {"interest", "perceived"} <= {key for key, _s in english}
    assert {"age", "relational", "interest"} <= {key for key, _s in plain}


def test_suggestions_are_deterministic_and_do_not_depend_on_the_other_texts():
    texts = [LONELY, ENGLISH, "", "Rien à signaler."]
    first = suggestions.suggest(texts)
    assert suggestions.suggest(texts) == first
    assert suggestions.suggest(list(reversed(texts))) == list(reversed(first))
    assert first[2] == [] and first[3] == []


def test_a_plural_and_a_prefix_match_but_not_a_word_inside_another():
    rules = {"x": {"fr": ("seule", "isol*", "faible revenu")}}
    [plural, prefix, phrase, inside] = suggestions.suggest(
        ["Elles sont seules.", "L'isolement pèse.", "Un faible revenu.", "Les résidents désolés."], rules)
    assert [k for k, _s in plural] == ["x"] and [k for k, _s in prefix] == ["x"] and [k for k, _s in phrase] == ["x"]
    assert inside == []


def test_stored_suggestions_are_not_duplicated_and_never_override_a_decision(consultation, make_user):
    c = consultation
    one = builders.comment(c, c.citizen, LONELY)
    two = builders.comment(c, make_user(), ENGLISH)
    builders.tag(c, InputKind.comment, one.id, "relational", TagState.confirmed)
    builders.tag(c, InputKind.comment, one.id, "material", TagState.rejected)
    inputs = [(InputKind.comment, one.id, one.body), ("comment", two.id, two.body)]

    created = suggestions.store_suggestions(c.round, inputs)
    db.session.commit()
    rows = {(r.input_id, r.tag): r for r in db.session.scalars(select(InputTag))}
    assert created > 0 and rows[(one.id, "perceived")].state is TagState.suggested
    assert rows[(one.id, "perceived")].origin is TagOrigin.pipeline and rows[(one.id, "perceived")].score > 0
    assert rows[(one.id, "relational")].state is TagState.confirmed
    assert rows[(one.id, "material")].state is TagState.rejected
    assert rows[(two.id, "interest")].state is TagState.suggested

    total = db.session.scalar(select(func.count()).select_from(InputTag))
    assert suggestions.store_suggestions(c.round, inputs) == 0
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(InputTag)) == total


def test_a_suggestion_the_text_no_longer_supports_goes_but_a_decision_stays(consultation):
    c = consultation
    text = builders.comment(c, c.citizen, LONELY)
    suggestions.store_suggestions(c.round, [(InputKind.comment, text.id, LONELY)])
    db.session.commit()
    perceived = db.session.scalar(select(InputTag).where(InputTag.tag == "perceived"))
    perceived.state = TagState.confirmed
    db.session.commit()
    suggestions.store_suggestions(c.round, [(InputKind.comment, text.id, "Rien à signaler.")])
    db.session.commit()
    left = {r.tag: r.state for r in db.session.scalars(select(InputTag))}
    assert left == {"perceived": TagState.confirmed}


def test_an_establishments_local_tags_are_suggested_until_retired(consultation):
    c = consultation
    caregivers = builders.local_tag(c.establishment)
    builders.local_tag(c.establishment, "Ancien code", retired=True, keywords_fr="seule")
    builders.local_tag(c.other_establishment, "Ailleurs", keywords_fr="seule")
    text = builders.comment(c, c.citizen, "Les proches aidantes sont seules la nuit.")
    suggestions.store_suggestions(c.round, [(InputKind.comment, text.id, text.body)])
    db.session.commit()
    keys = set(db.session.scalars(select(InputTag.tag)))
    assert caregivers.key in keys
    assert {k for k in keys if k.startswith("local:")} == {caregivers.key}


def test_every_builtin_tag_has_french_and_english_keywords_and_stable_keys():
    assert taxonomy.DIMENSIONS == ("material", "relational", "decisional")
    assert taxonomy.SOCIAL_RELATIONS == ("gender", "class", "ethnicity", "age", "other_relation")
    assert taxonomy.COMMUNITIES == ("territorial", "identity", "interest")
    assert taxonomy.SIDES == ("objective", "perceived")
    for tag in taxonomy.BUILTIN_TAGS:
        assert tag.keywords["fr"] and tag.keywords["en"], tag.key
