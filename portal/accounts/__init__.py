"""Accounts, roles and permissions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.text import parse_id


def init_accounts(app) -> None:
    from portal.accounts.models import Guest, User
    from portal.accounts.permissions import PermissionsForTemplates
    from portal.extensions import db, login_manager

    login_manager.init_app(app)
    login_manager.anonymous_user = Guest
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.needs_refresh_message = _l("Please sign in again to continue.")

    @login_manager.user_loader
    def _load(user_id: str):
        """`id:token`: a session whose token was rotated (sign-out, new password,
        deactivation) no longer loads, whoever holds the cookie."""
        identifier, _sep, token = (user_id or "").partition(":")
        user_number = parse_id(identifier)
        if user_number is None or not token:
            return None
        user = db.session.get(User, user_number)
        if user is None or not user.is_active or user.session_token != token:
            return None
        return user

    permissions = PermissionsForTemplates()

    @app.context_processor
    def _permissions():
        return {"can": permissions}
