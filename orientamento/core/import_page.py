"""The page of a file import, all or nothing, with a dry run: one idiom for every catalogue.

The page shows the upload form (a ``file`` and a ``dry_run`` field); a valid upload is read
(one byte past the limit, so the import can say the file is too large) and imported, which
flushes and never commits; a clean real import is committed, anything else (a dry run, a
refused file) rolled back; the page then shows the report: 200, or 422 when the file was
refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from flask import Response, flash, render_template
from flask.typing import ResponseReturnValue

from orientamento.extensions import db


class ImportOutcome(Protocol):
    """What an import reports: whether the file was clean and whether it was a dry run."""

    @property
    def ok(self) -> bool: ...

    @property
    def dry_run(self) -> bool: ...


class UploadForm(Protocol):
    """A form with the uploaded ``file`` and the ``dry_run`` box."""

    file: Any
    dry_run: Any
    errors: Any

    def validate_on_submit(self) -> bool: ...


#: An import: the file's bytes, its name and whether it is a dry run, to its report.
FileImport = Callable[[bytes, str, bool], ImportOutcome]


def import_page(form: UploadForm, template: str, run: FileImport, max_bytes: int, done: str,
                **context: Any) -> ResponseReturnValue:
    """Render ``template`` with ``form`` (and ``context``); on a valid upload, ``run`` the
    import on the file, commit it and flash ``done`` when it was clean and real, else roll it
    back, and render the report."""
    if not form.validate_on_submit():
        return render_template(template, form=form, report=None, **context), \
            400 if form.errors else 200
    upload = form.file.data
    report = run(upload.read(max_bytes + 1), upload.filename or "", bool(form.dry_run.data))
    if report.ok and not report.dry_run:
        db.session.commit()
        flash(done, "success")
    else:
        db.session.rollback()
    return render_template(template, form=form, report=report, **context), \
        200 if report.ok else 422


def export_download(body: str, mimetype: str, filename: str) -> Response:
    """A catalogue's export as a download, in a format its import reads."""
    return Response(body, content_type=f"{mimetype}; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename={filename}"})
