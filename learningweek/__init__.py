"""learningweek: run a company's Learning Week."""

from __future__ import annotations

import os

from flask import Flask, request

import config as config_module

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def create_app(config_object: object | str | None = None) -> Flask:
    """Build the app.

    `config_object` is a config instance or class, a dotted import path, or None to let
    `LEARNINGWEEK_ENV` choose (see config.py).
    """
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    if config_object is None:
        config_object = config_module.select_config()
    elif isinstance(config_object, type):
        config_object = config_object()
    app.config.from_object(config_object)
    if app.config.get("USING_DEV_SECRET_KEY"):
        app.logger.warning(
            "SECRET_KEY is not set: using the INSECURE development key. Sessions can be "
            "forged with it. Set SECRET_KEY before this app is reachable by anyone else."
        )
    os.makedirs(app.instance_path, exist_ok=True)

    from learningweek.web.routing import DatabaseIdConverter

    app.url_map.converters["int"] = DatabaseIdConverter

    _init_extensions(app)
    _register_blueprints(app)

    from learningweek.cli import register_commands
    from learningweek.web.errors import register_error_handlers
    from learningweek.web.security import register_security
    from learningweek.web.templating import register_template_helpers

    register_error_handlers(app)
    register_security(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    from learningweek import models  # noqa: F401  (every model is mapped before first use)
    from learningweek.accounts.services import load_user
    from learningweek.core.database import begin_write_transaction, ping_when_idle
    from learningweek.extensions import csrf, db, login_manager, migrate
    from learningweek.web.actions import write_intent

    db.init_app(app)
    with app.app_context():
        ping_when_idle(db.engine, app.config["LEARNINGWEEK_DB_PING_AFTER_SECONDS"])
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "..", "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to see this page."
    login_manager.login_message_category = "info"
    login_manager.user_loader(lambda login_id: load_user(db.session, login_id))

    @app.before_request
    def start_writes_as_writer() -> None:
        # Before the login lookup reads anything, so a writing request is one writer from
        # its first read. A view that declared it only reads (a login, hashing a password
        # for a while) leaves the lock to others; one that declared nothing is a writer.
        if request.method in SAFE_METHODS:
            return
        if write_intent(app.view_functions.get(request.endpoint or "")) is not False:
            begin_write_transaction(db.session)


def _register_blueprints(app: Flask) -> None:
    from learningweek.accounts.views import bp as accounts_bp
    from learningweek.calendar.views import bp as calendar_bp
    from learningweek.editions.views import bp as editions_bp
    from learningweek.feedback.views import bp as feedback_bp
    from learningweek.learning.views import bp as learning_bp
    from learningweek.notifications.views import bp as notifications_bp
    from learningweek.proposals.views import bp as proposals_bp
    from learningweek.reports.views import bp as reports_bp
    from learningweek.schedule.views import bp as schedule_bp
    from learningweek.signups.views import bp as signups_bp

    for blueprint in (
        accounts_bp,
        editions_bp,
        proposals_bp,
        schedule_bp,
        signups_bp,
        calendar_bp,
        feedback_bp,
        learning_bp,
        reports_bp,
        notifications_bp,
    ):
        app.register_blueprint(blueprint)
