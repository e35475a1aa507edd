"""Register, verify, sign in and out, reset and change the password, profile, delete."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal.accounts import services
from portal.accounts.forms import (
    ApiTokenForm,
    ChangePasswordForm,
    DeleteAccountForm,
    EmptyForm,
    ForgotPasswordForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    SignInForm,
)
from portal.accounts.permissions import is_member, require
from portal.accounts.tokens import TokenInvalid
from portal.errors import RuleViolation
from portal.i18n import current_language
from portal.security import safe_local_path

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _profile(form) -> services.Profile:
    return services.Profile(
        display_name=form.display_name.data or "",
        member_type=form.member_type.data,
        organisation=form.organisation.data or "",
        tax_code=form.tax_code.data or "",
        sector=form.sector.data or "",
        member_firms=form.member_firms.data,
        locale=form.locale.data,
    )


def _next_url() -> str:
    return safe_local_path(request.values.get("next"))


def _refused(form, template: str, error: services.TooManyAttempts, **context):
    form.form_errors.append(error.message)
    response = render_template(template, form=form, **context)
    return response, 429, {"Retry-After": str(error.seconds)}


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for(".profile"))
    form = RegisterForm()
    if not form.is_submitted():
        form.locale.data = current_language()  # e-mails in the language the page is read in
    if form.validate_on_submit():
        try:
            user = services.register(form.email.data, form.password.data, _profile(form))
        except services.TooManyAttempts as error:
            return _refused(form, "accounts/register.html", error)
        except RuleViolation as violation:
            form.add_violation(violation)
        else:
            login_user(user)
            flash(
                _(
                    "Your account is ready. We sent a link to %(email)s: open it to confirm the "
                    "address, then you can comment and raise feedback.",
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for(".profile"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/register.html", form=form), status


@bp.get("/verify/<token>")
def verify(token: str):
    try:
        user = services.verify_email(token)
    except TokenInvalid as error:
        return render_template(
            "accounts/link_invalid.html", expired=error.expired, kind="verify"
        ), 400
    flash(_("Thank you: your e-mail address %(email)s is confirmed.", email=user.email), "success")
    return redirect(url_for(".profile") if current_user.is_authenticated else url_for(".sign_in"))


@bp.post("/verify/resend")
def resend_verification():
    require(is_member(current_user))
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            services.resend_verification(current_user)
        except services.TooManyAttempts as error:
            flash(error.message, "error")
        else:
            flash(_("We sent a new link to %(email)s.", email=current_user.email), "success")
    return redirect(url_for(".profile"))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(_next_url())
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.TooManyAttempts as error:
            return _refused(form, "accounts/sign_in.html", error, next=_next_url())
        except services.SignInRefused as error:
            form.form_errors.append(error.message)
        else:
            login_user(user, remember=form.remember.data)
            flash(_("You are signed in."), "success")
            return redirect(_next_url())
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/sign_in.html", form=form, next=_next_url()), status


@bp.post("/sign-out")
def sign_out():
    form = EmptyForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        services.sign_out(current_user)
        logout_user()
        flash(_("You are signed out."), "success")
    return redirect(url_for("main.home"))


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            services.request_password_reset(form.email.data)
        except services.TooManyAttempts as error:
            return _refused(form, "accounts/forgot_password.html", error)
        flash(
            _(
                "If an account uses %(email)s, we have sent it a link to choose a new password. "
                "The link works for one hour.",
                email=services.normalise_email(form.email.data),
            ),
            "success",
        )
        return redirect(url_for(".sign_in"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/forgot_password.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.check_reset_token_user(token)
    except TokenInvalid as error:
        return render_template(
            "accounts/link_invalid.html", expired=error.expired, kind="reset"
        ), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except TokenInvalid as error:
            return render_template(
                "accounts/link_invalid.html", expired=error.expired, kind="reset"
            ), 400
        except RuleViolation as violation:
            form.add_violation(violation)
        else:
            logout_user()
            flash(_("Your new password is set. Sign in with it."), "success")
            return redirect(url_for(".sign_in"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/reset_password.html", form=form), status


@bp.get("")
def profile():
    require(is_member(current_user))
    from portal.api.tokens import may_hold_tokens
    from portal.consultation.queries import followed_items

    return render_template(
        "accounts/profile.html",
        resend=EmptyForm(),
        following=followed_items(current_user),
        may_hold_tokens=may_hold_tokens(current_user),
    )


@bp.route("/profile", methods=["GET", "POST"])
def edit_profile():
    require(is_member(current_user))
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            email_changed = services.update_profile(
                current_user, _profile(form), form.email.data, form.password.data or ""
            )
        except RuleViolation as violation:
            form.add_violation(violation)
        else:
            if email_changed:
                flash(
                    _(
                        "Saved. We sent a link to %(email)s to confirm the new address.",
                        email=current_user.email,
                    ),
                    "success",
                )
            else:
                flash(_("Your profile is saved."), "success")
            return redirect(url_for(".profile"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/edit_profile.html", form=form), status


@bp.route("/password", methods=["GET", "POST"])
def change_password():
    require(is_member(current_user))
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except RuleViolation as violation:
            form.add_violation(violation)
        else:
            # Every other session has ended; this one continues with the new token.
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for(".profile"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/change_password.html", form=form), status


@bp.route("/delete", methods=["GET", "POST"])
def delete_account():
    require(is_member(current_user))
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(current_user, form.password.data)
        except RuleViolation as violation:
            form.add_violation(violation)
        else:
            logout_user()
            flash(_("Your account is deleted and your personal data erased."), "success")
            return redirect(url_for("main.home"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/delete.html", form=form), status


# ---------------------------------------------------------------------------- API tokens


NEW_TOKEN_KEY = "new_api_token"  # noqa: S105 (a session key name, not a secret)


def _tokens_page(form, secret: str | None = None, status: int = 200):
    from portal.api import tokens as api_tokens
    from portal.core.models import utcnow

    response = make_response(
        render_template(
            "accounts/api_tokens.html",
            form=form,
            tokens=api_tokens.tokens_of(current_user),
            secret=secret,
            now=utcnow(),
            revoke_form=EmptyForm(),
        ),
        status,
    )
    # The page may show a new token once: no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/api-tokens", methods=["GET", "POST"])
def api_tokens():
    from portal.api import tokens as api_tokens

    require(api_tokens.may_hold_tokens(current_user))
    form = ApiTokenForm()
    if form.validate_on_submit():
        try:
            _token, secret = api_tokens.create_token(
                current_user, form.name.data, int(form.days.data)
            )
        except RuleViolation as violation:
            form.add_violation(violation)
        else:
            # Shown once, on the page the browser is sent to (reloading it makes no second
            # token): the secret rides in the signed session cookie of its owner until then.
            session[NEW_TOKEN_KEY] = secret
            return redirect(url_for(".api_tokens"))
    status = 400 if form.is_submitted() else 200
    secret = session.pop(NEW_TOKEN_KEY, None) if not form.is_submitted() else None
    return _tokens_page(
        form if form.is_submitted() else ApiTokenForm(formdata=None), secret, status
    )


@bp.post("/api-tokens/<int:token_id>/revoke")
def revoke_api_token(token_id: int):
    from portal.api import tokens as api_tokens

    require(api_tokens.may_hold_tokens(current_user))
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            token = api_tokens.revoke_token(current_user, token_id)
        except RuleViolation as violation:
            flash(violation.message, "error")
        else:
            flash(
                _("The token “%(name)s” is revoked; it no longer works.", name=token.name),
                "success",
            )
    return redirect(url_for(".api_tokens"))
