"""/admin: users, ministries, fields, settings, the audit log and the mail outbox."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from portal.accounts import services as accounts
from portal.accounts.forms import EmptyForm, UserAdminForm
from portal.accounts.models import User
from portal.accounts.permissions import can_administer, require
from portal.accounts.roles import ROLE_CODES, ROLE_LABELS
from portal.admin import services
from portal.admin.forms import FieldForm, MethodologyForm, MinistryForm, SettingForm
from portal.audit import queries as audit_queries
from portal.audit.models import AuditEvent
from portal.audit.services import ACTIONS
from portal.core.settings import SPECS, get_setting
from portal.downloads import table_response
from portal.errors import RuleViolation
from portal.extensions import db
from portal.forms import options
from portal.mail.models import MailMessage
from portal.ministries.models import Ministry
from portal.pagination import page_arg, paginate, per_page_arg
from portal.regulations.models import Field
from portal.text import clean_text

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _administrators_only():
    require(can_administer(current_user))


def _ministries():
    return db.session.scalars(select(Ministry).order_by(Ministry.sort_order)).all()


@bp.get("")
def index():
    counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    pending_mail = db.session.scalar(
        select(func.count(MailMessage.id)).where(MailMessage.status == "pending")
    )
    return render_template("admin/index.html", counts=counts, pending_mail=pending_mail)


# ---------------------------------------------------------------------------- users


@bp.get("/users")
def users():
    query = clean_text(request.args.get("q", ""), max_length=120)
    role = request.args.get("role", "")
    status = request.args.get("status", "")
    ministry_code = clean_text(request.args.get("ministry", ""), max_length=32).lower()
    conditions = [User.deleted_at.is_(None)]
    if query:
        pattern = f"%{query.lower()}%"
        conditions.append(
            or_(
                func.lower(User.email).like(pattern),
                func.lower(User.display_name).like(pattern),
                func.lower(User.organisation).like(pattern),
                User.tax_code.like(pattern),
            )
        )
    if role in ROLE_CODES:
        conditions.append(User.role == role)
    if status == "inactive":
        conditions.append(User.active.is_(False))
    elif status == "unverified":
        conditions.append(User.email_verified_at.is_(None))
    ministry = None
    if ministry_code:
        ministry = db.session.scalar(select(Ministry).where(Ministry.code == ministry_code))
        if ministry is not None:
            conditions.append(User.ministry_id == ministry.id)
    rows = select(User).where(*conditions).order_by(User.created_at.desc(), User.id.desc())
    count = select(func.count(User.id)).where(*conditions)
    page = paginate(rows, count, page_arg(), per_page_arg())
    return render_template(
        "admin/users.html",
        page=page,
        query=query,
        role=role if role in ROLE_CODES else "",
        status=status,
        ministry=ministry,
        ministries=_ministries(),
        role_labels=ROLE_LABELS,
    )


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        abort(404)
    return user


def _user_form(user: User) -> UserAdminForm:
    form = UserAdminForm()
    form.ministry.choices = options(
        [("", _("— none —"))] + [(m.code, m.name) for m in _ministries()]
    )
    if not form.is_submitted():
        form.role.data = user.role
        form.ministry.data = user.ministry.code if user.ministry else ""
        form.is_moderator.data = user.is_moderator
    return form


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    user = _user(user_id)
    form = _user_form(user)
    if form.validate_on_submit():
        try:
            accounts.change_role(current_user, user, form.role.data, form.ministry.data or None)
            accounts.set_moderator(current_user, user, bool(form.is_moderator.data))
        except RuleViolation as violation:
            db.session.rollback()
            form.add_violation(violation)
        else:
            flash(_("The account %(email)s is saved.", email=user.email), "success")
            return redirect(url_for(".user", user_id=user.id))
    recent = db.session.scalars(
        select(AuditEvent)
        .where(or_(AuditEvent.actor_id == user.id, AuditEvent.subject_key == user.email))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(20)
    ).all()
    status = 400 if form.is_submitted() else 200
    return render_template(
        "admin/user.html",
        user=user,
        form=form,
        active_form=EmptyForm(),
        recent=recent,
        actions=ACTIONS,
    ), status


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    user = _user(user_id)
    form = EmptyForm()
    if form.validate_on_submit():
        active = request.form.get("active") == "1"
        try:
            accounts.set_active(current_user, user, active)
        except RuleViolation as violation:
            flash(violation.message, "error")
        else:
            flash(
                _("The account is active again.")
                if active
                else _("The account is deactivated and every session of it has ended."),
                "success",
            )
    return redirect(url_for(".user", user_id=user.id))


# ---------------------------------------------------------------------------- reference data


@bp.get("/ministries")
def ministries():
    return render_template("admin/ministries.html", ministries=_ministries())


@bp.route("/ministries/<code>", methods=["GET", "POST"])
def ministry(code: str):
    ministry = db.session.scalar(
        select(Ministry).where(Ministry.code == clean_text(code, max_length=32).lower())
    )
    if ministry is None:
        abort(404)
    form = MinistryForm(obj=ministry)
    if form.validate_on_submit():
        try:
            services.update_ministry(
                current_user,
                ministry,
                form.name_vi.data,
                form.name_en.data,
                form.abbreviation.data or "",
            )
        except RuleViolation as violation:
            db.session.rollback()
            form.add_violation(violation)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".ministries"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/ministry.html", ministry=ministry, form=form), status


@bp.get("/fields")
def fields():
    rows = select(Field).order_by(Field.name_key)
    page = paginate(rows, select(func.count(Field.id)), page_arg(), per_page_arg())
    return render_template("admin/fields.html", page=page)


@bp.route("/fields/<int:field_id>", methods=["GET", "POST"])
def field(field_id: int):
    field = db.session.get(Field, field_id)
    if field is None:
        abort(404)
    form = FieldForm(obj=field)
    if form.validate_on_submit():
        try:
            services.update_field(current_user, field, form.name_vi.data, form.name_en.data or "")
        except RuleViolation as violation:
            db.session.rollback()
            form.add_violation(violation)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for(".fields"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/field.html", field=field, form=form), status


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    forms = {}
    status = 200
    for key, spec in SPECS.items():
        form = SettingForm(prefix=key)
        if request.method == "POST" and request.form.get("setting") == key:
            if form.validate_on_submit():
                try:
                    services.change_setting(current_user, key, form.value.data)
                except RuleViolation as violation:
                    db.session.rollback()
                    form.add_violation(violation)
                    status = 400
                else:
                    flash(_("Saved."), "success")
                    return redirect(url_for(".settings"))
            else:
                status = 400
        elif not form.is_submitted() or request.form.get("setting") != key:
            form.value.data = str(get_setting(spec))
        forms[key] = (spec, form)
    return render_template("admin/settings.html", forms=forms), status


@bp.route("/methodology", methods=["GET", "POST"])
def methodology():
    from portal.reform import methodology as reform_methodology

    form = MethodologyForm()
    current = reform_methodology.current()
    if not form.is_submitted():
        p = current.parameters
        defaults = {
            "weight_transparency": p["weights"]["transparency"],
            "weight_results": p["weights"]["results"],
            "weight_satisfaction": p["weights"]["satisfaction"],
            "target_regulations": round(p["targets"]["regulations"] * 100, 2),
            "target_cost": round(p["targets"]["cost"] * 100, 2),
            "consultation_min_days": p["consultation_min_days"],
            "deadline_day": p["plan_deadline"]["day"],
            "deadline_month": p["plan_deadline"]["month"],
            "plan_first": p["plan_years"]["first"],
            "plan_last": p["plan_years"]["last"],
            "band_good": p["bands"]["good"],
            "band_fair": p["bands"]["fair"],
        }
        for name, value in defaults.items():
            form[name].data = str(value)
    if form.validate_on_submit():
        values = {field.name: field.data for field in form if field.name != "csrf_token"}
        try:
            version = services.change_methodology(current_user, values, form.note.data)
        except RuleViolation as violation:
            db.session.rollback()
            form.add_violation(violation)
        else:
            flash(
                _(
                    "Methodology version %(version)s is in force; scores are recomputed with it.",
                    version=version.version,
                ),
                "success",
            )
            return redirect(url_for("reform.methodology_page"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/methodology.html", form=form, current=current), status


# ---------------------------------------------------------------------------- audit and mail


@bp.get("/audit")
def audit():
    filters = audit_queries.parse_filters(request.args)
    rows, count = audit_queries.audit_query(filters)
    page = paginate(rows, count, page_arg(), per_page_arg())
    return render_template(
        "admin/audit.html", page=page, filters=filters, actions=ACTIONS, ministries=_ministries()
    )


@bp.get("/audit/export.<fmt>")
def audit_export(fmt: str):
    filters = audit_queries.parse_filters(request.args)
    return table_response(
        audit_queries.EXPORT_HEADER, audit_queries.export_rows(filters), fmt, "nhat-ky", "audit"
    )


@bp.get("/mail")
def mail():
    rows = select(MailMessage).order_by(MailMessage.id.desc())
    page = paginate(rows, select(func.count(MailMessage.id)), page_arg(), per_page_arg())
    return render_template("admin/mail.html", page=page)


@bp.get("/mail/<int:message_id>")
def mail_message(message_id: int):
    message = db.session.get(MailMessage, message_id)
    if message is None:
        abort(404)
    return render_template("admin/mail_message.html", message=message)
