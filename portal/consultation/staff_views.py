"""The consultation side of the ministry workspace: drafts, plans, consultations and the
queue of comments and feedback to answer."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal.accounts.forms import EmptyForm
from portal.accounts.permissions import can_use_workspace, require
from portal.consultation import queries, services, vocab
from portal.consultation.forms import (
    AttachmentForm,
    ConsultationForm,
    DraftForm,
    ItemDoneForm,
    PlanForm,
    PlanItemForm,
    PlanStatusForm,
)
from portal.consultation.models import Consultation, DraftDocument, Plan, PlanItem
from portal.errors import RuleViolation
from portal.extensions import db
from portal.ministries.models import Ministry
from portal.pagination import page_arg, paginate, per_page_arg
from portal.regulations.models import Regulation
from portal.regulations.services import local_today
from portal.security import allows_upload
from portal.text import clean_text, parse_id

bp = Blueprint("consultation_staff", __name__, url_prefix="/workspace")


def _ministry(code: str) -> Ministry:
    require(current_user.is_authenticated)
    ministry = db.session.scalar(
        select(Ministry).where(Ministry.code == clean_text(code, max_length=32).lower())
    )
    if ministry is None:
        abort(404)
    require(can_use_workspace(current_user, ministry))
    return ministry


def _owned(model, object_id: int, ministry: Ministry):
    item = db.session.get(model, object_id)
    if item is None or item.ministry_id != ministry.id:
        abort(404)
    return item


# ---------------------------------------------------------------------------- queue


@bp.get("/<code>/queue")
def queue(code: str):
    ministry = _ministry(code)
    show = request.args.get("show", "open")
    if show not in ("open", "overdue", "all"):
        show = "open"
    rows, count = queries.answer_queue(ministry.id, show)
    page = paginate(rows, count, page_arg(), per_page_arg())
    return render_template(
        "workspace/queue.html",
        ministry=ministry,
        page=page,
        show=show,
        stats=queries.answer_stats(ministry.id),
        now=services.utcnow(),
    )


# ---------------------------------------------------------------------------- drafts


@bp.get("/<code>/drafts")
def drafts(code: str):
    ministry = _ministry(code)
    items = db.session.scalars(
        select(DraftDocument)
        .where(DraftDocument.ministry_id == ministry.id)
        .order_by(DraftDocument.created_at.desc())
    ).all()
    return render_template("workspace/drafts.html", ministry=ministry, drafts=items)


@bp.route("/<code>/drafts/new", methods=["GET", "POST"])
def new_draft(code: str):
    ministry = _ministry(code)
    form = DraftForm()
    if form.validate_on_submit():
        try:
            draft = services.create_draft(
                current_user,
                ministry,
                form.title.data,
                form.doc_type.data,
                form.summary.data or "",
                form.field.data or "",
            )
        except RuleViolation as violation:
            db.session.rollback()
            form.add_violation(violation)
        else:
            flash(
                _("Draft created. Add its draft regulations, then open it for comment."), "success"
            )
            return redirect(url_for(".draft", code=ministry.code, draft_id=draft.id))
    status = 400 if form.is_submitted() else 200
    return render_template("workspace/draft_form.html", ministry=ministry, form=form), status


@bp.route("/<code>/drafts/<int:draft_id>", methods=["GET", "POST"])
def draft(code: str, draft_id: int):
    ministry = _ministry(code)
    draft = _owned(DraftDocument, draft_id, ministry)
    if request.method == "POST" and EmptyForm().validate_on_submit():
        reg_code = clean_text(request.form.get("regulation", ""), max_length=80)
        regulation = db.session.scalar(
            select(Regulation).where(func.lower(Regulation.code) == reg_code.lower())
        )
        try:
            if regulation is None:
                raise RuleViolation(
                    _("There is no regulation %(code)s of this ministry.", code=reg_code),
                    "regulation",
                )
            services.attach_draft_regulation(current_user, draft, regulation)
        except RuleViolation as violation:
            db.session.rollback()
            flash(violation.message, "error")
        else:
            flash(_("%(code)s is now part of the draft.", code=regulation.code), "success")
        return redirect(url_for(".draft", code=ministry.code, draft_id=draft.id))
    candidates = db.session.scalars(
        select(Regulation)
        .where(
            Regulation.ministry_id == ministry.id,
            Regulation.status == "draft",
            Regulation.draft_document_id.is_(None),
        )
        .order_by(Regulation.code)
    ).all()
    consultations = db.session.scalars(
        select(Consultation).where(Consultation.draft_id == draft.id)
    ).all()
    return render_template(
        "workspace/draft.html",
        ministry=ministry,
        draft=draft,
        candidates=candidates,
        consultations=consultations,
        action_form=EmptyForm(),
    )


# ---------------------------------------------------------------------------- plans


@bp.get("/<code>/plans")
def plans(code: str):
    ministry = _ministry(code)
    return render_template(
        "workspace/plans.html", ministry=ministry, plans=queries.plans_list(ministry_id=ministry.id)
    )


@bp.route("/<code>/plans/new", methods=["GET", "POST"])
def new_plan(code: str):
    ministry = _ministry(code)
    form = PlanForm()
    if not form.is_submitted():
        form.year.data = local_today().year
    if form.validate_on_submit():
        try:
            plan = services.create_plan(
                current_user, ministry, form.title.data, form.summary.data or "", form.year.data
            )
        except RuleViolation as violation:
            db.session.rollback()
            form.add_violation(violation)
        else:
            flash(_("Plan created. Add the regulations it cuts or simplifies."), "success")
            return redirect(url_for(".plan", code=ministry.code, plan_id=plan.id))
    status = 400 if form.is_submitted() else 200
    return render_template("workspace/plan_form.html", ministry=ministry, form=form), status


def _plan_page(
    ministry, plan, item_form=None, status_form=None, done_form=None, done_item=None, code=200
):
    return render_template(
        "workspace/plan.html",
        ministry=ministry,
        plan=plan,
        savings=queries.plan_savings(plan),
        item_form=item_form or PlanItemForm(formdata=None),
        status_form=status_form or PlanStatusForm(formdata=None),
        done_form=done_form or ItemDoneForm(formdata=None),
        done_item=done_item,
        transitions=[
            (status, services.earliest_step_date(plan, status))
            for status in vocab.PLAN_TRANSITIONS.get(plan.status, ())
            if status != "consultation"  # opened from the consultation form
        ],
        today=local_today(),
        consultations=db.session.scalars(
            select(Consultation).where(Consultation.plan_id == plan.id)
        ).all(),
    ), code


@bp.get("/<code>/plans/<int:plan_id>")
def plan(code: str, plan_id: int):
    ministry = _ministry(code)
    return _plan_page(ministry, _owned(Plan, plan_id, ministry))


@bp.post("/<code>/plans/<int:plan_id>/items")
def add_item(code: str, plan_id: int):
    ministry = _ministry(code)
    plan = _owned(Plan, plan_id, ministry)
    form = PlanItemForm()
    if form.validate_on_submit():
        costs = {
            "time_hours": form.time_hours_after.data or "",
            "cost_vnd": form.cost_vnd_after.data or "",
            "frequency": form.frequency_after.data or "",
            "subjects": form.subjects_after.data or "",
        }
        try:
            services.add_plan_item(
                current_user,
                plan,
                form.regulation.data,
                form.action.data,
                form.description.data or "",
                costs,
                form.due_date.data,
            )
        except RuleViolation as violation:
            db.session.rollback()
            form.add_violation(violation)
        else:
            flash(_("Item added."), "success")
            return redirect(url_for(".plan", code=ministry.code, plan_id=plan.id))
    return _plan_page(ministry, plan, item_form=form, code=400)


@bp.post("/<code>/plans/<int:plan_id>/status")
def plan_status(code: str, plan_id: int):
    ministry = _ministry(code)
    plan = _owned(Plan, plan_id, ministry)
    form = PlanStatusForm()
    if form.validate_on_submit():
        try:
            services.advance_plan(
                current_user,
                plan,
                form.status.data or "",
                on=form.on.data,
                decision_number=form.decision_number.data or "",
            )
        except RuleViolation as violation:
            db.session.rollback()
            # The status is a hidden input: its problems belong to the form as a whole.
            if violation.field == "status":
                form.form_errors.append(violation.message)
            else:
                form.add_violation(violation)
        else:
            flash(_("The plan is now “%(status)s”.", status=plan.status_term.label), "success")
            return redirect(url_for(".plan", code=ministry.code, plan_id=plan.id))
    return _plan_page(ministry, plan, status_form=form, code=400)


@bp.post("/<code>/plans/<int:plan_id>/items/<int:item_id>/done")
def item_done(code: str, plan_id: int, item_id: int):
    ministry = _ministry(code)
    plan = _owned(Plan, plan_id, ministry)
    item = db.session.get(PlanItem, item_id)
    if item is None or item.plan_id != plan.id:
        abort(404)
    form = ItemDoneForm()
    if form.validate_on_submit():
        try:
            services.complete_plan_item(
                current_user, item, form.done_on.data, form.document_number.data
            )
        except RuleViolation as violation:
            db.session.rollback()
            form.add_violation(violation)
        else:
            flash(
                _(
                    "%(code)s is done; its status, cost and history are updated.",
                    code=item.regulation.code,
                ),
                "success",
            )
            return redirect(url_for(".plan", code=ministry.code, plan_id=plan.id))
    return _plan_page(ministry, plan, done_form=form, done_item=item, code=400)


# ---------------------------------------------------------------------------- consultations


@bp.route("/<code>/consultations/new", methods=["GET", "POST"])
def new_consultation(code: str):
    ministry = _ministry(code)
    draft = plan = None
    if raw := request.args.get("draft", ""):
        draft = _owned(DraftDocument, parse_id(raw) or abort(404), ministry)
    elif raw := request.args.get("plan", ""):
        plan = _owned(Plan, parse_id(raw) or abort(404), ministry)
    else:
        abort(404)
    form = ConsultationForm()
    if not form.is_submitted():
        from datetime import timedelta

        form.opens_on.data = local_today()
        form.closes_on.data = local_today() + timedelta(days=services.min_days() - 1)
    if form.validate_on_submit():
        try:
            consultation = services.open_consultation(
                current_user,
                draft=draft,
                plan=plan,
                title=form.title.data or "",
                summary=form.summary.data,
                opens_on=form.opens_on.data,
                closes_on=form.closes_on.data,
            )
        except RuleViolation as violation:
            db.session.rollback()
            form.add_violation(violation)
        else:
            flash(_("The consultation is published."), "success")
            return redirect(
                url_for(".consultation", code=ministry.code, consultation_id=consultation.id)
            )
    status = 400 if form.is_submitted() else 200
    return render_template(
        "workspace/consultation_form.html",
        ministry=ministry,
        form=form,
        draft=draft,
        plan=plan,
        min_days=services.min_days(),
    ), status


@bp.route("/<code>/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
def edit_consultation(code: str, consultation_id: int):
    ministry = _ministry(code)
    consultation = _owned(Consultation, consultation_id, ministry)
    form = ConsultationForm()
    if not form.is_submitted():
        form.title.data = consultation.title
        form.summary.data = consultation.summary
        form.opens_on.data = consultation.opens_on
        form.closes_on.data = consultation.closes_on
    if form.validate_on_submit():
        try:
            changes = services.update_consultation(
                current_user,
                consultation,
                title=form.title.data or "",
                summary=form.summary.data,
                opens_on=form.opens_on.data,
                closes_on=form.closes_on.data,
            )
        except RuleViolation as violation:
            db.session.rollback()
            form.add_violation(violation)
        else:
            flash(
                _("Saved. The consultation's followers are told what changed.")
                if changes
                else _("Nothing was changed."),
                "success",
            )
            return redirect(
                url_for(".consultation", code=ministry.code, consultation_id=consultation.id)
            )
    status = 400 if form.is_submitted() else 200
    return render_template(
        "workspace/consultation_edit.html",
        ministry=ministry,
        consultation=consultation,
        form=form,
        state=consultation.state(),
        min_days=services.min_days(),
    ), status


@bp.route("/<code>/consultations/<int:consultation_id>", methods=["GET", "POST"])
@allows_upload(max_bytes=services.MAX_ATTACHMENT_BYTES + 256 * 1024)  # the file and the form
def consultation(code: str, consultation_id: int):
    ministry = _ministry(code)
    consultation = _owned(Consultation, consultation_id, ministry)
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            services.add_attachment(
                current_user,
                consultation,
                upload.filename or "tep",
                upload.read(services.MAX_ATTACHMENT_BYTES + 1),
            )
        except RuleViolation as violation:
            db.session.rollback()
            form.add_violation(violation)
        else:
            flash(_("File attached."), "success")
            return redirect(
                url_for(".consultation", code=ministry.code, consultation_id=consultation.id)
            )
    status = 400 if form.is_submitted() else 200
    return render_template(
        "workspace/consultation.html",
        ministry=ministry,
        consultation=consultation,
        form=form,
        stats=queries.category_statistics(consultation),
    ), status
