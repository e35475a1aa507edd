"""Template globals: navigation, vocabulary labels and URL helpers."""

from __future__ import annotations

from flask import current_app, g, request, url_for
from flask_babel import lazy_gettext as _l

from portal.i18n import current_language
from portal.pagination import current_url
from portal.regulations import vocab

# The portal's menu (slide 003:229). Items without an endpoint are not built yet and are
# shown as unavailable rather than linked.
NAVIGATION = (
    ("main.home", _l("Home")),
    ("consultation.index", _l("Consultation")),
    ("regulations.index", _l("Lookup")),
    ("reform.ranking", _l("Reform effort")),
    ("main.guide", _l("User guide")),
)


# Labels of the file columns, used where history lists what an update changed.
COLUMN_LABELS = {
    "kind": _l("kind"),
    "title": _l("title"),
    "content": _l("content"),
    "ministry_id": _l("ministry"),
    "field_id": _l("field"),
    "status": _l("status"),
    "published": _l("publication"),
    "legal_basis": _l("legal basis"),
    "time_hours": _l("time spent"),
    "cost_vnd": _l("fees and charges"),
    "frequency": _l("frequency"),
    "subjects": _l("businesses subject"),
}


def column_labels(names: str) -> str:
    """`title,cost_vnd` → `title, fees and charges` in the active language."""
    return ", ".join(str(COLUMN_LABELS.get(name, name)) for name in names.split(",") if name)


def language_url(code: str) -> str:
    """The language switch link for `code`, returning to the current page."""
    target = request.full_path if request.query_string else request.path
    return url_for("main.set_language", code=code, next=target)


def url_with(**changes) -> str:
    """The current URL with some arguments changed (None removes one) and page reset."""
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    for key, value in changes.items():
        if value is None or value == [] or value == "":
            args.pop(key, None)
        else:
            args[key] = value if isinstance(value, list) else [value]
    return current_url(args)


def data_lang() -> str | None:
    """`vi` when the page is in another language: catalogue text is Vietnamese."""
    return "vi" if current_language() != "vi" else None


def reset_request_caches() -> None:
    """Forget the locale and settings cached on `g`.

    A request reuses an app context that is already pushed (a CLI script, a test), and then `g`
    outlives the request; each request must choose its own language.
    """
    g.pop("_flask_babel", None)
    g.pop("_settings", None)
    g.pop("_login_user", None)  # Flask-Login's signed-in user: each request loads its own
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)  # Flask-WTF's token


def init_templating(app) -> None:
    app.before_request(reset_request_caches)
    app.jinja_env.globals.update(
        NAVIGATION=NAVIGATION,
        KINDS=vocab.KINDS,
        STATUSES=vocab.STATUSES,
        DOCUMENT_TYPES=vocab.DOCUMENT_TYPES,
        term=vocab.term,
        language_url=language_url,
        url_with=url_with,
        data_lang=data_lang,
        column_labels=column_labels,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
