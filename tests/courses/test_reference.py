"""The shipped reference tables: occupations in every interface language."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from orientamento.courses.models import Occupation
from orientamento.courses.services import DATA_DIR, load_reference_data
from orientamento.extensions import db

ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")


def _data_dir(tmp_path: Path, arabic_rows: list[dict[str, str]]) -> Path:
    for name in ("places.csv", "occupations.csv"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    with (tmp_path / "occupations.ar.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["cp2021", "title", "description"])
        writer.writeheader()
        writer.writerows(arabic_rows)
    return tmp_path


def test_a_translation_file_gives_the_title_and_description_in_that_language(
        app: Flask, tmp_path: Path) -> None:
    load_reference_data(_data_dir(tmp_path, [
        {"cp2021": "2.1.1.3.2", "title": "محلل بيانات", "description": "يجمع البيانات ويحللها."}]))
    analyst, other = db.session.scalars(select(Occupation).where(
        Occupation.cp2021.in_(["2.1.1.3.2", "2.5.4.1.3"])).order_by(Occupation.cp2021)).all()
    assert analyst.title("ar") == "محلل بيانات"
    assert analyst.description("ar") == "يجمع البيانات ويحللها."
    assert (analyst.title("it"), analyst.title("en")) == ("Analista di dati", "Data analyst")
    assert other.title("ar") == other.title_en  # untranslated: English, never empty


def test_a_translation_of_an_unknown_code_is_refused(app: Flask, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"9\.9\.9\.9\.9"):
        load_reference_data(_data_dir(tmp_path, [
            {"cp2021": "9.9.9.9.9", "title": "مهنة", "description": "وصف."}]))


def test_reloading_a_changed_translation_updates_it(app: Flask, tmp_path: Path) -> None:
    row = {"cp2021": "2.1.1.3.2", "title": "محلل بيانات", "description": "وصف."}
    load_reference_data(_data_dir(tmp_path, [row]))
    load_reference_data(_data_dir(tmp_path, [row | {"title": "محللة بيانات"}]))
    analyst = db.session.scalars(select(Occupation).where(Occupation.cp2021 == "2.1.1.3.2")).one()
    assert analyst.title("ar") == "محللة بيانات"


def test_every_shipped_occupation_has_an_arabic_title_and_description() -> None:
    with (DATA_DIR / "occupations.csv").open(encoding="utf-8", newline="") as handle:
        codes = [row["cp2021"] for row in csv.DictReader(handle)]
    with (DATA_DIR / "occupations.ar.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["cp2021"] for row in rows] == codes
    for row in rows:
        assert ARABIC_LETTER.search(row["title"]) and ARABIC_LETTER.search(row["description"]), row
