"""Charts of the equity lens: SVG a screen reader can name, the same numbers as a table behind every chart,
and the data and the chart as downloads."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

from consult.core.db import db
from consult.equity import charts
from consult.equity.representativeness import Cell, Row, Table
from consult.participation.models import InputKind
from consult.rounds.models import InvitationState, RoundInvitation
from tests.equity import builders

SVG = "{http://www.w3.org/2000/svg}"


def _world(c, make_user):
    latin = builders.second_area(c)
    builders.population(c, [(c.area, "Population totale", 1000), (latin, "Population totale", 9000)])
    for _n in range(6):
        builders.resident(make_user, c, area=c.area, age="65_74", gender="woman", comments=1)
    for _n in range(2):
        builders.resident(make_user, c, area=latin, age="75_plus", gender="man")
    text = builders.comment(c, c.citizen, "Mon loyer a augmenté de 12 %.")
    builders.tag(c, InputKind.comment, text.id, "material")
    db.session.add(RoundInvitation(round_id=c.round.id, establishment_id=c.establishment.id,
                                   state=InvitationState.took_part))
    db.session.commit()


def test_every_chart_on_the_lens_page_is_named_and_followed_by_its_table(client, consultation, make_user):
    c = consultation
    _world(c, make_user)
    client.login(c.planner)
    client.get("/lang/en")
    page = client.get(f"/rounds/{c.round.id}/equity").text
    for key in charts.CHART_KEYS:
        block = page.split(f'id="chart-{key}"')[1].split('class="chart-block"')[0]
        svg = re.search(r"<svg[^>]*>", block)
        assert svg and 'role="img"' in svg.group(0), key
        assert f'aria-labelledby="equity-chart-{key}-title equity-chart-{key}-desc"' in svg.group(0), key
        assert f'<title id="equity-chart-{key}-title">' in block and f'<desc id="equity-chart-{key}-desc">' in block
        assert "<table>" in block and f'<caption id="table-{key}-caption">' in block, key
        assert f"/rounds/{c.round.id}/equity/charts/{key}.csv" in block
        assert f"/rounds/{c.round.id}/equity/charts/{key}.svg" in block
    assert not re.search(r'\sstyle="', page) and "<script>" not in page  # the strict CSP allows neither


def test_a_hidden_count_has_no_bar_in_the_chart_only_the_words(client, consultation, make_user):
    c = consultation
    _world(c, make_user)
    client.login(c.planner)
    client.get("/lang/en")
    svg = client.get(f"/rounds/{c.round.id}/equity/charts/areas.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert "attachment" in svg.headers["Content-Disposition"]
    root = ET.fromstring(svg.data)
    assert root.get("role") == "img" and root.find(f"{SVG}title").text == "Participants and population by local area"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Quartier latin" in texts and "fewer than 5" in texts and "2" not in texts


def test_the_csv_download_holds_the_table(client, consultation, make_user):
    c = consultation
    _world(c, make_user)
    client.login(c.planner)
    response = client.get(f"/rounds/{c.round.id}/equity/charts/areas.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="equity-{c.round.id}-areas.csv"'
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][1:3] == ["participants", "inputs"]
    by_area = {row[0]: row for row in rows[1:]}
    assert by_area["Centre-Sud"][1] == "6" and by_area["Centre-Sud"][4] == "1000.0"
    assert by_area["Quartier latin"][1] == "" and by_area["Quartier latin"][8]  # hidden, with its reason
    dimensions = list(csv.reader(io.StringIO(client.get(f"/rounds/{c.round.id}/equity/charts/dimensions.csv")
                                             .data.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
    assert dimensions[0][1:] == ["objective", "perceived", "unspecified", "inputs"]
    assert dimensions[1][1:] == ["0", "0", "1", "1"]  # material, the first dimension: one input, side not stated


def test_downloads_are_for_the_lens_readers_only_and_an_unknown_chart_is_404(client, consultation):
    c = consultation
    client.login(c.citizen)
    assert client.get(f"/rounds/{c.round.id}/equity/charts/areas.csv").status_code == 403
    client.logout()
    client.login(c.planner)
    assert client.get(f"/rounds/{c.round.id}/equity/charts/nothing.csv").status_code == 404
    assert client.get(f"/rounds/{c.round.id}/equity/charts/nothing.svg").status_code == 404


def test_a_label_that_looks_like_a_formula_is_quoted_in_the_csv(app):
    with app.test_request_context("/"):
        table = Table(rows=[Row("x", "=HYPERLINK(\"http://evil\")<b>", Cell(7, 7), population=10.0)])
        chart = charts.comparison_chart("areas", table, "Titre", "Area")
        body = charts.csv_text(chart)
        svg = str(charts.svg(chart, standalone=True))
    assert "'=HYPERLINK" in body
    assert "&lt;b&gt;" in svg and "<b>" not in svg
    ET.fromstring(svg.split("\n", 1)[1])  # well-formed, the label escaped
