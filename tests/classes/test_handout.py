"""The class handout to print (join code, QR code, address, steps) and the join pages that its
QR code opens with the code filled in."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import segno
from flask.testing import FlaskClient

from orientamento.auth.models import Role, User
from orientamento.classes.models import SchoolClass
from orientamento.extensions import db
from tests.conftest import log_in

pytestmark = pytest.mark.calendar

EN = {"Accept-Language": "en"}


def test_the_handout_has_the_code_a_qr_code_of_the_prefilled_join_page_and_the_steps(
    client: FlaskClient, make_user: Callable[..., User], make_class: Callable[..., SchoolClass],
) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    school_class = make_class(counsellor, name="3B")
    code = school_class.join_code or ""
    log_in(client, counsellor)
    class_page = client.get(f"/classes/{school_class.id}").get_data(as_text=True)
    assert f'href="/classes/{school_class.id}/handout"' in class_page
    response = client.get(f"/classes/{school_class.id}/handout", headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    link = f"https://orientamento.test/classes/join?code={code}"
    assert "Join class 3B" in page and code in page and link in page
    assert "How to join" in page and "<ol" in page
    # The QR code is inline SVG of exactly that link: nothing is fetched to draw it.
    svg = re.search(r"<svg.*?</svg>", page, re.S)
    assert svg is not None and "<title>" in svg[0] and "<path" in svg[0]
    expected = segno.make(link, error="m").svg_inline(scale=6, border=2, dark="#000",
                                                      light="#fff", omitsize=True)
    path = re.search(r'<path[^>]* d="([^"]+)"', expected)
    assert path is not None and path[1] in svg[0]
    assert "<script" not in page
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert all(s.startswith(("/", "data:")) for s in sources), sources
    assert "dist/css/app." in page  # the print rules live there (hashed name)


def test_a_closed_class_has_no_code_to_hand_out(
    client: FlaskClient, make_user: Callable[..., User], make_class: Callable[..., SchoolClass],
) -> None:
    counsellor = make_user(Role.COUNSELLOR)
    school_class = make_class(counsellor, join_code=None)
    log_in(client, counsellor)
    page = client.get(f"/classes/{school_class.id}/handout", headers=EN).get_data(as_text=True)
    assert "<svg" not in page and "closed" in page


def test_another_schools_handout_is_not_found(
    client: FlaskClient, make_user: Callable[..., User], make_class: Callable[..., SchoolClass],
) -> None:
    school_class = make_class()
    log_in(client, make_user(Role.COUNSELLOR))
    assert client.get(f"/classes/{school_class.id}/handout").status_code == 404


def test_the_join_pages_take_the_code_from_the_address(
    client: FlaskClient, make_user: Callable[..., User], make_class: Callable[..., SchoolClass],
) -> None:
    school_class = make_class()
    code = school_class.join_code or ""
    page = client.get(f"/classes/join?code={code}").get_data(as_text=True)
    assert re.search(rf'<input[^>]*id="code"[^>]*value="{code}"', page)
    assert 'value="&lt;b&gt;"' in client.get("/classes/join?code=<b>").get_data(as_text=True)
    student = make_user(Role.STUDENT)
    log_in(client, student)
    response = client.get(f"/classes/join?code={code}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/classes/mine?code={code}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(rf'<input[^>]*id="code"[^>]*value="{code}"', page)
    assert client.post("/classes/mine", data={"code": code}).status_code == 302
    db.session.refresh(school_class)
    assert [m.student_id for m in school_class.memberships] == [student.id]
