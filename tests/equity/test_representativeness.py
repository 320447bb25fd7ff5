"""Who took part compared with the needs portrait's population: the reading rule, shares and flags, "not
stated" counted and never guessed, cells under 5 hidden."""

from __future__ import annotations

import pytest

from consult.core.db import db
from consult.equity import representativeness
from consult.equity.representativeness import Cell, age_band_of, is_population, protect
from tests.equity import builders


@pytest.mark.parametrize(("name", "unit", "expected"), [
    ("Population totale", "personnes", True),
    ("Population, 75 ans et plus", "habitants", True),
    ("POPULATION 65-74", "persons", True),
    ("Personnes de 65 ans et plus vivant seules", "%", False),
    ("Population vivant sous le seuil de faible revenu", "%", False),
    ("Hospitalisations, population de 65 ans et plus", "pour 1 000", False),
    ("Taux de chutes", "personnes", False),
])
def test_which_indicators_count_as_population(name, unit, expected):
    assert is_population({"name": name, "unit": unit}, "population") is expected


@pytest.mark.parametrize(("name", "band"), [
    ("Population totale", None),
    ("Population, 75 ans et plus", (75, 150)),
    ("Population 75+", (75, 150)),
    ("Population aged 75 and over", (75, 150)),
    ("Population de moins de 18 ans", (0, 17)),
    ("Population under 18", (0, 17)),
    ("Population, 65 à 74 ans", (65, 74)),
    ("Population 18-34, 2021", (18, 34)),
])
def test_the_age_band_is_read_from_the_name(name, band):
    assert age_band_of(name) == band


def test_a_single_hidden_cell_hides_the_next_smallest_so_the_total_gives_nothing_away():
    cells = [Cell(3, None, "small"), Cell(7, 7), Cell(12, 12), Cell(0, 0)]
    protect(cells)
    assert [c.value for c in cells] == [None, None, 12, 0] and cells[1].reason == "secondary"
    two = [Cell(3, None, "small"), Cell(2, None, "small"), Cell(9, 9)]
    protect(two)
    assert two[2].value == 9


@pytest.fixture
def portrait(consultation):
    """Four areas: Centre-Sud 4 %, Quartier latin 80 %, Mile End 12 %, Milton-Parc 4 % of 25,000 people; among
    the 65 and over, 40.5 % are 65 to 74 and 59.5 % are 75 and over."""
    c = consultation
    latin = builders.second_area(c)
    mile_end = builders.second_area(c, "06111-03", "Mile End")
    milton = builders.second_area(c, "06111-04", "Milton-Parc")
    figures = []
    for node, total, young, old in ((c.area, 1000, 100, 300), (latin, 20000, 500, 700), (mile_end, 3000, 200, 200),
                                    (milton, 1000, 50, 50)):
        figures += [(node, "Population totale", total), (node, "Population, 65 à 74 ans", young),
                    (node, "Population, 75 ans et plus", old)]
    builders.population(c, figures)
    # An older year and a rate: neither counts.
    builders.population(c, [(c.area, "Population totale", 999999)], year=2016)
    builders.population(c, [(c.area, "Population de 65 ans et plus vivant seule", 46.2)], unit="%")
    return c, latin, mile_end, milton


def _take_part(make_user, c, latin, mile_end):
    """Centre-Sud 10 (one with no age), Quartier latin 6, Mile End 2, and 3 with no profile: 21 people."""
    for _n in range(9):
        builders.resident(make_user, c, area=c.area, age="65_74", gender="woman", comments=1)
    builders.resident(make_user, c, area=c.area, age=None)
    for _n in range(6):
        builders.resident(make_user, c, area=latin, age="65_74", gender="man")
    for _n in range(2):
        builders.resident(make_user, c, area=mile_end, age="75_plus", gender="woman")
    for _n in range(3):
        builders.resident(make_user, c, profile=False)
    builders.comment(c, c.planner, "Merci pour vos commentaires!")  # the establishment's staff: not counted


def test_areas_are_compared_with_the_population_and_small_cells_are_hidden(portrait, make_user):
    c, latin, mile_end, _milton = portrait
    _take_part(make_user, c, latin, mile_end)
    report = representativeness.report(c.round)
    assert report.participants == 21 and report.version.id == c.needs_version.id and report.years == [2021]
    rows = {r.label if r.key else "Not stated": r for r in report.areas.rows}
    assert [r.label for r in report.areas.rows[:-1]] == ["Centre-Sud", "Quartier latin", "Mile End", "Milton-Parc"]
    assert report.areas.rows[-1].key is None
    centre = rows["Centre-Sud"]
    assert centre.population == 1000  # the 2021 figure, not the 2016 one
    assert centre.people.value == 10 and centre.inputs.value == 9
    assert report.areas.base == 16  # the areas whose count is shown
    assert centre.share == pytest.approx(10 / 16) and centre.population_share == pytest.approx(0.04)
    assert not centre.under_represented
    latin_row = rows["Quartier latin"]
    assert latin_row.ratio == pytest.approx((6 / 16) / 0.8) and latin_row.under_represented
    hidden = rows["Mile End"]
    assert hidden.people.value is None and hidden.people.reason == "small" and hidden.share is None
    assert hidden.inputs.value is None and not hidden.under_represented  # 4 people would not be too few
    nobody = rows["Milton-Parc"]
    assert nobody.people.value == 0 and nobody.under_represented
    not_stated = rows["Not stated"]
    assert not_stated.people.raw == 3 and not_stated.people.value is None and not not_stated.comparable
    assert [r.label for r in report.areas.under_represented] == ["Quartier latin", "Milton-Parc"]


def test_age_bands_are_compared_and_a_hidden_band_is_flagged_only_when_even_four_would_be_too_few(portrait,
                                                                                                 make_user):
    c, latin, mile_end, _milton = portrait
    _take_part(make_user, c, latin, mile_end)
    report = representativeness.report(c.round)
    rows = {r.key: r for r in report.ages.rows}
    assert [r.key for r in report.ages.rows if r.comparable] == ["65_74", "75_plus"]
    assert rows["65_74"].people.value == 15 and rows["65_74"].population == 850
    assert not rows["65_74"].under_represented
    old = rows["75_plus"]
    assert old.people.value is None and old.population == 1250
    assert old.under_represented  # (4 / 15) / 0.595 < 0.5
    assert rows[None].people.raw == 4 and rows[None].people.value is None  # no profile, or no age given
    assert rows["18_34"].people.value == 0 and not rows["18_34"].comparable  # no population figure


def test_without_any_profile_everyone_is_not_stated_and_nothing_is_compared(portrait, make_user):
    c, *_ = portrait
    for _n in range(6):
        builders.resident(make_user, c, profile=False)
    report = representativeness.report(c.round)
    assert report.areas.rows[-1].key is None and report.areas.rows[-1].people.value == 6
    assert not report.areas.comparable and not report.areas.under_represented
    assert all(r.people.value == 0 for r in report.areas.rows[:-1])


def test_the_planner_sees_the_under_represented_areas_and_ages_on_the_lens_page(client, portrait, make_user):
    c, latin, mile_end, _milton = portrait
    _take_part(make_user, c, latin, mile_end)
    client.login(c.planner)
    client.get("/lang/en")
    page = client.get(f"/rounds/{c.round.id}/equity")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    assert "Under-represented local areas:</strong> Quartier latin, Milton-Parc" in page.text
    assert "Under-represented age bands:</strong> 75 and over" in page.text
    assert "21 people took part as themselves" in page.text
    mile_end_row = page.text.split('<th scope="row">Mile End</th>')[1].split("</tr>")[0]
    assert "fewer than 5" in mile_end_row and ">2<" not in mile_end_row


def test_with_no_population_figure_the_page_says_how_to_add_them(client, consultation, make_user):
    c = consultation
    builders.resident(make_user, c, area=c.area, age="65_74")
    client.login(c.planner)
    client.get("/lang/en")
    page = client.get(f"/rounds/{c.round.id}/equity")
    assert page.status_code == 200
    assert "The needs portrait has no population figure yet" in page.text


def test_a_project_reads_its_figures_with_its_own_word_and_threshold(client, portrait, make_user):
    c, latin, mile_end, _milton = portrait
    _take_part(make_user, c, latin, mile_end)
    client.login(c.planner)
    client.get("/lang/en")
    assert client.get(f"/projects/{c.project.id}/equity/settings").status_code == 200
    bad = client.post(f"/projects/{c.project.id}/equity/settings",
                      data={"population_keyword": "population", "threshold": "2"})
    assert bad.status_code == 422 and "Give a number between 0.05 and 1" in bad.text
    saved = client.post(f"/projects/{c.project.id}/equity/settings?round={c.round.id}",
                        data={"population_keyword": "population", "threshold": "0,3"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/rounds/{c.round.id}/equity")
    db.session.expire_all()
    report = representativeness.report(c.round)
    assert report.threshold == 0.3
    assert [r.label for r in report.areas.under_represented] == ["Milton-Parc"]  # 0.47 is no longer below
    client.post(f"/projects/{c.project.id}/equity/settings", data={"population_keyword": "habitants",
                                                                   "threshold": "0.5"})
    db.session.expire_all()
    assert not representativeness.report(c.round).has_population
    for person in (c.citizen, c.moderator):
        client.logout()
        client.login(person)
        assert client.get(f"/projects/{c.project.id}/equity/settings").status_code == 403
