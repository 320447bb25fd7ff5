"""Analysis of participants' text: language, sentences, lemmas, keyphrases, digest, and form-letter grouping.

spaCy's French pipeline loads once per process (module-level cache), so the whole module pays for it once."""

from __future__ import annotations

import random

import pytest

from consult.sampledata.texts import CAMPAIGN_FR, campaign_letter, comment
from consult.summaries.analysis import (
    Analysis,
    analyse,
    analyse_many,
    detect_language,
    digest,
    near_duplicates,
    normalize,
)

pytestmark = pytest.mark.dialect_free  # text and files only: run once, on SQLite

FRENCH = ("Les hébergements pour aînés manquent dans notre quartier. Les proches aidants attendent des mois "
          "avant d'obtenir du répit!\n\nNous demandons plus de soutien à domicile")
ENGLISH = "Caregivers are exhausted. The waiting lists for housing keep growing, and seniors live alone."


def test_french_text_is_french_with_sentences_and_singular_lemmas():
    analysis = analyse(FRENCH)

    assert analysis.language == "fr"
    assert [s.text for s in analysis.sentences] == [
        "Les hébergements pour aînés manquent dans notre quartier.",
        "Les proches aidants attendent des mois avant d'obtenir du répit!",
        "Nous demandons plus de soutien à domicile",       # a paragraph break ends a sentence too
    ]
    for sentence in analysis.sentences:
        assert analysis.text[sentence.start:sentence.end] == sentence.text
    lemmas = analysis.lemmas
    assert "hébergement" in lemmas and "hébergements" not in lemmas
    assert {"aîné", "proche", "aidant", "répit", "soutien", "domicile"} <= set(lemmas)
    # Stop words and punctuation are not lemmas.
    assert not {"les", "pour", "dans", "notre", "des", "!", "."} & set(lemmas)


def test_french_keyphrases_keep_their_linking_words_and_leave_verbs_out():
    phrases = {k.key: k.text for k in analyse(FRENCH).keyphrases}

    assert phrases["soutien domicile"] == "soutien à domicile"
    assert phrases["proche aidant"] == "proches aidants"
    assert not any("manquer" in key or "demander" in key for key in phrases)


def test_english_text_is_english_with_lookup_lemmas():
    analysis = analyse(ENGLISH)

    assert analysis.language == "en"
    assert len(analysis.sentences) == 2
    assert {"caregiver", "housing", "list", "senior", "alone"} <= set(analysis.lemmas)
    assert "waiting list" in {k.key for k in analysis.keyphrases}


def test_language_detection_handles_short_and_unaccented_text():
    assert detect_language("ya pas assez de place en hlm pour le monde du quartier") == "fr"
    assert detect_language("Du répit, du répit, du répit.") == "fr"
    assert detect_language("We need more buses to the clinic") == "en"
    assert detect_language("") == "fr"


def test_digest_ignores_spacing_but_not_words_and_analyses_round_trip():
    assert digest("Plus  de\r\nrépit ") == digest("Plus de\nrépit")
    assert digest("Plus de répit") != digest("Moins de répit")
    assert normalize("  a \t b\n\n\n\nc ") == "a b\n\nc"

    analysis = analyse(FRENCH)
    assert analysis.digest == digest(FRENCH)
    assert Analysis.from_dict(analysis.to_dict()) == analysis
    assert analysis.cache_key.endswith(analysis.digest)


def test_analyse_many_keeps_order_and_analyses_equal_texts_once():
    texts = [FRENCH, ENGLISH, FRENCH + "  ", "Bonjour."]
    analyses = analyse_many(texts)

    assert [a.language for a in analyses] == ["fr", "en", "fr", "fr"]
    assert analyses[0] is analyses[2]
    assert analyses[3].lemmas == ("bonjour",)


def test_a_campaign_is_one_group_with_its_count():
    rng = random.Random(3)
    letters = [campaign_letter(rng) for _ in range(40)]
    others = [comment(random.Random(seed)) for seed in range(100, 140)]
    texts = others[:20] + letters + others[20:]
    # People also edit a campaign's text a little.
    texts.append(CAMPAIGN_FR.replace("nous demandons", "on demande"))

    groups = near_duplicates(texts)

    campaign = groups[0]
    assert campaign.count == 41
    assert set(campaign.members) == set(range(20, 60)) | {len(texts) - 1}
    assert campaign.representative == 20
    # The ordinary comments are not pulled into it, and a rerun gives the same groups.
    assert all(set(group.members).isdisjoint(campaign.members) for group in groups[1:])
    assert near_duplicates(texts) == groups


def test_distinct_comments_and_short_replies_do_not_make_campaigns():
    texts = [
        "Il faudrait plus de navettes vers la clinique de Saint-Michel pour les personnes sans voiture.",
        "Il faudrait plus de logements sociaux près de la clinique de Saint-Michel pour les familles.",
        "D'accord.",
        "Tout à fait d'accord avec cette proposition.",
        "D'accord.",
    ]
    groups = near_duplicates(texts)
    assert [group.members for group in groups] == [(2, 4)]      # only the identical short replies
