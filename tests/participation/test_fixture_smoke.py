from consult.rounds.models import RoundState


def test_the_shared_consultation_is_open_on_the_needs_portrait_and_the_gaps(consultation):
    assert consultation.round.is_open()
    assert consultation.round.covers(consultation.needs_version.id)
    assert consultation.item(consultation.need_uid).kind == "need"
    assert consultation.item(consultation.gap_uid).kind == "gap"


def test_a_closed_round_takes_no_more_input(make_consultation):
    closed = make_consultation(round_state=RoundState.closed)
    assert not closed.round.is_open() and closed.round.has_closed
