"""Locale choice and locale-aware formatting of numbers, money and dates."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app, has_request_context, request
from flask_babel import format_date as _babel_format_date
from flask_babel import format_datetime as _babel_format_datetime
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _

from portal.extensions import babel


def supported_language(value: str | None) -> str | None:
    """Return `value` if it is a language we serve, else None."""
    if value and value in current_app.config["LANGUAGES"]:
        return value
    return None


def select_locale() -> str:
    """The user's choice (cookie), else the browser's Accept-Language, else Vietnamese."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = supported_language(request.cookies.get(current_app.config["LANGUAGE_COOKIE"]))
    if chosen:
        return chosen
    best = request.accept_languages.best_match(current_app.config["LANGUAGES"])
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def init_babel(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(
        number=format_number,
        decimal=format_fraction,
        percent=format_percent,
        billions=format_billions,
        vnd=format_vnd,
        day=format_day,
        moment=format_moment,
    )
    app.jinja_env.globals.update(current_language=current_language)


def current_language() -> str:
    return str(get_locale() or "vi")


def format_number(value) -> str:
    """Whole numbers with the locale's grouping: vi 1.758, en 1,758."""
    if value is None:
        return "—"
    return format_decimal(round(value), format="#,##0")


def format_fraction(value, digits: int = 2) -> str:
    """A decimal with up to `digits` places: vi 1,5, en 1.5."""
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0." + "#" * digits)


def format_percent(value, digits: int = 2) -> str:
    """A ratio as a percentage: vi 67,19 %, en 67.19%."""
    if value is None:
        return "—"
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    suffix = " %" if current_language() == "vi" else "%"
    return format_decimal(value * 100, format=pattern) + suffix


def format_vnd(value) -> str:
    """An amount of money in đồng: vi 1.500.000 đ, en VND 1,500,000."""
    if value is None:
        return "—"
    amount = format_decimal(round(value), format="#,##0")
    return _("%(amount)s VND", amount=amount)


def format_billions(value, digits: int = 2) -> str:
    """An amount in billions of đồng: vi 401.597,49 tỷ đồng."""
    if value is None:
        return "—"
    amount = format_decimal(value / 1e9, format="#,##0." + "0" * digits)
    return _("%(amount)s billion VND", amount=amount)


def format_day(value: date | datetime | None) -> str:
    """A date: vi 22/11/2026, en 22 Nov 2026 (datetimes are shown in Asia/Ho_Chi_Minh)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    pattern = "dd/MM/yyyy" if current_language() == "vi" else "d MMM yyyy"
    if isinstance(value, datetime):
        return _babel_format_datetime(value, pattern)
    return _babel_format_date(value, pattern)


def format_moment(value: datetime | None) -> str:
    """A timestamp in Asia/Ho_Chi_Minh: vi 22/11/2026 14:05, en 22 Nov 2026, 14:05."""
    if value is None:
        return "—"
    pattern = "dd/MM/yyyy HH:mm" if current_language() == "vi" else "d MMM yyyy, HH:mm"
    return _babel_format_datetime(value, pattern)
