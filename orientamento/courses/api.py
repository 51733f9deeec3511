"""The open, read-only JSON API: courses, occupations and providers, with an OpenAPI document.

Responses are built from the pydantic models in ``courses/api_schema.py``; the OpenAPI
document is generated from the same models, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import BaseModel
from werkzeug.exceptions import HTTPException

from orientamento.core import clock
from orientamento.core.access import public
from orientamento.core.errors import DomainError
from orientamento.courses import api_schema as schema
from orientamento.courses import cache, queries, results
from orientamento.courses.forms import CourseSearchForm
from orientamento.extensions import limiter

bp = Blueprint("courses_api", __name__)
MAX_PER_PAGE = 100


def _rate_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])


limiter.limit(_rate_limit)(bp)


def _json(model: BaseModel | str, last_modified: datetime | None) -> ResponseReturnValue:
    """A JSON response (a model, or its JSON text) with a strong ETag and Last-Modified,
    answered conditionally."""
    response = current_app.response_class(
        model if isinstance(model, str) else model.model_dump_json(),
        mimetype="application/json")
    response.add_etag()
    if last_modified is not None:
        response.last_modified = last_modified.replace(microsecond=0)
    response.headers["Cache-Control"] = "public, max-age=60"
    return response.make_conditional(request)


def _paging() -> tuple[int, int]:
    """The page size and the page number a list asks for (BadParameter when out of range)."""
    value = request.args.get("per_page", "20")
    if not schema.is_number(value) or not 1 <= int(value) <= MAX_PER_PAGE:
        raise schema.BadParameter({"per_page": [f"an integer from 1 to {MAX_PER_PAGE}"]})
    return int(value), schema.page_number(request.args.get("page"))


@bp.errorhandler(schema.BadParameter)
def _bad_parameter(error: schema.BadParameter) -> ResponseReturnValue:
    body = schema.ErrorOut(error="invalid parameters", fields=error.fields)
    return Response(body.model_dump_json(), status=400, mimetype="application/json")


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError) -> ResponseReturnValue:
    body = schema.ErrorOut(error="not found" if error.status_code == 404 else "refused",
                           fields={})
    return Response(body.model_dump_json(), status=error.status_code,
                    mimetype="application/json")


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> ResponseReturnValue:
    body = schema.ErrorOut(error=(error.name or "error").lower(), fields={})
    response = Response(body.model_dump_json(), status=error.code or 500,
                        mimetype="application/json")
    if error.code == 429:
        response.headers["Retry-After"] = "60"
    return response


@bp.get("/courses")
@public
def list_courses() -> ResponseReturnValue:
    """Active courses with the same filters, sort, pagination and facets as the search page.

    Like the page, the list holds courses open for enrolment unless ``enrolment`` says
    otherwise, so one query string gives the same courses in both.

    Bodies are kept per catalogue version, Milan day and address (``courses.cache``), like
    the search page's results.
    """
    key = ("api-courses", cache.catalogue_version(), clock.today(), request.full_path)
    body, modified = cache.cached(key, _course_list)
    return _json(body, modified)


def _course_list() -> tuple[str, datetime | None]:
    """The JSON of the requested page of courses and when the catalogue last changed."""
    per_page, page = _paging()
    form = CourseSearchForm(request.args, places=queries.places())
    if not form.validate():
        raise schema.BadParameter({k: [str(m) for m in v] for k, v in form.errors.items()})
    query = queries.query_from_form(form)
    result = results.search_courses(replace(query, per_page=per_page, page=page))
    return (schema.course_page(result, query.today).model_dump_json(),
            queries.catalogue_modified(query.today))


@bp.get("/courses/<int:course_id>")
@public
def get_course(course_id: int) -> ResponseReturnValue:
    """One active course, whatever its enrolment state (the field says which).

    Kept per catalogue version and Milan day (``courses.cache``), like the list.
    """
    today = clock.today()
    body, modified = cache.cached(("api-course", cache.catalogue_version(), today, course_id),
                                  lambda: _course_detail(course_id, today))
    return _json(body, modified)


def _course_detail(course_id: int, today: date) -> tuple[str, datetime]:
    """The JSON of one active course and when it last changed (404 if not listed)."""
    course = queries.course_or_404(course_id)
    since = course.enrolment_since(today)
    # The state changes at midnight in Milan without the row changing: that is a change too.
    modified = max(course.updated_at, clock.start_of_day(since)) if since else course.updated_at
    return (schema.course_out(course, None, today, with_occupations=True).model_dump_json(),
            modified)


@bp.get("/occupations")
@public
def list_occupations() -> ResponseReturnValue:
    """The occupation reference list, by CP2021 code."""
    per_page, page = _paging()
    total, items, modified = queries.occupations_page(page, per_page)
    return _json(schema.OccupationPage(
        items=[schema.occupation_out(o) for o in items],
        **schema.page_fields(total, page, per_page)), modified)


@bp.get("/providers")
@public
def list_providers() -> ResponseReturnValue:
    """Providers with the number of active courses each offers."""
    per_page, page = _paging()
    total, rows, modified = queries.providers_page(page, per_page)
    return _json(schema.ProviderPage(
        items=[schema.provider_out(p, n) for p, n in rows],
        **schema.page_fields(total, page, per_page)), modified)


@bp.get("/openapi.json")
@public
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3.1 description of this API."""
    document: dict[str, Any] = schema.openapi_document(request.url_root.rstrip("/") + "/api/v1")
    return jsonify(document)
