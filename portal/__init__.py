"""Cổng tham vấn và tra cứu quy định kinh doanh: the application factory."""

from __future__ import annotations

import logging
import os

from flask import Flask
from werkzeug.routing import IntegerConverter

from portal.config import (
    CONFIGS,
    PROJECT_ROOT,
    database_uri,
    load_secret_key,
    load_trusted_hosts,
)


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build the portal; `config_name` is development, testing or production."""
    config_name = config_name or os.environ.get("PORTAL_CONFIG", "development")
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_relative_config=True,
    )
    app.config.from_object(CONFIGS[config_name])
    app.config.from_prefixed_env("PORTAL")
    app.config.update(overrides)
    load_secret_key(app, config_name)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(app, config_name)
    load_trusted_hosts(app, config_name)

    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def register_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    from portal import models  # noqa: F401  (every model must be imported before migrations)
    from portal.accounts import init_accounts
    from portal.extensions import csrf, db, init_read_only_requests, migrate
    from portal.i18n import init_babel
    from portal.search.extension import init_search
    from portal.security import init_security

    db.init_app(app)
    init_read_only_requests(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    init_babel(app)
    init_accounts(app)
    init_security(app)
    init_search(app)


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` accepts only what an INTEGER column holds: /admin/users/99999999999 is a 404,
    not an out-of-range error in PostgreSQL."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntConverter
    from portal.accounts.views import bp as accounts_bp
    from portal.admin.views import bp as admin_bp
    from portal.consultation.staff_views import bp as consultation_staff_bp
    from portal.consultation.views import bp as consultation_bp
    from portal.main.views import bp as main_bp
    from portal.ministries.views import bp as ministries_bp
    from portal.opendata.views import bp as opendata_bp
    from portal.reform.views import bp as reform_bp
    from portal.regulations.views import bp as regulations_bp
    from portal.search.views import bp as search_bp
    from portal.workspace.views import bp as workspace_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(regulations_bp)
    app.register_blueprint(ministries_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(workspace_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(consultation_bp)
    app.register_blueprint(consultation_staff_bp)
    app.register_blueprint(reform_bp)
    app.register_blueprint(opendata_bp)

    from portal.api import init_api

    init_api(app)


def register_template_helpers(app: Flask) -> None:
    from portal.consultation import init_consultation
    from portal.templating import init_templating

    init_templating(app)
    init_consultation(app)


def register_error_handlers(app: Flask) -> None:
    from portal.errors import register_error_handlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from portal.cli import register

    register(app)
