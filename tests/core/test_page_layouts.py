"""The page layouts (templates/_layouts/): a page states its title once, and the window's title
and the h1 both show it; the layout a page extends chooses its column."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from orientamento.auth.models import User
from orientamento.extensions import db
from orientamento.support.models import SupportOrganisation


def heading_and_title(html: str) -> tuple[str, str]:
    """The page's h1 and its window title."""
    return (re.search(r"<h1>(.*?)</h1>", html, re.S)[1].strip(),  # type: ignore[index]
            re.search(r"<title>(.*?)</title>", html, re.S)[1].strip())  # type: ignore[index]


def test_a_narrow_page_has_its_title_as_h1_inside_the_narrow_column(client: FlaskClient) -> None:
    html = client.get("/account/login").get_data(as_text=True)
    heading, title = heading_and_title(html)
    assert heading == "Accedi"
    assert title == "Accedi · Orientamento Milano"
    column = html.index('<div class="row"><div class="col-12 col-md-8 col-lg-6">')
    assert column < html.index("<h1>") < html.index('<form method="post" novalidate>')
    assert html.count("<h1>") == 1


def test_a_full_width_page_has_no_column(client: FlaskClient) -> None:
    html = client.get("/privacy").get_data(as_text=True)
    heading, title = heading_and_title(html)
    assert title == f"{heading} · Orientamento Milano"
    main = html[html.index("<main"):html.index("</main>")]
    assert '<div class="row"><div class="col-12' not in main


def test_a_breadcrumb_comes_before_the_h1_outside_the_column(client: FlaskClient) -> None:
    html = client.get("/support/contact-me").get_data(as_text=True)
    nav = html.index('<nav aria-label="Percorso di navigazione" class="breadcrumb-container">')
    crumbs = html[nav:html.index("</nav>", nav)]
    assert re.search(r'<li class="breadcrumb-item"><a href="/support/">[^<]+</a>'
                     r'<span class="separator">/</span></li>', crumbs)
    current = re.search(r'<li class="breadcrumb-item active" aria-current="page">([^<]+)</li>', crumbs)
    heading, title = heading_and_title(html)
    assert current is not None and current[1] == heading
    assert title == f"{heading} · Orientamento Milano"
    assert nav < html.index('<div class="row"><div class="col-12 col-lg-8">') < html.index("<h1>")


def test_a_heading_block_adds_to_the_title(
    app: Flask, client: FlaskClient, as_role: Callable[..., User]
) -> None:
    as_role("admin")
    organisation = SupportOrganisation(uid=str(uuid.uuid4()), name="Informagiovani <Zona 9>", kind="cpia")
    db.session.add(organisation)
    db.session.commit()
    html = client.get(f"/support/admin/organisations/{organisation.id}").get_data(as_text=True)
    heading, title = heading_and_title(html)
    assert title == "Modifica organizzazione · Orientamento Milano"
    assert heading.startswith("Modifica organizzazione: <bdi>Informagiovani &lt;Zona 9&gt;</bdi>")
