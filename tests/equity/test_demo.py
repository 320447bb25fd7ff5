"""On the demo round, a planner sees which local areas and age groups are under-represented compared with the
portrait's population figures, the inputs by dimension of inequality, and the drafting or implementation
involvement by kind of organization — in French and English, with a table behind every chart."""

from __future__ import annotations

from sqlalchemy import select

from consult.core.db import db
from consult.equity import demo
from consult.rounds.models import ConsultationRound
from consult.seed import DEMO_PASSWORD, Report, load_demo


def _load() -> Report:
    load_demo()
    report = Report()
    demo.load(report)
    db.session.commit()
    return report


def test_the_demo_round_shows_the_equity_lens_in_both_languages(app, client):
    _load()
    again = _load()
    assert not any(again.created.values()), again.created  # loaded once
    round_ = db.session.scalar(select(ConsultationRound).where(ConsultationRound.title.like("Portrait des besoins%")))
    client.post("/login", data={"email": "planif@demo.consult.ca", "password": DEMO_PASSWORD})
    client.get("/lang/en")
    page = client.get(f"/rounds/{round_.id}/equity")
    assert page.status_code == 200
    assert "Under-represented local areas:</strong> Plateau-Est, Mile End, Milton-Parc" in page.text
    assert "Under-represented age bands:</strong> 75 and over" in page.text
    assert page.text.count("<svg") == page.text.count('<caption id="table-') == 9  # a table behind every chart
    involvement = page.text.split('id="involvement-caption"')[1].split("</table>")[0]
    coalition_row = involvement.split('<th scope="row">Coalition of organizations</th>')[1].split("</tr>")[0]
    assert "Took part in drafting" in coalition_row
    aca_row = involvement.split('<th scope="row">Autonomous community organization (ACA)</th>')[1].split("</tr>")[0]
    assert "Only in implementation" in aca_row  # the Carrefour: inventory (step 2) and offer (step 6)
    inequalities = page.text.split('id="inequalities"')[1]
    assert "Depuis le décès de mon mari, je me sens très seule." in inequalities
    assert "Caregivers" in inequalities  # the establishment's own code list
    review = client.get(f"/rounds/{round_.id}/equity/suggestions")
    assert review.status_code == 200 and "wait for a decision" in review.text

    client.get("/lang/fr")
    french = client.get(f"/rounds/{round_.id}/equity")
    assert french.status_code == 200 and 'lang="fr-CA"' in french.text
    assert "Plateau-Est, Mile End, Milton-Parc" in french.text
