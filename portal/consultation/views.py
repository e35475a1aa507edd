"""Public consultation pages: the list, a consultation with its comments and answers, the
summary report, feedback on regulations, plans, moderation, following and feeds."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.forms import EmptyForm
from portal.accounts.permissions import (
    can_answer,
    can_edit_comment,
    can_moderate,
    can_see_regulation,
    is_member,
    require,
)
from portal.accounts.roles import MEMBER_TYPE_LABELS, MemberType
from portal.consultation import queries, services, vocab
from portal.consultation.forms import (
    AnswerForm,
    CommentForm,
    EditCommentForm,
    FeedbackForm,
    ModerateForm,
    RatingForm,
    ReportForm,
)
from portal.consultation.models import Attachment, Comment, Consultation, Plan
from portal.downloads import table_response
from portal.errors import RuleViolation
from portal.extensions import db
from portal.forms import options
from portal.ministries.models import Ministry
from portal.pagination import page_arg, paginate, per_page_arg
from portal.regulations import queries as regulation_queries
from portal.regulations.models import Field
from portal.regulations.services import local_today
from portal.security import safe_local_path
from portal.text import clean_text, parse_id

bp = Blueprint("consultation", __name__)


def _consultation(consultation_id: int) -> Consultation:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        abort(404)
    return consultation


def _comment(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    return comment


def _comment_url(comment: Comment) -> str:
    if comment.consultation_id:
        return url_for(
            ".detail", consultation_id=comment.consultation_id, _anchor=f"comment-{comment.id}"
        )
    return url_for(".feedback_detail", comment_id=comment.parent_id or comment.id)


@bp.get("/consultations")
def index():
    filters = queries.parse_filters(request.args)
    rows, count = queries.consultation_list(filters)
    page = paginate(rows, count, page_arg(), per_page_arg())
    ministries = db.session.scalars(select(Ministry).order_by(Ministry.sort_order)).all()
    fields = db.session.scalars(
        select(Field)
        .where(
            Field.id.in_(
                select(queries.DraftDocument.field_id).where(
                    queries.DraftDocument.field_id.is_not(None)
                )
            )
        )
        .order_by(Field.name_key)
    ).all()
    return render_template(
        "consultation/index.html",
        page=page,
        filters=filters,
        counts=queries.state_counts(filters),
        comment_counts=queries.comment_counts([c.id for c in page.items]),
        ministries=ministries,
        fields=fields,
        today=local_today(),
    )


def _targets(consultation: Consultation):
    pairs = [("", _("The whole consultation"))]
    if consultation.draft:
        pairs += [
            (f"reg:{r.id}", f"{r.code} — {r.title}")
            for r in consultation.draft.regulations
            if can_see_regulation(current_user, r)
        ]
    if consultation.plan:
        pairs += [
            (
                f"item:{item.id}",
                f"{item.regulation.code} — {item.regulation.title}"
                if can_see_regulation(current_user, item.regulation)
                else _(
                    "A regulation the ministry has not published (%(action)s)",
                    action=item.action_term.label,
                ),
            )
            for item in consultation.plan.items
        ]
    return options(pairs)


def _detail_page(consultation: Consultation, form: CommentForm | None = None, status=200):
    form = form or CommentForm(formdata=None)
    form.target.choices = _targets(consultation)
    if request.args.get("about") and not form.target.data:
        form.target.data = request.args["about"][:40]
    savings = queries.plan_savings(consultation.plan) if consultation.plan else []
    return render_template(
        "consultation/detail.html",
        consultation=consultation,
        threads=queries.threads(consultation),
        categories=queries.category_statistics(consultation),
        outcomes=queries.outcome_statistics(consultation),
        category_labels=MEMBER_TYPE_LABELS,
        savings=savings,
        form=form,
        action_form=EmptyForm(),
        follows=queries.follows_of(current_user),
        now_state=consultation.state(),
    ), status


@bp.get("/consultations/<int:consultation_id>")
def detail(consultation_id: int):
    return _detail_page(_consultation(consultation_id))


@bp.post("/consultations/<int:consultation_id>/comments")
def post_comment(consultation_id: int):
    consultation = _consultation(consultation_id)
    require(is_member(current_user))
    form = CommentForm()
    form.target.choices = _targets(consultation)
    if form.validate_on_submit():
        target = form.target.data or ""
        parent = None
        if form.parent_id.data:
            parent_id = parse_id(form.parent_id.data)
            parent = db.session.get(Comment, parent_id) if parent_id else None
            if parent is None:
                abort(404)
        try:
            comment = services.post_comment(
                current_user,
                consultation,
                form.body.data,
                form.idempotency_key.data or "",
                regulation_id=parse_id(target[4:]) if target.startswith("reg:") else None,
                plan_item_id=parse_id(target[5:]) if target.startswith("item:") else None,
                parent=parent,
            )
        except RuleViolation as violation:
            db.session.rollback()
            form.add_violation(violation)
        else:
            flash(
                _(
                    "Thank you. Your comment is published; its receipt number is %(receipt)s.",
                    receipt=comment.receipt,
                ),
                "success",
            )
            return redirect(_comment_url(comment))
    return _detail_page(consultation, form, 400)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit_comment(comment_id: int):
    comment = _comment(comment_id)
    require(is_member(current_user) and current_user.id == comment.author_id)
    form = EditCommentForm(obj=comment)
    if form.validate_on_submit():
        try:
            services.edit_comment(current_user, comment, form.body.data)
        except RuleViolation as violation:
            db.session.rollback()
            form.add_violation(violation)
        else:
            flash(_("Your comment is corrected."), "success")
            return redirect(_comment_url(comment))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "consultation/edit_comment.html",
        comment=comment,
        form=form,
        editable=can_edit_comment(current_user, comment),
    ), status


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
def report_comment(comment_id: int):
    comment = _comment(comment_id)
    require(is_member(current_user))
    form = ReportForm()
    if form.validate_on_submit():
        try:
            recorded = services.report_comment(current_user, comment, form.reason.data)
        except RuleViolation as violation:
            db.session.rollback()
            form.add_violation(violation)
        else:
            flash(
                _("Thank you: a moderator will look at it.")
                if recorded
                else _("You have already reported this comment."),
                "success",
            )
            return redirect(_comment_url(comment))
    status = 400 if form.is_submitted() else 200
    return render_template("consultation/report.html", comment=comment, form=form), status


@bp.route("/comments/<int:comment_id>/answer", methods=["GET", "POST"])
def answer_comment(comment_id: int):
    comment = _comment(comment_id)
    require(current_user.is_authenticated)
    require(can_answer(current_user, comment))
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            services.answer_comment(current_user, comment, form.outcome.data, form.body.data)
        except RuleViolation as violation:
            db.session.rollback()
            form.add_violation(violation)
        else:
            flash(_("The official answer is published."), "success")
            return redirect(_comment_url(comment))
    status = 400 if form.is_submitted() else 200
    return render_template("consultation/answer.html", comment=comment, form=form), status


@bp.post("/comments/<int:comment_id>/rating")
def rate_answer(comment_id: int):
    comment = _comment(comment_id)
    require(is_member(current_user) and current_user.id == comment.author_id)
    form = RatingForm()
    if form.validate_on_submit():
        try:
            services.rate_answer(
                current_user, comment, int(form.score.data), form.remark.data or ""
            )
        except RuleViolation as violation:
            db.session.rollback()
            flash(violation.message, "error")
        else:
            flash(_("Thank you for rating the answer."), "success")
    else:
        flash(_("Choose from 1 to 5 stars."), "error")
    return redirect(_comment_url(comment))


@bp.get("/moderation")
def moderation():
    require(current_user.is_authenticated)
    require(can_moderate(current_user))
    page = paginate(
        queries.moderation_queue(),
        select(db.func.count()).select_from(queries.moderation_queue().subquery()),
        page_arg(),
        per_page_arg(),
    )
    return render_template("consultation/moderation.html", page=page, form=ModerateForm())


@bp.post("/comments/<int:comment_id>/moderate")
def moderate(comment_id: int):
    comment = _comment(comment_id)
    require(current_user.is_authenticated)
    require(can_moderate(current_user))
    form = ModerateForm()
    if form.validate_on_submit():
        try:
            services.moderate_comment(
                current_user, comment, form.decision.data, form.reason.data or ""
            )
        except RuleViolation as violation:
            db.session.rollback()
            flash(violation.message, "error")
        else:
            flash(_("Decision recorded for %(receipt)s.", receipt=comment.receipt), "success")
    else:
        flash(_("Choose approve or remove."), "error")
    return redirect(url_for(".moderation"))


@bp.get("/moderation-policy")
def moderation_policy():
    return render_template("consultation/policy.html", reports=services.REPORTS_TO_HIDE)


@bp.get("/consultations/<int:consultation_id>/summary")
def summary(consultation_id: int):
    consultation = _consultation(consultation_id)
    return render_template(
        "consultation/summary.html",
        consultation=consultation,
        threads=queries.threads(consultation),
        categories=queries.category_statistics(consultation),
        outcomes=queries.outcome_statistics(consultation),
        category_labels=MEMBER_TYPE_LABELS,
    )


SUMMARY_HEADER = (
    "receipt",
    "posted (Asia/Ho_Chi_Minh)",
    "author",
    "category",
    "regulation",
    "comment",
    "outcome",
    "answer",
    "answered on",
    "rating",
)


@bp.get("/consultations/<int:consultation_id>/summary.<fmt>")
def summary_download(consultation_id: int, fmt: str):
    consultation = _consultation(consultation_id)
    return table_response(
        SUMMARY_HEADER,
        queries.summary_rows(consultation),
        fmt,
        f"tong-hop-y-kien-{consultation.id}",
        sheet="summary",
    )


@bp.get("/consultations/<int:consultation_id>/attachments/<int:attachment_id>")
def attachment(consultation_id: int, attachment_id: int):
    file = db.session.get(Attachment, attachment_id)
    if file is None or file.consultation_id != consultation_id:
        abort(404)
    from urllib.parse import quote

    ascii_name = file.filename.encode("ascii", "ignore").decode() or "tep"
    ascii_name = "".join(ch if ch.isalnum() or ch in ".-_" else "_" for ch in ascii_name)
    response = Response(file.data, mimetype=file.content_type)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file.filename)}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


# ---------------------------------------------------------------------------- feedback


@bp.route("/regulations/<code>/feedback", methods=["GET", "POST"])
def feedback(code: str):
    regulation = regulation_queries.get_public_regulation(code, current_user)
    if regulation is None:
        abort(404)
    require(is_member(current_user))
    form = FeedbackForm()
    if form.validate_on_submit():
        try:
            comment = services.post_feedback(
                current_user, regulation, form.body.data, form.idempotency_key.data or ""
            )
        except RuleViolation as violation:
            db.session.rollback()
            form.add_violation(violation)
        else:
            flash(
                _(
                    "Thank you. Your feedback is sent to %(ministry)s; its receipt number is "
                    "%(receipt)s.",
                    ministry=regulation.ministry.name,
                    receipt=comment.receipt,
                ),
                "success",
            )
            return redirect(url_for(".feedback_detail", comment_id=comment.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "consultation/feedback_form.html", regulation=regulation, form=form
    ), status


@bp.get("/feedback/<int:comment_id>")
def feedback_detail(comment_id: int):
    comment = _comment(comment_id)
    if comment.kind != "feedback":
        abort(404)
    return render_template(
        "consultation/feedback_detail.html",
        comment=comment,
        action_form=EmptyForm(),
        rating_form=RatingForm(formdata=None),
    )


# ---------------------------------------------------------------------------- plans


@bp.get("/plans")
def plans():
    today = local_today()
    raw = request.args.get("year", "")
    year = parse_id(raw, max_digits=4)
    if year is not None and not 2020 <= year <= today.year + 1:
        year = None
    cycle = year or today.year
    deadline = date(cycle, 9, 30)
    return render_template(
        "consultation/plans.html",
        plans=queries.plans_list(year),
        year=year,
        cycle=cycle,
        deadline=deadline,
        deadline_passed=today > deadline,
        days_to_deadline=(deadline - today).days,
        late=queries.late_ministries(cycle),
        years=range(today.year, 2020, -1),
    )


@bp.get("/plans/<int:plan_id>")
def plan(plan_id: int):
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        abort(404)
    consultations = db.session.scalars(
        select(Consultation).where(Consultation.plan_id == plan.id)
    ).all()
    return render_template(
        "consultation/plan.html",
        plan=plan,
        savings=queries.plan_savings(plan),
        consultations=consultations,
    )


# ---------------------------------------------------------------------------- following


@bp.post("/follow")
def follow():
    require(is_member(current_user))
    form = EmptyForm()
    target_type = request.form.get("target_type", "")
    raw_id = request.form.get("target_id", "")
    back = safe_local_path(request.form.get("next"))
    target_id = parse_id(raw_id)
    if form.validate_on_submit() and target_id:
        model = {"ministry": Ministry, "field": Field, "consultation": Consultation}.get(
            target_type
        )
        if model is None or db.session.get(model, target_id) is None:
            abort(404)
        wanted = request.form.get("follow") == "1"
        services.set_following(current_user, target_type, target_id, wanted)
        flash(
            _("You follow it now: we will e-mail you when something changes.")
            if wanted
            else _("You no longer follow it."),
            "success",
        )
    return redirect(back)


@bp.route("/follow/stop/<token>", methods=["GET", "POST"])
def stop_following(token: str):
    """The link at the foot of every follow mail: stops what that mail was about without
    signing in. Opening the link changes nothing (mail scanners open links); the button does."""
    from portal.accounts.services import load_user
    from portal.accounts.tokens import TokenInvalid, check_unfollow_token

    try:
        user, targets = check_unfollow_token(token, load_user)
    except TokenInvalid as error:
        return render_template(
            "accounts/link_invalid.html", expired=error.expired, kind="unfollow"
        ), 400
    form = EmptyForm()
    removed = None
    if form.validate_on_submit():
        removed = services.stop_following(user, targets)
    return render_template(
        "consultation/stop_following.html",
        user=user,
        items=queries.followed_items(user, only=targets),
        removed=removed,
    )


# ---------------------------------------------------------------------------- feeds


def _feed_ministry():
    code = clean_text(request.args.get("ministry", ""), max_length=32).lower()
    if not code:
        return None
    ministry = db.session.scalar(select(Ministry).where(Ministry.code == code))
    if ministry is None:
        abort(404)
    return ministry


@bp.get("/feeds/consultations.atom")
def feed_consultations():
    ministry = _feed_ministry()
    statement = select(Consultation).order_by(Consultation.created_at.desc()).limit(50)
    if ministry:
        statement = statement.where(Consultation.ministry_id == ministry.id)
    items = db.session.scalars(statement).all()
    body = render_template("consultation/feed_consultations.xml", items=items, ministry=ministry)
    return Response(body, mimetype="application/atom+xml")


@bp.get("/feeds/answers.atom")
def feed_answers():
    ministry = _feed_ministry()
    items = queries.recent_answers(50, ministry.id if ministry else None)
    body = render_template("consultation/feed_answers.xml", items=items, ministry=ministry)
    return Response(body, mimetype="application/atom+xml")


def outcome_label(code: str):
    term = vocab.term("outcome", code)
    return term.label if term else code


def member_type_label(code: str):
    return MEMBER_TYPE_LABELS.get(MemberType(code), code)
