"""The demo participation: a closed, answered and published round on the PALV needs portrait, loaded once
however many times it runs, whose "What we heard, what we did" page shows it all in French and English."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.core.db import db
from consult.participation import demo
from consult.participation.models import Brief, BriefVisibility, Comment, Disposition, ProposedNeed, Support
from consult.rounds.models import ConsultationRound, RoundState
from consult.seed import Report, Seeder
from consult.storage import get_storage


def _load() -> Report:
    """In the order consult/seed.py runs the demos: people, the project, the registry, the open round."""
    from consult.organizations import demo as organizations_demo
    from consult.projects import demo as projects_demo
    from consult.rounds import demo as rounds_demo

    report = Seeder().run()
    projects_demo.load(report)
    organizations_demo.load(report)
    rounds_demo.load(report)
    demo.load(report)
    db.session.commit()
    return report


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_the_demo_round_is_answered_published_and_loaded_once(client, outbox):
    first = _load()
    assert first.created["consultation rounds"] == 2  # the rounds demo's open one, and this closed one
    counts = {model: _count(model) for model in (ConsultationRound, Brief, Comment, ProposedNeed, Support,
                                                 Disposition)}
    second = _load()
    assert second.created["consultation rounds"] == 0 and second.existing["consultation rounds"] == 2
    assert second.created["comments"] == 0 and second.created["proposed needs"] == 0
    assert {model: _count(model) for model in counts} == counts

    round_ = db.session.scalar(select(ConsultationRound).where(ConsultationRound.title == demo.ROUND_TITLE))
    assert round_.state is RoundState.published and round_.versions[0].step.number == 1
    threads = db.session.scalar(select(func.count(Comment.id)).where(Comment.round_id == round_.id,
                                                                     Comment.parent_id.is_(None)))
    assert threads == 4
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.round_id == round_.id)) == 7
    assert db.session.scalar(select(func.count(Support.id)).where(Support.round_id == round_.id)) == 6
    assert counts[Disposition] == 2 + threads + 1 - 1  # every input but one

    carrefour = db.session.scalar(select(Brief).where(Brief.visibility == BriefVisibility.public))
    (attachment,) = carrefour.attachments
    data = get_storage().read(attachment.storage_key)
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF") and len(data) == attachment.size
    assert [c.organization.name for c in carrefour.cosigners] == [demo.CDC]
    assert {p.stance.value for p in carrefour.positions} == {"support", "amend"}
    assert carrefour.digest and len(carrefour.digest) == 64

    # Loading demo data mails nobody.
    assert outbox() == []

    # The open round of the rounds demo got a citizen's comments and proposed need.
    open_round = db.session.scalar(select(ConsultationRound).where(ConsultationRound.state == RoundState.open))
    assert open_round.title.startswith(demo.OPEN_ROUND_PREFIX)
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.round_id == open_round.id)) == 2
    assert db.session.scalar(select(ProposedNeed.title).where(ProposedNeed.round_id == open_round.id)) == \
        "Accès à Internet pour les aînés"

    client.get("/lang/en")
    english = client.get(f"/rounds/{round_.id}/heard")
    assert english.status_code == 200
    assert "1 of 7 inputs is still unanswered (14%)." in english.text
    assert "Results published on" in english.text
    assert demo.BRIEF_TITLE.replace("'", "&#39;") in english.text and demo.CDC in english.text
    assert "A brief its authors asked to keep confidential" in english.text
    assert demo.POPOTE not in english.text and "Repas livrés" not in english.text
    assert "Adapted transport is the main reason I miss medical appointments" in english.text
    client.get("/lang/fr")
    french = client.get(f"/rounds/{round_.id}/heard")
    assert '<html lang="fr-CA">' in french.text and "(14 %)" in french.text.replace("\u202f", " ").replace(
        "\xa0", " ")
    assert "Avec la pension de vieillesse seulement" in french.text
