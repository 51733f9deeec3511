"""The call campaign's measures in the Observatory: published by municipio with suppression,
from the outreach overview's own measures, on the NEET pages, in the open data and the
report."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from orientamento.core import clock
from orientamento.observatory import campaign
from orientamento.observatory.disclosure import SafeTable, protect
from orientamento.observatory.opendata import TABLE_NAMES, catalogue
from orientamento.observatory.pages import call_campaign
from orientamento.observatory.periods import Quarter
from orientamento.observatory.report import render_report
from orientamento.outreach.calls.measures import CONTACT_DEADLINES, CampaignMeasures
from tests.observatory.factories import refresh_interest
from tests.risk.factories import make_flag, make_person


def _flags() -> None:
    for municipio, count in ((2, 12), (5, 11), (7, 3)):
        for _ in range(count):
            make_flag(make_person(municipio), None, trigger="contract_ended",
                      raised_at=clock.now() - timedelta(days=90))


def test_the_measures_are_published_by_municipio_with_small_cells_hidden(
        client: FlaskClient, reference_data: None) -> None:
    _flags()
    live = {m.municipio: m for m in campaign.live(clock.today())}
    assert (live[2].people, live[5].people, live[7].people, live[None].people) == (12, 11, 3, 26)
    before = {r.municipio: r.people for r in call_campaign()}
    assert set(before.values()) == {None}  # nothing published before the first refresh
    refresh_interest()
    rows = {r.municipio: r for r in call_campaign()}
    assert (rows["2"].people, rows["1"].people, rows["TOTAL"].people) == (12, 0, 26)
    assert rows["7"].people is None  # 3 people: suppressed
    assert rows["5"].people is None  # ... and a partner, or the Milan total would give it away
    assert rows["7"].share_in_time(30) is None and rows["7"].attempts_per_contact is None
    assert rows["2"].share_in_time(30) == live[2].share_in_time(30)
    page = client.get("/observatory/neet").get_data(as_text=True)
    assert 'id="neet-campaign-title"' in page and 'id="neet-campaign-chart"' in page
    assert "call_campaign_by_municipio" in TABLE_NAMES
    document = json.loads(client.get("/observatory/data/call_campaign_by_municipio.json").data)
    by_municipio = {r["municipio"]: r for r in document["rows"]}
    assert by_municipio["2"]["people"] == 12 and by_municipio["7"]["people"] is None
    assert [f["name"] for f in document["schema"]["fields"]][:3] == [
        "municipio", "people", "due_30d"]
    assert any(d["dct:identifier"].endswith(":call_campaign_by_municipio")
               for d in catalogue()["dcat:dataset"])
    report = render_report(Quarter.of(clock.today()), "en")
    assert 'id="report-campaign-title"' in report


def test_cells_the_path_table_hides_are_hidden_here_too(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def measures(municipio: int | None, people: int) -> CampaignMeasures:
        return CampaignMeasures(municipio=municipio, people=people,
                                due=dict.fromkeys(CONTACT_DEADLINES, people),
                                in_time=dict.fromkeys(CONTACT_DEADLINES, 0), contacted=0,
                                attempts=0, referrals=0, taken_up=0)

    monkeypatch.setattr(campaign, "campaign_measures", lambda today: [
        measures(3, 40), measures(4, 50), measures(5, 60), measures(None, 150)])
    open_path = protect({}, campaign.MUNICIPI, ("x",))
    table = campaign.protected(clock.today(), open_path)
    assert table.cells[("3", "people")] == 40 and table.column_totals["people"] == 150
    # The path table hides municipio 3's total (it could equal the people counted here).
    path = SafeTable(open_path.rows, open_path.columns, open_path.cells,
                     {**open_path.row_totals, "3": None}, open_path.column_totals, None)
    table = campaign.protected(clock.today(), path)
    for column in campaign.LINKED:
        assert table.cells[("3", column)] is None, column
        assert table.column_totals[column] is None, column
    assert table.cells[("3", "in_time_30")] == 0  # not linked: published
    assert [r for r in campaign.MUNICIPI if table.cells[(r, "people")] is None] == ["3"]
