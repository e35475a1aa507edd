"""The OpenAPI document (generated from the views and schemas by flask-smorest) and the
human-readable API page that the portal renders from it, in the reader's language."""

from __future__ import annotations

import copy
import json

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import gettext

from portal.api.core import N_
from portal.i18n import current_language

bp = Blueprint("api_docs", __name__)

# The order and titles of the sections of the docs page (tags are blueprint names).
TAGS = {
    "api_index": N_("Start"),
    "api_catalogue": N_("Catalogue"),
    "api_consultation": N_("Consultation"),
    "api_reform": N_("Reform-effort index"),
    "api_opendata": N_("Open data and writing"),
}
_TRANSLATED_KEYS = ("summary", "description", "title")


def _translate(node):
    """Summaries and descriptions in the current language (the English text is the msgid)."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in _TRANSLATED_KEYS and isinstance(value, str) and value:
                out[key] = gettext(value)
            else:
                out[key] = _translate(value)
        return out
    if isinstance(node, list):
        return [_translate(item) for item in node]
    return node


def spec_document() -> dict:
    """The OpenAPI document in the current language (built once per language)."""
    cache = current_app.extensions.setdefault("api_spec_cache", {})
    language = current_language()
    if language not in cache:
        api = current_app.extensions["portal_api"]
        document = copy.deepcopy(api.spec.to_dict())
        for tag in document.get("tags", []):
            tag["x-displayName"] = gettext(TAGS.get(tag["name"], tag["name"]))
        cache[language] = _translate(document)
    return cache[language]


@bp.get("/api/v1/openapi.json")
def openapi_json():
    response = current_app.response_class(
        json.dumps(spec_document(), ensure_ascii=False, indent=1), mimetype="application/json"
    )
    response.headers["Content-Language"] = current_language()
    return response


def _anchor(method: str, path: str) -> str:
    """`get-api-v1-regulations-code` for GET /api/v1/regulations/{code}."""
    cleaned = path.strip("/").replace("/", "-").replace("{", "").replace("}", "")
    return f"{method}-{cleaned}"


def _operations(document: dict) -> list[tuple[dict, list[dict]]]:
    """(tag, operations) in the order of TAGS; each operation with its method and path."""
    by_tag: dict[str, list[dict]] = {}
    for path, methods in document.get("paths", {}).items():
        for method, operation in methods.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            shared = methods.get("parameters", [])
            entry = {
                **operation,
                "method": method.upper(),
                "path": path,
                "all_parameters": [*shared, *operation.get("parameters", [])],
                "anchor": _anchor(method, path),
            }
            for tag in operation.get("tags", ["other"]):
                by_tag.setdefault(tag, []).append(entry)
    tags = {tag["name"]: tag for tag in document.get("tags", [])}
    ordered = [name for name in TAGS if name in by_tag] + [n for n in by_tag if n not in TAGS]
    return [(tags.get(name, {"name": name}), by_tag[name]) for name in ordered]


def schema_name(schema: dict | None) -> str:
    if not schema:
        return ""
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1]


@bp.get("/api/docs")
def docs_page():
    document = spec_document()
    return render_template(
        "api/docs.html",
        document=document,
        sections=_operations(document),
        tag_titles=TAGS,
        schema_name=schema_name,
        base=url_for("api_index.index", _external=True).rstrip("/"),
    )
