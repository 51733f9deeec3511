"""Course directory pages: search, course and occupation pages, saved courses, suggestions,
providers' course management and the admin's catalogue import and export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from orientamento.auth.models import Role
from orientamento.core import clock
from orientamento.core.access import acting_user, public, role_required
from orientamento.core.errors import DomainError
from orientamento.core.forms import EmptyForm, button_pressed
from orientamento.core.http_cache import revalidated
from orientamento.core.i18n import current_language
from orientamento.core.import_page import export_download, import_page
from orientamento.core.navigation import safe_next_url
from orientamento.courses import (
    cache,
    queries,
    results,
    services,
    signals,
    suggestions,
    transfer,
)
from orientamento.courses.forms import CourseForm, CourseSearchForm, ImportForm, SuggestionForm
from orientamento.courses.models import Course, CourseStatus
from orientamento.extensions import db

bp = Blueprint("courses", __name__)


@bp.get("/")
@public
@revalidated(lambda: (cache.catalogue_version(), clock.today()))
def search() -> ResponseReturnValue:
    """Search the directory; htmx asks for the results fragment only.

    The rendered results are kept per catalogue version, language, Milan day and address
    (``courses.cache``), except for students, whose saved courses are marked: a repeated
    search only renders the page around them (the fragment not even that).
    """
    fragment = bool(request.headers.get("HX-Request"))
    student = current_user.is_authenticated and current_user.role == Role.STUDENT
    if student:
        content, status = _search_content(fragment)
    else:
        key = ("search-html", cache.catalogue_version(), current_language(), clock.today(),
               request.full_path, fragment)
        content, status = cache.cached(key, lambda: _search_content(fragment),
                                       keep=lambda rendered: rendered[1] == 200)
    body = content if fragment else render_template("courses/search.html", content=content)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def _search_content(fragment: bool) -> tuple[str, int]:
    """The search page's content (or the htmx fragment) for the request's query, and the
    status: 400 when the query is invalid."""
    form = CourseSearchForm(request.args, places=queries.places())
    if not form.validate():
        return render_template("courses/_search_content.html", form=form, result=None), 400
    result = results.search_courses(queries.query_from_form(form))
    saved = (queries.saved_course_ids(current_user.id, [c.id for c in result.courses])
             if current_user.is_authenticated and current_user.role == Role.STUDENT else set())
    template = "courses/_results.html" if fragment else "courses/_search_content.html"
    return render_template(template, form=form, result=result, saved=saved,
                           fragment=fragment), 200


@bp.get("/<int:course_id>")
@public
def show_course(course_id: int) -> ResponseReturnValue:
    """Every field of a course, its sites, the occupations it leads to and its events.

    The course's own part is kept per catalogue version, language, Milan day and address
    (``courses.cache``), except for students, whose saved courses are marked; its upcoming
    events, which the catalogue version does not cover, are read on every view.
    """
    if current_user.is_authenticated and current_user.role == Role.STUDENT:
        page = _course_page(course_id, student_id=current_user.id)
    else:
        key = ("course-html", cache.catalogue_version(), current_language(), clock.today(),
               request.full_path)
        page = cache.cached(key, lambda: _course_page(course_id))
    return render_template("courses/show.html", page=page,
                           **{"events": [], **signals.course_page_values(course_id,
                                                                         now=clock.now())})


@dataclass(frozen=True)
class _CoursePage:
    """A course's own part of its page, rendered."""

    course_id: int
    title: str
    details: str  # rendered by Jinja (escaped); the page marks it safe, as the search does
    updated_at: datetime


def _course_page(course_id: int, student_id: int | None = None) -> _CoursePage:
    course = queries.course_or_404(course_id)
    saved = (student_id is not None
             and bool(queries.saved_course_ids(student_id, [course.id])))
    details = render_template("courses/_course.html", course=course, saved=saved,
                              results_url=_results_url())
    return _CoursePage(course.id, course.localized("title", current_language()),
                       details, course.updated_at)


def _results_url() -> str | None:
    """The search the visitor came from (``back``): a local path to the search page with its
    query string, else None."""
    back = safe_next_url(request.args.get("back"), "courses.search")
    search = url_for("courses.search")
    return back if back != search and urlsplit(back).path == search else None


@bp.get("/occupations/<int:occupation_id>")
@public
def show_occupation(occupation_id: int) -> ResponseReturnValue:
    """An occupation and the active courses leading to it."""
    occupation, courses = queries.occupation_with_courses_or_404(occupation_id)
    return render_template("courses/occupation.html", occupation=occupation, courses=courses)


@bp.post("/<int:course_id>/save")
@role_required(Role.STUDENT)
def save_course(course_id: int) -> ResponseReturnValue:
    """Bookmark a course (saving twice keeps one bookmark)."""
    course = queries.course_or_404(course_id)
    return button_pressed(lambda: services.save_course(acting_user(), course),
                          _("Course saved. You find it under \"Saved courses\"."),
                          url_for("courses.show_course", course_id=course_id,
                                  back=request.form.get("search")))


@bp.post("/<int:course_id>/unsave")
@role_required(Role.STUDENT)
def unsave_course(course_id: int) -> ResponseReturnValue:
    """Remove a bookmark."""
    target = request.form.get("back") == "saved"
    return button_pressed(lambda: services.unsave_course(acting_user(), course_id),
                          _("Course removed from your saved courses."),
                          url_for("courses.saved_courses") if target
                          else url_for("courses.show_course", course_id=course_id,
                                       back=request.form.get("search")))


@bp.get("/saved")
@role_required(Role.STUDENT)
def saved_courses() -> ResponseReturnValue:
    """The student's saved courses."""
    courses = queries.saved_courses(current_user.id)
    return render_template("courses/saved.html", courses=courses, form=EmptyForm())


@bp.get("/suggestions")
@role_required(Role.STUDENT)
def suggested() -> ResponseReturnValue:
    """Courses and occupations matching the student's latest interests result, with reasons."""
    guess = suggestions.default_education(acting_user().age(clock.today()))
    form = SuggestionForm(request.args, places=queries.places(),
                          levels=suggestions.education_choices(), education=guess.value)
    if request.args and not form.validate():
        return render_template("courses/suggestions.html", form=form, view=None), 400
    view = suggestions.suggestions_for(acting_user(), form, current_language())
    return render_template("courses/suggestions.html", form=form, view=view)


@bp.get("/manage")
@role_required(Role.PROVIDER)
def manage_courses() -> ResponseReturnValue:
    """The provider's own courses, archived ones included."""
    page = queries.provider_courses(current_user.provider_id)
    return render_template("courses/manage.html", page=page, form=EmptyForm())


@bp.route("/manage/new", methods=["GET", "POST"])
@role_required(Role.PROVIDER)
def create_course() -> ResponseReturnValue:
    """Add a course to the provider's offer."""
    return _save_course_form(_course_form(), None)


@bp.route("/manage/<int:course_id>/edit", methods=["GET", "POST"])
@role_required(Role.PROVIDER)
def edit_course(course_id: int) -> ResponseReturnValue:
    """Change one of the provider's courses."""
    course = services.provider_course_or_404(acting_user(), course_id)
    form = _course_form()
    if request.method == "GET":
        form.fill_from(course)
    return _save_course_form(form, course)


def _course_form() -> CourseForm:
    return CourseForm(places=queries.places(),
                      occupations=queries.occupation_choices(current_language()))


def _save_course_form(form: CourseForm, course: Course | None) -> ResponseReturnValue:
    """Create or update from the course form; field errors come from the catalogue parser."""
    if not form.validate_on_submit():
        return render_template("courses/edit.html", form=form, course=course), \
            400 if form.errors else 200
    user = acting_user()
    status = course.status if course else CourseStatus.ACTIVE
    try:
        course = services.write_course(user.provider, course, form.cells(user.provider.code,
                                                                         status))
    except services.InvalidCourse as error:
        form.apply_errors(error.errors)
        return render_template("courses/edit.html", form=form, course=course), 400
    except DomainError as error:
        form.apply_errors({"course_code": str(error.message)})
        return render_template("courses/edit.html", form=form, course=course), error.status_code
    db.session.commit()
    flash(_("Course saved."), "success")
    return redirect(url_for("courses.manage_courses"))


@bp.post("/manage/<int:course_id>/status")
@role_required(Role.PROVIDER)
def change_status(course_id: int) -> ResponseReturnValue:
    """Archive a course (it leaves search and the API) or restore it."""
    course = services.provider_course_or_404(acting_user(), course_id)
    status = request.form.get("status", "")
    if EmptyForm().validate_on_submit() and status in set(CourseStatus):
        services.set_course_status(course, CourseStatus(status))
        db.session.commit()
        flash(_("Course archived.") if status == CourseStatus.ARCHIVED else
              _("Course restored."), "success")
    return redirect(url_for("courses.manage_courses"))


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def import_catalogue() -> ResponseReturnValue:
    """Check (dry run) or import a catalogue file, all or nothing."""
    return import_page(ImportForm(), "courses/import.html", transfer.import_catalogue,
                       transfer.MAX_IMPORT_BYTES, _("Catalogue imported."))


@bp.get("/export.<any(csv, json):fmt>")
@role_required(Role.ADMIN)
def export_catalogue(fmt: str) -> ResponseReturnValue:
    """Download the whole catalogue as CSV or JSON, in the import format."""
    return export_download(*transfer.export(fmt))
