"""The open-data JSON API under /api/v1: keyless reads, token writes, OpenAPI, limits, CORS."""

from __future__ import annotations

from flask import Flask, url_for
from flask_cors import CORS

from portal.api.core import API_PREFIX, N_, Api, Blueprint

index_bp = Blueprint(
    "api_index",
    __name__,
    url_prefix=API_PREFIX,
    description=N_("Where to start: the list of resources."),
)

API_DESCRIPTION = N_(
    "The open data of the Business Regulation Consultation and Lookup Portal: regulations, "
    "legal documents, consultations with their comments and official answers, plans to cut "
    "regulations, the reform-effort index and the institutional space. Reading needs no key. "
    "Lists page by cursor with no limit on depth; errors are JSON with a stable code."
)


@index_bp.route("/", methods=["GET"])
@index_bp.response(200)
@index_bp.errors()
@index_bp.doc(summary=N_("The resources of the API"))
def index():
    def link(endpoint, **values):
        return url_for(endpoint, **values, _external=True)

    return {
        "name": "Cổng tham vấn và tra cứu quy định kinh doanh — API",
        "version": "1",
        "openapi": link("api_docs.openapi_json"),
        "documentation": link("api_docs.docs_page"),
        "resources": {
            "regulations": link("api_catalogue.regulations"),
            "documents": link("api_catalogue.documents"),
            "ministries": link("api_catalogue.ministries"),
            "fields": link("api_catalogue.fields"),
            "consultations": link("api_consultation.consultations"),
            "plans": link("api_consultation.plans"),
            "reform_scores": link("api_reform.scores"),
            "institutional_space": link("api_reform.space"),
            "downloads": link("api_opendata.downloads"),
        },
    }


def _check_token() -> None:
    from portal.api.tokens import current_token

    current_token()  # raises for a bad token; a hook that returned it would end the request


def init_api(app: Flask) -> None:
    from portal.api import catalogue, consultation, opendata, reform, writing  # noqa: F401
    from portal.api.docs import bp as docs_bp
    from portal.api.limits import init_limits
    from portal.extensions import csrf

    app.config.setdefault("API_TITLE", "Cổng tham vấn và tra cứu quy định kinh doanh")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    api = Api(
        spec_kwargs={
            "info": {"description": API_DESCRIPTION, "license": {"name": "MIT"}},
        }
    )
    api.init_app(app)
    api.spec.components.security_scheme(
        "token",
        {
            "type": "http",
            "scheme": "bearer",
            "description": N_("A personal API token of ministry staff, from the account page."),
        },
    )
    api.spec.components.schema("UpsertBody", schema=writing.UpsertBody)
    app.extensions["portal_api"] = api
    # Vietnamese stays readable in the JSON, and fields keep the order of their schema.
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    @app.after_request
    def _retry_after_only_when_refused(response):
        # Registered before the limiter's own hook, so it runs after it: Flask-Limiter sets
        # Retry-After on every answer, which tells clients to wait when they need not.
        if response.status_code != 429:
            response.headers.pop("Retry-After", None)
        return response

    blueprints = (index_bp, catalogue.bp, consultation.bp, reform.bp, opendata.bp)
    init_limits(app, blueprints, catalogue.bp)
    for blueprint in blueprints:
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    app.register_blueprint(docs_bp)
    CORS(
        app,
        resources={rf"{API_PREFIX}/*": {"origins": "*"}},
        send_wildcard=True,
        methods=["GET", "HEAD", "OPTIONS"],
        allow_headers=["Accept", "Accept-Language", "Content-Type"],
        expose_headers=[
            "Retry-After",
            "X-RateLimit-Limit",
            "X-RateLimit-Remaining",
            "X-RateLimit-Reset",
            "Content-Language",
        ],
        supports_credentials=False,
        max_age=86400,
    )
