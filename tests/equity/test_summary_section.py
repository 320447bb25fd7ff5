"""The equity section of the summary: confirmed tags only, by dimension and social relation, objective and
perceived apart, verbatim quotes with their source, confidential briefs counted but never quoted."""

from __future__ import annotations

import json
import re

from flask import render_template_string

from consult.equity.models import TagOrigin, TagState
from consult.equity.summary_section import equity_section
from consult.participation.models import BriefVisibility, InputKind
from tests.equity import builders

ISOLATED = "Je me sens très seule depuis le décès de mon mari.\n\nLe CLSC est loin de chez moi."
RENT = "Mon loyer a augmenté de 12 % cette année."


def _entries(section, group):
    return {entry["key"]: entry for entry in section[group]}


def test_confirmed_tags_count_by_dimension_with_the_two_sides_apart(consultation, make_user):
    c = consultation
    lonely = builders.comment(c, c.citizen, ISOLATED)
    rent = builders.comment(c, make_user(), RENT)
    both = builders.comment(c, make_user(), "Je sens que c'est difficile, et les chiffres le montrent.")
    for key in ("relational", "gender", "perceived"):
        builders.tag(c, InputKind.comment, lonely.id, key)
    for key in ("material", "class", "objective"):
        builders.tag(c, InputKind.comment, rent.id, key)
    for key in ("material", "objective", "perceived"):
        builders.tag(c, InputKind.comment, both.id, key)
    builders.tag(c, InputKind.comment, lonely.id, "age", TagState.suggested, TagOrigin.pipeline)
    builders.tag(c, InputKind.comment, rent.id, "ethnicity", TagState.rejected)

    section = equity_section(c.round)
    json.dumps(section)  # JSON-ready
    assert section["tagged_inputs"] == 3 and section["pending_suggestions"] == 1
    dimensions = _entries(section, "dimensions")
    assert list(dimensions) == ["material", "relational", "decisional"]  # every dimension, zeros included
    material = dimensions["material"]
    assert material["count"] == 2
    assert material["by_side"]["objective"]["count"] == 2 and material["by_side"]["perceived"]["count"] == 1
    assert dimensions["relational"]["by_side"]["perceived"]["count"] == 1
    assert dimensions["relational"]["by_side"]["objective"]["count"] == 0
    assert dimensions["decisional"]["count"] == 0
    relations = _entries(section, "social_relations")
    assert relations["gender"]["count"] == 1 and relations["age"]["count"] == 0  # a suggestion counts nowhere
    assert relations["ethnicity"]["count"] == 0  # nor a rejected tag
    quote = dimensions["relational"]["by_side"]["perceived"]["quotes"][0]
    assert quote["text"] == "Je me sens très seule depuis le décès de mon mari."  # verbatim, its best paragraph
    assert quote["language"] == "fr"
    assert quote["source"] == {"kind": "comment", "id": lonely.id, "attachment_id": None, "page": None,
                               "paragraph": None, "label": ""}


def test_a_confidential_brief_counts_but_is_never_quoted_and_hidden_inputs_do_not_count(consultation, make_user):
    c = consultation
    secret = builders.brief(c, visibility=BriefVisibility.confidential, body="Nos bénévoles voient l'isolement.")
    public = builders.brief(c, organization=c.other_organization, author=c.other_representative,
                            title="Repas", body="Introduction.\n\nLes aînés isolés attendent nos visites.")
    hidden = builders.comment(c, make_user(), "Propos retiré.", hidden=True)
    for kind, input_id in ((InputKind.brief, secret.id), (InputKind.brief, public.id), (InputKind.comment, hidden.id)):
        builders.tag(c, kind, input_id, "relational")
    section = equity_section(c.round)
    relational = _entries(section, "dimensions")["relational"]
    assert relational["count"] == 2
    quotes = relational["by_side"]["unspecified"]["quotes"]
    assert [q["source"]["id"] for q in quotes] == [public.id]
    assert quotes[0]["text"] == "Les aînés isolés attendent nos visites."
    assert quotes[0]["source"]["paragraph"] == 2 and quotes[0]["source"]["label"] == c.other_organization.name


def test_local_tags_carry_their_labels_and_stay_when_retired(consultation):
    c = consultation
    caregivers = builders.local_tag(c.establishment, retired=True)
    text = builders.comment(c, c.citizen, "Les proches aidantes n'ont aucun répit.")
    builders.tag(c, InputKind.comment, text.id, caregivers.key)
    [entry] = equity_section(c.round)["local"]
    assert entry["key"] == caregivers.key and entry["label"] == {"fr": "Proches aidants", "en": "Caregivers"}
    assert entry["retired"] is True and entry["count"] == 1 and entry["list_name"] == "Priorités"


def test_the_partial_renders_the_section_in_the_readers_language(app, consultation):
    c = consultation
    text = builders.comment(c, c.citizen, RENT)
    builders.tag(c, InputKind.comment, text.id, "material")
    builders.tag(c, InputKind.comment, text.id, "objective")
    section = equity_section(c.round)
    with app.test_request_context("/"):
        from flask_babel import force_locale

        with force_locale("en_CA"):
            html = render_template_string('{% include "equity/_summary_section.html" %}', section=section)
    assert "Inequalities the inputs speak of" in html and "By dimension of inequality" in html
    assert "<h2 id=\"equity-section-title\">" in html
    assert "Material" in html and "Objective side" in html and RENT in html
    assert re.search(r'<a href="[^"]+">read it in its context<span class="visually-hidden">', html)  # to its source
    assert render_template_string('{% include "equity/_summary_section.html" %}', section=None).strip() == ""
