"""Enums that carry their label: value and label declared once, labels translated late."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

import orientamento
from orientamento.auth.models import Role
from orientamento.core.enums import LabelledEnum
from orientamento.courses.models import CourseStatus
from orientamento.outreach.models import ContactOutcome


def _labelled_enums() -> list[type[LabelledEnum]]:
    """Every labelled enum of the application: the models modules, and the course kinds and
    education steps the catalogue declares beside its rules."""
    for module in pkgutil.walk_packages(orientamento.__path__, "orientamento."):
        if module.name.endswith(".models"):
            importlib.import_module(module.name)
    importlib.import_module("orientamento.courses.recommendations")
    return sorted(LabelledEnum.__subclasses__(), key=lambda enum: enum.__qualname__)


def test_a_member_is_its_value() -> None:
    assert CourseStatus("active") is CourseStatus.ACTIVE
    assert CourseStatus.ACTIVE == "active"
    assert CourseStatus.ACTIVE.value == "active"
    assert str(CourseStatus.ACTIVE) == "active" and f"{CourseStatus.ACTIVE}" == "active"
    assert {"active": 1}[CourseStatus.ACTIVE] == 1
    with pytest.raises(ValueError, match="not a valid CourseStatus"):
        CourseStatus("Active")


@pytest.mark.usefixtures("app")
def test_a_label_is_translated_when_it_is_rendered() -> None:
    label = Role.COUNSELLOR.label
    with force_locale("it"):
        assert str(label) == "Docente orientatore"
    with force_locale("ar"):
        assert str(label) == "مرشد التوجيه المدرسي"
    with force_locale("en"):
        assert str(label) == "School counsellor"


@pytest.mark.usefixtures("app")
def test_choices_list_every_member_in_order_after_the_empty_option() -> None:
    with force_locale("en"):
        plain = [(c.value, str(c.label)) for c in ContactOutcome.choices()]
        with_empty = [(c.value, str(c.label)) for c in ContactOutcome.choices(_l("Any"))]
    assert plain == [("reached", "Reached"), ("not_reached", "Not reached"),
                     ("wrong_details", "Wrong contact details")]
    assert with_empty == [("", "Any"), *plain]


def test_labels_map_stored_values() -> None:
    labels = CourseStatus.labels()
    assert list(labels) == ["active", "archived"]
    assert all(type(key) is str for key in labels)
    assert labels["archived"] is CourseStatus.ARCHIVED.label


def test_a_member_without_a_label_is_refused() -> None:
    with pytest.raises(TypeError, match="'b' has no label"):
        class Broken(LabelledEnum):
            A = "a", _l("A")
            B = "b"


@pytest.mark.parametrize("enum", _labelled_enums(), ids=lambda enum: enum.__name__)
@pytest.mark.usefixtures("app")
def test_every_member_has_its_own_label(enum: Any) -> None:
    """Two members with one label could not be told apart in a list or a select."""
    with force_locale("en"):
        labels = [str(member.label) for member in enum]
    assert all(labels)
    assert len(set(labels)) == len(labels)
