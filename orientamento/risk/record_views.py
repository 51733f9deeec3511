"""Admin page for loading a snapshot of administrative records (all rows or none)."""

from __future__ import annotations

from flask import flash, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from orientamento.auth.models import Role
from orientamento.core.access import acting_user, role_required
from orientamento.extensions import db
from orientamento.risk.forms import RecordsImportForm
from orientamento.risk.queries import recent_snapshots
from orientamento.risk.records import import_snapshot
from orientamento.risk.views import bp

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


@bp.route("/records", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def import_records() -> ResponseReturnValue:
    """Check and import a snapshot; any bad row and nothing is written."""
    form = RecordsImportForm()
    if not form.validate_on_submit():
        return render_template("risk/records.html", form=form, report=None,
                               snapshots=recent_snapshots()), 400 if form.errors else 200
    content = form.file.data.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        form.file.errors = [_("The file is larger than 5 MB: use flask risk import.")]
        return render_template("risk/records.html", form=form, report=None,
                               snapshots=recent_snapshots()), 413
    report = import_snapshot(content, form.file.data.filename or "upload.csv", acting_user())
    if report.snapshot is None:
        db.session.rollback()
        return render_template("risk/records.html", form=form, report=report,
                               snapshots=recent_snapshots()), 422
    db.session.commit()
    flash(_("%(rows)d records imported; %(flags)d contract-ended flags raised.",
            rows=report.snapshot.rows, flags=report.rule_flags), "success")
    return render_template("risk/records.html", form=RecordsImportForm(formdata=None),
                           report=report, snapshots=recent_snapshots())
