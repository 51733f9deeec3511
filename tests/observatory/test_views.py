"""The Observatory's pages, downloads and catalogue, for the public and for staff."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from flask.testing import FlaskClient

from orientamento.auth.models import Role, User
from orientamento.observatory import opendata
from tests.observatory.factories import store_demand

SCHEMA = (Path(__file__).parents[2] / "orientamento" / "observatory" / "schemas"
          / "dcat-ap-it-catalogue.schema.json")
TYPES = {"string": "string", "integer": "integer", "number": "number", "yearmonth": "string"}


@pytest.fixture
def demand(reference_data: None) -> None:
    """A little synthetic demand."""
    store_demand([("3.1.2", "015", "2026-11", 300, "55", "any"),
                  ("6.2.3", "015", "2026-12", 200, "70", "any"),
                  ("2.6.3", "015", "2026-12", 50, "", "any")], synthetic=True)


def test_the_public_page_shows_the_sides_the_coverage_and_a_synthetic_label(
        client: FlaskClient, demand: None) -> None:
    page = client.get("/observatory/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'role="img"' in text and "<table" in text
    assert "alert-warning" in text  # synthetic data are labelled
    assert "90.9" in text  # coverage: 500 of 550 hires map to an area
    for name in opendata.TABLE_NAMES:
        assert f"/observatory/data/{name}.csv" in text


@pytest.mark.parametrize("query", ["quarter=2026Q9", "quarter=1990Q1", "quarter=x" * 50])
def test_out_of_range_filters_are_a_400(client: FlaskClient, demand: None, query: str) -> None:
    assert client.get(f"/observatory/?{query}").status_code == 400


def test_a_quarter_filter_narrows_the_demand(client: FlaskClient, demand: None) -> None:
    page = client.get("/observatory/?quarter=2026Q4")
    assert page.status_code == 200
    assert "2026-10" in page.get_data(as_text=True)


def test_staff_see_the_finer_cuts_and_others_do_not(
        client: FlaskClient, demand: None, as_role: Callable[..., User]) -> None:
    assert client.get("/observatory/staff").status_code == 302  # to the login page
    as_role(Role.COUNSELLOR)
    assert client.get("/observatory/staff").status_code == 403
    as_role(Role.ADMIN)
    page = client.get("/observatory/staff?municipio=3&quarter=2026Q4")
    assert page.status_code == 200
    assert "2.6.3" in page.get_data(as_text=True)  # the unmapped occupation group
    assert client.get("/observatory/staff?municipio=12").status_code == 400


def test_the_projections_page_reads_stored_results(client: FlaskClient, demand: None) -> None:
    page = client.get("/observatory/projections")
    assert page.status_code == 200
    assert "flask observatory refresh" in page.get_data(as_text=True)


@pytest.mark.parametrize("name", opendata.TABLE_NAMES)
def test_every_table_downloads_as_csv_and_json_matching_its_schema(
        client: FlaskClient, demand: None, name: str) -> None:
    as_json = client.get(f"/observatory/data/{name}.json")
    assert as_json.status_code == 200
    document = json.loads(as_json.data)
    assert document["licence"] == opendata.LICENCE
    fields = document["schema"]["fields"]
    row_schema = {"type": "object", "additionalProperties": False,
                  "required": [f["name"] for f in fields],
                  "properties": {f["name"]: {"type": [TYPES[f["type"]], "null"]}
                                 for f in fields}}
    for row in document["rows"]:
        jsonschema.validate(row, row_schema)
    as_csv = client.get(f"/observatory/data/{name}.csv")
    assert as_csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(as_csv.get_data(as_text=True))))
    assert rows[0] == [f["name"] for f in fields]
    assert len(rows) == len(document["rows"]) + 1


def test_the_catalogue_validates_and_lists_every_table(client: FlaskClient,
                                                        demand: None) -> None:
    response = client.get("/observatory/data/catalogue.jsonld")
    assert response.headers["Content-Type"] == "application/ld+json; charset=utf-8"
    catalogue = json.loads(response.data)
    jsonschema.validate(catalogue, json.loads(SCHEMA.read_text(encoding="utf-8")))
    identifiers = {d["dct:identifier"].rsplit(":", 1)[1] for d in catalogue["dcat:dataset"]}
    assert identifiers == set(opendata.TABLE_NAMES)
    urls = [dist["dcat:downloadURL"]["@id"] for d in catalogue["dcat:dataset"]
            for dist in d["dcat:distribution"]]
    for url in urls:
        path = url.split("://", 1)[1].split("/", 1)[1]
        assert client.get("/" + path).status_code == 200


def test_the_catalogue_schema_refuses_a_dataset_without_licence(client: FlaskClient,
                                                                demand: None) -> None:
    catalogue = json.loads(client.get("/observatory/data/catalogue.jsonld").data)
    del catalogue["dcat:dataset"][0]["dcat:distribution"][0]["dct:license"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(catalogue, json.loads(SCHEMA.read_text(encoding="utf-8")))
