"""/search: Vietnamese full-text search over regulations and legal documents."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from portal.pagination import Page, page_arg, per_page_arg
from portal.search.service import run_search

bp = Blueprint("search", __name__)


@bp.get("/search")
def index():
    page_number, per_page = page_arg(), per_page_arg()
    outcome = run_search(request.args, page_number, per_page, current_user)
    page = Page(items=outcome.hits, page=page_number, per_page=per_page, total=outcome.total)
    if outcome.total and page_number > page.pages:
        abort(404)
    return render_template("search/index.html", outcome=outcome, page=page)
