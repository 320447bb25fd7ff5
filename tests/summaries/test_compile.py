"""The database side of a summary: who took part (small groups never shown), what each item received,
who holds which position (the minority quoted as written), the proposed needs and the answers given."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from consult.core.db import db, now_utc
from consult.organizations.models import Organization, OrganizationKind
from consult.participation.models import (
    Brief,
    BriefAttachment,
    BriefCosigner,
    BriefPosition,
    BriefState,
    BriefVisibility,
    Comment,
    CosignState,
    Disposition,
    InputKind,
    Outcome,
    ParticipantProfile,
    ProposedNeed,
    Stance,
    Support,
)
from consult.summaries import compile as compiler
from consult.summaries.content import public_view

# ---------------------------------------------------------------------------------------------------- helpers


def comment(c, author, body: str = "Un commentaire.", *, uid: str | None = None, version=None,
            parent: Comment | None = None, hidden: bool = False, at=None) -> Comment:
    version = version or c.needs_version
    made = Comment(round_id=c.round.id, version_id=version.id, item_uid=uid or c.need_uid, item_kind="need",
                   author_id=author.id if author else None, body=body, reply_count=0,
                   parent_id=parent.id if parent else None, root_id=(parent.root_id if parent else None),
                   hidden_at=now_utc() if hidden else None, hidden_reason="Propos injurieux." if hidden else None)
    if at is not None:
        made.created_at = at
    db.session.add(made)
    db.session.flush()
    if parent is None:
        made.root_id = made.id
        db.session.flush()
    return made


def support(c, user, uid: str | None = None, version=None) -> Support:
    version = version or c.needs_version
    made = Support(round_id=c.round.id, version_id=version.id, item_uid=uid or c.need_uid, item_kind="need",
                   user_id=user.id)
    db.session.add(made)
    db.session.flush()
    return made


def brief(c, organization, *positions: tuple[str, Stance, str | None], state: BriefState = BriefState.submitted,
          confidential: bool = False, hidden: bool = False, cosigners=(), at=None) -> Brief:
    """A brief of `organization` with positions (uid, stance, text); uids of the gap analysis are found."""
    made = Brief(round_id=c.round.id, organization_id=organization.id, title=f"Mémoire de {organization.name}",
                 body="Texte.", state=state,
                 visibility=BriefVisibility.confidential if confidential else BriefVisibility.public,
                 submitted_at=(at or now_utc()) if state is not BriefState.draft else None,
                 hidden_at=now_utc() if hidden else None)
    db.session.add(made)
    db.session.flush()
    for uid, stance, text in positions:
        version = c.gaps_version if uid == c.gap_uid else c.needs_version
        db.session.add(BriefPosition(brief_id=made.id, version_id=version.id, item_uid=uid,
                                     item_kind="gap" if uid == c.gap_uid else "need", stance=stance, text=text))
    for other, cosign_state in cosigners:
        db.session.add(BriefCosigner(brief_id=made.id, organization_id=other.id, state=cosign_state))
    db.session.flush()
    return made


def organization(name: str, kind: OrganizationKind = OrganizationKind.community, territories=()) -> Organization:
    made = Organization(name=name, kind=kind, territories=list(territories))
    db.session.add(made)
    db.session.flush()
    return made


def people(make_user, count: int) -> list:
    return [make_user() for _ in range(count)]


def cell(rows: list[dict], key) -> dict:
    return next(row for row in rows if row["key"] == key)


def item_of(found: list[dict], uid: str) -> dict:
    return next(item for item in found if item["uid"] == uid)


@contextmanager
def counting_queries():
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


# ---------------------------------------------------------------------------------------------- participation


def test_four_people_are_not_shown_and_five_are(consultation, make_user):
    c = consultation
    four = people(make_user, 4)
    for person in four[:3]:
        comment(c, person)
    support(c, four[3])
    db.session.commit()

    found = compiler.participation(c.round)
    citizens = cell(found["by_kind"], "citizen")
    assert citizens == {"key": "citizen", "value": None, "suppressed": True}
    assert cell(found["by_age_band"], None)["suppressed"] is True
    # Nobody in a band is shown as 0: it singles nobody out.
    assert cell(found["by_age_band"], "18_34") == {"key": "18_34", "value": 0, "suppressed": False}

    fifth = make_user()
    support(c, fifth)
    comment(c, four[0], "Encore moi.")  # the same person twice is still one person
    db.session.commit()

    found = compiler.participation(c.round)
    assert cell(found["by_kind"], "citizen") == {"key": "citizen", "value": 5, "suppressed": False}
    assert cell(found["by_gender"], None) == {"key": None, "value": 5, "suppressed": False}
    assert compiler.totals(c.round)["participants"] == 5


def test_people_without_a_profile_are_not_stated_never_guessed(consultation, make_user):
    c = consultation
    with_profile, without = people(make_user, 5), people(make_user, 6)
    for person in with_profile:
        db.session.add(ParticipantProfile(user_id=person.id, age_band="65_74", gender="woman", area_id=c.area.id,
                                          population_group="caregivers"))
        comment(c, person)
    for person in without:
        support(c, person)
    db.session.commit()

    found = compiler.participation(c.round)
    assert cell(found["by_age_band"], "65_74")["value"] == 5
    assert cell(found["by_age_band"], None)["value"] == 6
    assert cell(found["by_gender"], "woman")["value"] == 5
    assert cell(found["by_gender"], "man")["value"] == 0
    assert cell(found["by_population_group"], "caregivers")["value"] == 5
    assert cell(found["by_population_group"], None)["value"] == 6
    assert found["by_age_band"][-1]["key"] is None  # "not stated" comes last
    area = cell(found["by_area"], str(c.area.id))
    assert area == {"key": str(c.area.id), "label": "Centre-Sud", "value": 5, "suppressed": False}
    assert cell(found["by_area"], None)["value"] == 6


def test_organizations_count_as_authors_and_confirmed_cosigners(consultation, make_user):
    c = consultation
    others = [organization(f"Organisme {n}", OrganizationKind.autonomous_community, [c.area]) for n in range(3)]
    brief(c, c.organization, cosigners=[(c.coalition, CosignState.confirmed),
                                        (c.other_organization, CosignState.requested)])
    for other in others:
        brief(c, other)
    brief(c, c.other_organization, state=BriefState.draft)  # a draft is no participation
    db.session.commit()

    found = compiler.participation(c.round)
    # Carrefour, the coalition (confirmed co-signer) and the three others; Popote only asked / drafted.
    assert cell(found["by_kind"], "organization") == {"key": "organization", "value": 5, "suppressed": False}
    assert cell(found["by_organization_kind"], "autonomous_community") == {
        "key": "autonomous_community", "value": None, "suppressed": True}  # 4 of them: too few to show
    assert cell(found["by_organization_kind"], "social_economy")["value"] == 0
    # Three organizations declare Centre-Sud: suppressed; the two declaring nothing too.
    assert cell(found["by_area"], str(c.area.id))["suppressed"] is True
    assert cell(found["by_area"], None)["suppressed"] is True
    assert compiler.totals(c.round)["participants"] == 5


def test_a_small_group_of_people_is_not_revealed_by_organizations_in_the_same_area(consultation, make_user):
    c = consultation
    for n in range(5):
        brief(c, organization(f"Organisme {n}", territories=[c.area]))
    person = make_user()
    db.session.add(ParticipantProfile(user_id=person.id, area_id=c.area.id))
    comment(c, person)
    db.session.commit()

    area = cell(compiler.participation(c.round)["by_area"], str(c.area.id))
    # 5 organizations + 1 person = 6, but 6 - 5 public organizations would point at one person.
    assert area["value"] is None and area["suppressed"] is True


# ---------------------------------------------------------------------------------------------------- totals


def test_hidden_comments_withdrawn_and_draft_briefs_are_not_counted(consultation, make_user):
    c = consultation
    writer, hidden_writer = make_user(), make_user()
    first = comment(c, writer, "Premier commentaire.")
    comment(c, writer, "Une réponse.", parent=first)
    comment(c, hidden_writer, "Propos injurieux.", hidden=True)
    comment(c, None, "Écrit par une personne qui a effacé son compte.")
    kept = brief(c, c.organization, confidential=True)
    db.session.add(BriefAttachment(brief_id=kept.id, storage_key="a" * 64, filename="memoire.pdf",
                                   media_type="application/pdf", size=10))
    brief(c, c.other_organization, state=BriefState.withdrawn)
    brief(c, c.coalition, state=BriefState.draft)
    brief(c, organization("Caché par la modération"), hidden=True)
    db.session.add_all([
        ProposedNeed(round_id=c.round.id, version_id=c.needs_version.id, author_id=writer.id, title="Besoin",
                     description="Décrit."),
        ProposedNeed(round_id=c.round.id, version_id=c.needs_version.id, author_id=hidden_writer.id,
                     title="Caché", description="Caché.", hidden_at=now_utc(), hidden_reason="Hors sujet."),
    ])
    support(c, hidden_writer)
    db.session.commit()

    assert compiler.totals(c.round) == {
        "comments": 3, "threads": 2, "briefs": 1, "confidential_briefs": 1, "attachments": 1,
        "proposed_needs": 1, "supports": 1,
        # the writer, the supporter (whose hidden comment does not count, but whose support does), Carrefour
        "participants": 3,
    }
    assert item_of(compiler.items(c.round, {}, {})[0], c.need_uid)["comments"] == 3


# ------------------------------------------------------------------------------------------------------- items


def test_items_follow_the_steps_with_their_supports_and_comments(consultation, make_user):
    c = consultation
    supporter = make_user()
    support(c, supporter)
    support(c, c.citizen)
    comment(c, c.citizen, "Sur le besoin.")
    comment(c, c.citizen, "Sur l'écart.", uid=c.gap_uid, version=c.gaps_version)
    db.session.commit()

    found, agreements, disagreements = compiler.items(c.round, {}, {})
    assert [(i["step"], i["kind"]) for i in found] == [(1, "need"), (1, "need"), (3, "gap")]
    need = item_of(found, c.need_uid)
    assert need["title"] == "Isolement des aînés"
    assert (need["supports"], need["comments"], need["agreement"]) == (2, 1, "none")
    assert item_of(found, c.other_need_uid)["supports"] == 0
    assert item_of(found, c.gap_uid)["comments"] == 1
    assert agreements == [] and disagreements == []


def test_a_disagreement_names_who_holds_each_side_and_quotes_the_minority_verbatim(consultation):
    c = consultation
    minority_text = "Nous nous opposons : « les visites du soir » existent déjà chez nous.\nDeuxième ligne."
    base = now_utc()
    brief(c, c.organization, (c.gap_uid, Stance.support, "Oui."), at=base)
    brief(c, c.coalition, (c.gap_uid, Stance.support, None), at=base + timedelta(minutes=1))
    brief(c, c.other_organization, (c.gap_uid, Stance.oppose, minority_text), at=base + timedelta(minutes=2))
    amender = organization("Comité des usagers", OrganizationKind.users_committee)
    brief(c, amender, (c.gap_uid, Stance.amend, "Ajouter les fins de semaine."), at=base + timedelta(minutes=3))
    db.session.commit()

    found, agreements, disagreements = compiler.items(c.round, {}, {})
    gap = item_of(found, c.gap_uid)
    assert gap["agreement"] == "disagreement"
    assert [p["holder"]["name"] for p in gap["positions"]["support"]] == ["Carrefour des aînés",
                                                                          "Table de concertation des aînés"]
    assert gap["positions"]["support"][1]["text"] == ""
    assert [p["holder"]["name"] for p in gap["positions"]["oppose"]] == ["Popote roulante"]
    assert gap["minority"] == [{"stance": "oppose", "text": minority_text, "holder": {
        "organization_id": c.other_organization.id, "name": "Popote roulante",
        "brief_id": gap["positions"]["oppose"][0]["holder"]["brief_id"], "confidential": False}}]
    assert agreements == []
    assert len(disagreements) == 1
    entry = disagreements[0]
    assert (entry["uid"], entry["title"]) == (c.gap_uid, "Pas de visites à domicile le soir")
    assert [p["holder"]["name"] for p in entry["oppose"]] == ["Popote roulante"]
    assert [p["text"] for p in entry["amend"]] == ["Ajouter les fins de semaine."]


def test_a_tied_disagreement_lists_both_sides_as_the_minority(consultation):
    c = consultation
    brief(c, c.organization, (c.need_uid, Stance.support, "Pour."))
    brief(c, c.other_organization, (c.need_uid, Stance.oppose, "Contre."))
    db.session.commit()

    need = item_of(compiler.items(c.round, {}, {})[0], c.need_uid)
    assert [p["text"] for p in need["minority"]] == ["Pour.", "Contre."]


def test_a_consensus_lists_its_holders_and_a_confidential_holder_is_flagged(consultation):
    c = consultation
    brief(c, c.organization, (c.other_need_uid, Stance.support, None), (c.need_uid, Stance.amend, "Préciser."))
    secret = brief(c, c.other_organization, (c.other_need_uid, Stance.support, "En confidence."),
                   confidential=True)
    db.session.commit()

    found, agreements, disagreements = compiler.items(c.round, {}, {})
    assert item_of(found, c.other_need_uid)["agreement"] == "consensus"
    assert item_of(found, c.need_uid)["agreement"] == "mixed"  # one amendment alone agrees with nobody
    assert disagreements == []
    assert len(agreements) == 1
    assert agreements[0]["uid"] == c.other_need_uid and agreements[0]["stance"] == "support"
    assert agreements[0]["holders"] == [
        {"organization_id": c.organization.id, "name": "Carrefour des aînés",
         "brief_id": agreements[0]["holders"][0]["brief_id"], "confidential": False},
        {"organization_id": c.other_organization.id, "name": "Popote roulante", "brief_id": secret.id,
         "confidential": True}]

    content = {"items": found, "agreements": agreements, "disagreements": disagreements}
    public = public_view(content)  # type: ignore[arg-type]
    assert [h["name"] for h in public["agreements"][0]["holders"]] == ["Carrefour des aînés"]


def test_withdrawn_and_hidden_briefs_hold_no_position(consultation):
    c = consultation
    brief(c, c.organization, (c.need_uid, Stance.support, None))
    brief(c, c.other_organization, (c.need_uid, Stance.oppose, "Retiré."), state=BriefState.withdrawn)
    brief(c, c.coalition, (c.need_uid, Stance.oppose, "Caché."), hidden=True)
    db.session.commit()

    need = item_of(compiler.items(c.round, {}, {})[0], c.need_uid)
    assert need["agreement"] == "mixed"
    assert need["positions"]["oppose"] == [] and need["minority"] == []


def test_themes_of_an_item_come_from_its_comments_most_frequent_first(consultation, make_user):
    c = consultation
    first, second, third = (comment(c, c.citizen, f"Commentaire {n}.") for n in range(3))
    on_gap = comment(c, c.citizen, "Sur l'écart.", uid=c.gap_uid, version=c.gaps_version)
    hidden = comment(c, c.citizen, "Caché.", hidden=True)
    db.session.commit()
    themes_of = {("comment", first.id): [1, 2], ("comment", second.id): [2], ("comment", third.id): [2, 99],
                 ("comment", on_gap.id): [1], ("comment", hidden.id): [1], ("brief", first.id): [1]}
    labels = {1: "Transport", 2: "Isolement"}

    found = compiler.items(c.round, themes_of, labels)[0]
    assert item_of(found, c.need_uid)["themes"] == [{"id": 2, "label": "Isolement", "count": 3},
                                                     {"id": 1, "label": "Transport", "count": 1}]
    assert item_of(found, c.gap_uid)["themes"] == [{"id": 1, "label": "Transport", "count": 1}]
    assert item_of(found, c.other_need_uid)["themes"] == []


def test_quotes_are_whole_first_comments_longest_under_the_limit(consultation, make_user):
    c = consultation
    too_long = "Trop long. " * 60
    longest = "We need evening home visits for older people who live alone, and the bus does not run at night."
    short = "Oui, c'est vrai.\nEt ça dure depuis longtemps."
    comment(c, c.citizen, too_long)
    kept_short = comment(c, c.citizen, short)
    root = comment(c, c.citizen, longest)
    comment(c, c.citizen, "Une réponse beaucoup plus longue que toutes les autres, mais c'est une réponse." * 2,
            parent=root)
    comment(c, c.citizen, "Caché par la modération, et plus long que le court commentaire.", hidden=True)
    medium = comment(c, c.citizen, "Un commentaire de longueur moyenne sur l'isolement.")
    db.session.commit()

    quotes = item_of(compiler.items(c.round, {}, {})[0], c.need_uid)["quotes"]
    assert [q["text"] for q in quotes] == [longest, "Un commentaire de longueur moyenne sur l'isolement.", short]
    assert [q["language"] for q in quotes] == ["en", "fr", "fr"]
    assert quotes[0]["source"] == {"kind": "comment", "id": root.id, "attachment_id": None, "page": None,
                                   "paragraph": None, "label": ""}
    assert [q["source"]["id"] for q in quotes[1:]] == [medium.id, kept_short.id]


def test_items_reads_the_round_in_the_same_few_queries_whatever_its_size(consultation, make_user):
    c = consultation
    authors = people(make_user, 3)

    def add(count: int) -> dict:
        made = [comment(c, authors[n % 3], f"Commentaire numéro {n}.", uid=(c.need_uid, c.gap_uid)[n % 2],
                        version=(c.needs_version, c.gaps_version)[n % 2]) for n in range(count)]
        for person in people(make_user, 2):
            support(c, person, c.other_need_uid)
        brief(c, organization(f"Organisme {count}"), (c.need_uid, Stance.support, None),
              (c.gap_uid, Stance.oppose, "Non."))
        db.session.commit()
        return {("comment", m.id): [1] for m in made}

    def run(themes_of: dict) -> int:
        round_ = c.round
        assert round_.id  # loaded before counting
        with counting_queries() as statements:
            found = compiler.items(round_, themes_of, {1: "Isolement"})[0]
        assert found
        return len(statements)

    themes = add(10)
    small = run(themes)
    themes |= add(50)
    large = run(themes)
    assert small == large
    assert large <= 8
    need = item_of(compiler.items(c.round, themes, {1: "Isolement"})[0], c.need_uid)
    assert need["comments"] == 30 and need["themes"] == [{"id": 1, "label": "Isolement", "count": 30}]


def test_no_version_in_consultation_gives_no_item(make_consultation):
    c = make_consultation()
    c.round.versions = []
    db.session.commit()
    assert compiler.items(c.round, {}, {}) == ([], [], [])


# ------------------------------------------------------------------------------------ proposed needs and answers


def test_proposed_needs_are_the_visible_ones_oldest_first_with_their_area(consultation):
    c = consultation
    base = now_utc()
    late = ProposedNeed(round_id=c.round.id, version_id=c.needs_version.id, author_id=c.citizen.id,
                        title="Répit pour les proches aidants", description="Aucun répit la fin de semaine.",
                        created_at=base)
    early = ProposedNeed(round_id=c.round.id, version_id=c.needs_version.id, author_id=c.citizen.id,
                         title="Logement abordable", description="Les loyers montent.", area_id=c.area.id,
                         created_at=base - timedelta(days=1))
    hidden = ProposedNeed(round_id=c.round.id, version_id=c.needs_version.id, author_id=c.citizen.id,
                          title="Caché", description="Caché.", hidden_at=base, hidden_reason="Publicité.")
    db.session.add_all([late, early, hidden])
    db.session.commit()

    found = compiler.proposed_needs(c.round)
    assert [(p["title"], p["area"], p["state"]) for p in found] == [
        ("Logement abordable", "Centre-Sud", "proposed"), ("Répit pour les proches aidants", None, "proposed")]
    assert found[1]["description"] == "Aucun répit la fin de semaine."
    assert found[0]["source"] == {"kind": "proposed_need", "id": early.id, "attachment_id": None, "page": None,
                                  "paragraph": None, "label": ""}


def test_answers_count_the_visible_inputs_by_outcome(consultation, make_user):
    c = consultation
    answered_brief = brief(c, c.organization)
    brief(c, c.other_organization)
    withdrawn = brief(c, c.coalition, state=BriefState.withdrawn)
    thread = comment(c, c.citizen, "Un fil.")
    reply = comment(c, c.citizen, "Une réponse.", parent=thread)
    comment(c, c.citizen, "Un autre fil.")
    hidden = comment(c, c.citizen, "Caché.", hidden=True)
    need = ProposedNeed(round_id=c.round.id, version_id=c.needs_version.id, author_id=c.citizen.id,
                        title="Besoin", description="Décrit.")
    db.session.add(need)
    db.session.flush()

    def answer(kind: InputKind, input_id: int, outcome: Outcome) -> None:
        db.session.add(Disposition(round_id=c.round.id, input_kind=kind, input_id=input_id, outcome=outcome,
                                   reason="Parce que."))

    answer(InputKind.brief, answered_brief.id, Outcome.retained)
    answer(InputKind.comment, thread.id, Outcome.partly_retained)
    answer(InputKind.proposed_need, need.id, Outcome.partly_retained)
    answer(InputKind.brief, withdrawn.id, Outcome.not_retained)   # not an input any more
    answer(InputKind.comment, hidden.id, Outcome.out_of_scope)    # hidden: not in the summary
    answer(InputKind.comment, reply.id, Outcome.not_retained)     # a reply is not a thread
    db.session.commit()

    assert compiler.answers(c.round) == {
        "by_outcome": [{"key": "retained", "value": 1, "suppressed": False},
                       {"key": "partly_retained", "value": 2, "suppressed": False},
                       {"key": "not_retained", "value": 0, "suppressed": False},
                       {"key": "out_of_scope", "value": 0, "suppressed": False}],
        "answered": 3,
        "unanswered": 2,  # the other brief and the other thread
    }


def test_inputs_until_is_the_newest_visible_input(consultation):
    c = consultation
    assert compiler.inputs_until(c.round) is None
    base = now_utc().replace(microsecond=0) - timedelta(days=3)
    comment(c, c.citizen, "Ancien.", at=base)
    brief(c, c.organization, at=base + timedelta(days=1))
    comment(c, c.citizen, "Caché, plus récent.", hidden=True, at=base + timedelta(days=2))
    brief(c, c.other_organization, state=BriefState.withdrawn, at=base + timedelta(days=2))
    db.session.commit()

    newest = compiler.inputs_until(c.round)
    assert newest == base + timedelta(days=1)
    assert newest.tzinfo is not None
