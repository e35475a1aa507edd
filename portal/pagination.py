"""Safe page arguments and a pagination object that never overflows the database."""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import abort, current_app, request, url_for

from portal.extensions import db
from portal.text import parse_id


def current_url(args: dict[str, list[str]]) -> str:
    """The current page's path with these query arguments.

    The arguments are encoded as a query string, never passed to url_for as keywords: a
    visitor's `?endpoint=`, `?_external=` or `?slug=` must not steer how the URL is built.
    """
    path = url_for(request.endpoint, **(request.view_args or {}))
    query = urlencode([(key, value) for key, values in args.items() for value in values])
    return f"{path}?{query}" if query else path


def _int_arg(name: str) -> int | None:
    """None when the argument is absent, -1 when it is not a number of at most 9 digits."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    number = parse_id(raw, max_digits=9)
    return -1 if number is None else number


def page_arg() -> int:
    """The `page` argument: 1 by default; anything that is not a page number is a 404."""
    page = _int_arg("page")
    if page is None:
        return 1
    if page < 1 or page > current_app.config["MAX_PAGE"]:
        abort(404)
    return page


def per_page_arg() -> int:
    """The `per_page` argument, limited to the offered choices (anything else: the default)."""
    value = _int_arg("per_page")
    choices = current_app.config["PER_PAGE_CHOICES"]
    return value if value in choices else current_app.config["PER_PAGE_DEFAULT"]


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_index(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def window(self, size: int = 2) -> list[int | None]:
        """Page numbers to show, with None for a gap: 1 … 4 5 [6] 7 8 … 20."""
        shown = {1, self.pages} | set(range(self.page - size, self.page + size + 1))
        result: list[int | None] = []
        previous = 0
        for number in sorted(n for n in shown if 1 <= n <= self.pages):
            if number - previous > 1:
                result.append(None)
            result.append(number)
            previous = number
        return result

    def url(self, number: int) -> str:
        """This page's URL with every other argument kept."""
        args = request.args.to_dict(flat=False)
        args["page"] = [str(number)]
        return current_url(args)


def paginate(statement, count, page: int, per_page: int, *, rows: bool = False) -> Page:
    """Run a select for one page; a page past the end is a 404 (except page 1 of nothing).

    `count` is a count statement, or the total when the caller has already counted. With
    `rows`, items are result rows (several columns) instead of single objects.
    """
    total = count if isinstance(count, int) else (db.session.scalar(count) or 0)
    pages = max(1, math.ceil(total / per_page))
    if page > pages:
        abort(404)
    limited = statement.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(limited).all() if rows else db.session.scalars(limited).all()
    return Page(items=list(result), page=page, per_page=per_page, total=total)
