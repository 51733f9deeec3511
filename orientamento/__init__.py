"""Orientamento Milano: the application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, request

from orientamento.config import INSTANCE_DIR, PROJECT_ROOT, TEMPLATES_DIR, load_config


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create and configure the application."""
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES_DIR),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.update(load_config(config, check=False))
    configure_logging(app)
    init_database(app)
    # Before init_auth: its hook that ends each response must run after Flask-Login's.
    init_static(app)
    init_auth(app)
    init_i18n(app)
    init_protection(app)
    register_blueprints(app)
    register_templating(app)
    init_features(app)
    register_commands(app)
    from orientamento.core.errors import register_error_handlers

    register_error_handlers(app)
    refuse_unsafe_config(app)
    return app


def refuse_unsafe_config(app: Flask) -> None:
    """Refuse settings only safe on a developer's machine: at once when serving, and in
    ``flask`` when a command runs, so that ``flask --help`` works without configuration."""
    from orientamento.config import ConfigError, check_config
    from orientamento.core.cli import defer_config_error

    try:
        check_config(app.config)
    except ConfigError as error:
        if not defer_config_error(app, str(error)):
            raise


def configure_logging(app: Flask) -> None:
    """Log to stderr in a structured key=value format."""
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO,
            format="ts=%(asctime)s level=%(levelname)s logger=%(name)s msg=%(message)s",
        )
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def init_database(app: Flask) -> None:
    """Bind SQLAlchemy and migrations; tune SQLite; serialize SQLite writers."""
    from orientamento.database import (
        begin_immediate,
        commit_reads,
        configure_sqlite,
        ping_when_idle,
    )
    from orientamento.extensions import db, migrate

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    # A failed statement's message would carry its parameters (a phone number, an address)
    # into logs and tracebacks: never show them, whatever other engine options are set.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}), "hide_parameters": True}
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    import_models()
    with app.app_context():
        configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        ping_when_idle(db.engine, app.config["DATABASE_PING_AFTER_IDLE_SECONDS"])
    commit_reads(app, db)

    @app.before_request
    def _serialize_sqlite_writes() -> None:
        if request.endpoint == "static":
            return
        view = app.view_functions.get(request.endpoint or "")
        if getattr(view, "locks_when_writing", False):
            return
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            begin_immediate(db.session())


def import_models() -> None:
    """Import every model module so the metadata is complete."""
    from orientamento.assessments import models as _assessments  # noqa: F401
    from orientamento.auth import models as _auth  # noqa: F401
    from orientamento.classes import models as _classes  # noqa: F401
    from orientamento.courses import models as _courses  # noqa: F401
    from orientamento.events import models as _events  # noqa: F401
    from orientamento.observatory import models as _observatory  # noqa: F401
    from orientamento.orgs import models as _orgs  # noqa: F401
    from orientamento.outbox import models as _outbox  # noqa: F401
    from orientamento.outreach import models as _outreach  # noqa: F401
    from orientamento.outreach.calls import models as _calls  # noqa: F401
    from orientamento.outreach.referrals import models as _referrals  # noqa: F401
    from orientamento.risk import models as _risk  # noqa: F401
    from orientamento.support import models as _support  # noqa: F401
    from orientamento.visits import models as _visits  # noqa: F401


def init_auth(app: Flask) -> None:
    """Configure Flask-Login with per-user rotating session tokens."""
    from sqlalchemy import bindparam, select
    from sqlalchemy.orm import joinedload

    from orientamento.auth.models import User
    from orientamento.core.i18n import lazy_gettext as _l
    from orientamento.extensions import db, login_manager

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    # Built once, with the municipi an outreach worker covers in the same statement (every
    # outreach page reads them: one round trip fewer on PostgreSQL); other users join none.
    signed_in = (select(User)
                 .where(User.session_token == bindparam("token"), User.active.is_(True))
                 .options(joinedload(User.municipi)))

    @login_manager.user_loader
    def _load_user(session_token: str) -> User | None:
        return db.session.execute(signed_in, {"token": session_token}).unique().scalar()


def init_i18n(app: Flask) -> None:
    """Configure Flask-Babel with our locale selector and Europe/Rome."""
    from orientamento.core.i18n import install_date_filters, install_request_domain, select_locale
    from orientamento.extensions import babel

    babel.init_app(app, locale_selector=select_locale)
    install_request_domain(app)
    install_date_filters(app)
    app.jinja_env.policies["ext.i18n.trimmed"] = True


def init_protection(app: Flask) -> None:
    """CSRF on every state change, rate limits and security headers."""
    from orientamento.core.security import init_security
    from orientamento.extensions import csrf, limiter

    csrf.init_app(app)
    limiter.init_app(app)
    init_security(app)


def register_blueprints(app: Flask) -> None:
    """Mount each feature's blueprint."""
    from orientamento.core.navigation import DatabaseIdConverter

    app.url_map.converters["int"] = DatabaseIdConverter
    from orientamento.admin.views import bp as admin_bp
    from orientamento.assessments.views import bp as assessments_bp
    from orientamento.auth.views import bp as auth_bp
    from orientamento.classes.views import bp as classes_bp
    from orientamento.core.views import bp as core_bp
    from orientamento.courses.api import bp as courses_api_bp
    from orientamento.courses.views import bp as courses_bp
    from orientamento.events.views import bp as events_bp
    from orientamento.observatory.views import bp as observatory_bp
    from orientamento.orgs.views import bp as orgs_bp
    from orientamento.outreach import views as _outreach_views  # noqa: F401 (adds routes)
    from orientamento.outreach.blueprint import bp as outreach_bp
    from orientamento.outreach.calls import views as _call_views  # noqa: F401 (adds routes)
    from orientamento.outreach.referrals import views as _referral_views  # noqa: F401 (adds routes)
    from orientamento.risk import record_views as _record_views  # noqa: F401 (adds routes)
    from orientamento.risk.views import bp as risk_bp
    from orientamento.start.views import bp as start_bp
    from orientamento.support.views import bp as support_bp
    from orientamento.visits.views import bp as visits_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(auth_bp, url_prefix="/account")
    app.register_blueprint(start_bp, url_prefix="/start")
    app.register_blueprint(classes_bp, url_prefix="/classes")
    app.register_blueprint(assessments_bp, url_prefix="/assessments")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(orgs_bp, url_prefix="/admin/organisations")
    app.register_blueprint(courses_bp, url_prefix="/courses")
    app.register_blueprint(courses_api_bp, url_prefix="/api/v1")
    app.register_blueprint(events_bp, url_prefix="/events")
    # Peer-visit pages kept their addresses under /events when visits became a feature.
    app.register_blueprint(visits_bp, url_prefix="/events")
    app.register_blueprint(risk_bp, url_prefix="/risk")
    app.register_blueprint(outreach_bp, url_prefix="/outreach")
    app.register_blueprint(support_bp, url_prefix="/support")
    app.register_blueprint(observatory_bp, url_prefix="/observatory")


def init_features(app: Flask) -> None:
    """Feature set-up beyond blueprints: data loaded at start-up, signal receivers."""
    from orientamento.assessments.setup import init_assessments
    from orientamento.courses.setup import init_courses
    from orientamento.events.setup import init_events
    from orientamento.outreach.setup import init_outreach

    init_assessments(app)
    init_courses(app)
    init_events(app)
    init_outreach(app)


def register_templating(app: Flask) -> None:
    """Template globals shared by every page."""
    from orientamento.core.i18n import LANGUAGE_NAMES, current_language, text_direction
    from orientamento.core.navigation import navigation_items, return_path
    from orientamento.core.templating import init_templating

    init_templating(app)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        current_language=current_language,
        text_direction=text_direction,
        navigation_items=navigation_items,
        return_path=return_path,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
    )


def init_static(app: Flask) -> None:
    """Serve the built front-end: hashed names cached for good, precompressed files."""
    from orientamento.core.assets import init_assets

    init_assets(app)


def register_commands(app: Flask) -> None:
    """Add the feature CLI groups to ``flask``."""
    from orientamento.admin.cli import admin_cli
    from orientamento.assessments.cli import assessments_cli, questionnaires_cli
    from orientamento.core.backup import backup_command
    from orientamento.core.cli import translate_cli
    from orientamento.courses.cli import courses_cli
    from orientamento.demo.cli import demo_cli
    from orientamento.events.cli import events_cli
    from orientamento.observatory.cli import observatory_cli
    from orientamento.outbox.cli import init_console_delivery, outbox_cli
    from orientamento.risk.cli import risk_cli
    from orientamento.support.cli import support_cli
    from orientamento.visits.cli import import_holidays_under_events, visits_cli

    app.cli.add_command(admin_cli)
    app.cli.add_command(questionnaires_cli)
    app.cli.add_command(assessments_cli)
    app.cli.add_command(translate_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(demo_cli)
    app.cli.add_command(courses_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(events_cli)
    events_cli.add_command(import_holidays_under_events)
    app.cli.add_command(visits_cli)
    app.cli.add_command(risk_cli)
    app.cli.add_command(support_cli)
    app.cli.add_command(observatory_cli)
    init_console_delivery(app)
