"""The ministry workspace: backlog, regulation and document forms, publication, import."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal.accounts.forms import EmptyForm
from portal.accounts.permissions import (
    can_edit_document,
    can_edit_regulation,
    can_use_workspace,
    is_admin,
    require,
)
from portal.errors import RuleViolation
from portal.extensions import db
from portal.ministries.models import Ministry
from portal.pagination import page_arg, paginate, per_page_arg
from portal.regulations import editing
from portal.regulations.fileformat import format_number
from portal.regulations.importer import ImportFailed
from portal.regulations.models import LegalDocument, Regulation
from portal.security import allows_upload
from portal.text import clean_text
from portal.workspace import queries
from portal.workspace.forms import (
    AbolishForm,
    DocumentForm,
    ImportForm,
    RegulationForm,
    RelationForm,
)

bp = Blueprint("workspace", __name__, url_prefix="/workspace")


def _ministry(code: str) -> Ministry:
    ministry = db.session.scalar(
        select(Ministry).where(Ministry.code == clean_text(code, max_length=32).lower())
    )
    require(current_user.is_authenticated)
    if ministry is None:
        abort(404)
    require(can_use_workspace(current_user, ministry))
    return ministry


def _regulation(ministry: Ministry, code: str) -> Regulation:
    regulation = db.session.scalar(
        select(Regulation).where(
            func.lower(Regulation.code) == clean_text(code, max_length=80).lower()
        )
    )
    if regulation is None:
        abort(404)
    require(can_edit_regulation(current_user, regulation))
    if regulation.ministry_id != ministry.id:
        abort(404)
    return regulation


def _document(ministry: Ministry, slug: str) -> LegalDocument:
    document = db.session.scalar(
        select(LegalDocument).where(LegalDocument.slug == clean_text(slug, max_length=120))
    )
    if document is None:
        abort(404)
    require(can_edit_document(current_user, document))
    if document.issuer_id != ministry.id:
        abort(404)
    return document


def _show_violation(form, violation: RuleViolation) -> None:
    for error in getattr(violation, "all", None) or ():
        form.add_violation(RuleViolation(error.message, error.column or None))
    if not getattr(violation, "all", None):
        form.add_violation(violation)


@bp.get("")
def index():
    require(current_user.is_authenticated)
    if getattr(current_user, "is_staff", False):
        return redirect(url_for(".dashboard", code=current_user.ministry.code))
    require(is_admin(current_user))
    ministries = db.session.scalars(select(Ministry).order_by(Ministry.sort_order)).all()
    return render_template("workspace/index.html", ministries=ministries)


@bp.get("/<code>")
def dashboard(code: str):
    ministry = _ministry(code)
    show = request.args.get("show", "backlog")
    if show not in queries.SHOW:
        show = "backlog"
    rows, count = queries.backlog(ministry.id, show)
    page = paginate(rows, count, page_arg(), per_page_arg(), rows=True)
    return render_template(
        "workspace/dashboard.html",
        ministry=ministry,
        counts=queries.ministry_counts(ministry.id),
        page=page,
        show=show,
        gaps_of=queries.gaps_of,
        action_form=EmptyForm(),
    )


def _regulation_form_page(ministry, form, regulation=None, status=200):
    return (
        render_template(
            "workspace/regulation_form.html",
            ministry=ministry,
            form=form,
            regulation=regulation,
            field_names=queries.field_names(),
        ),
        status,
    )


@bp.route("/<code>/regulations/new", methods=["GET", "POST"])
def new_regulation(code: str):
    ministry = _ministry(code)
    form = RegulationForm()
    if not form.is_submitted():
        form.published.data = False
        form.status.data = "in_force"
    if form.validate_on_submit():
        try:
            regulation = editing.save_regulation(
                current_user,
                ministry,
                form.values(),
                editing.Change(form.document_number.data or "", form.note.data or ""),
            )
        except RuleViolation as violation:
            _show_violation(form, violation)
        else:
            flash(_("Regulation %(code)s created.", code=regulation.code), "success")
            return redirect(url_for("regulations.detail", code=regulation.code))
    return _regulation_form_page(ministry, form, status=400 if form.is_submitted() else 200)


def _form_from(regulation: Regulation) -> RegulationForm:
    form = RegulationForm()
    del form.code  # the code identifies the regulation (and its address): it is not edited
    if form.is_submitted():
        return form
    form.kind.data = regulation.kind
    form.title.data = regulation.title
    form.field.data = regulation.field.name_vi if regulation.field else ""
    form.status.data = regulation.status
    form.published.data = regulation.published
    form.legal_basis.data = "; ".join(
        f"{basis.document.number} {basis.article}".strip() for basis in regulation.bases
    )
    form.content.data = regulation.content
    for name in ("time_hours", "cost_vnd", "frequency", "subjects"):
        form[name].data = format_number(getattr(regulation, name))
    return form


@bp.route("/<code>/regulations/<reg_code>/edit", methods=["GET", "POST"])
def edit_regulation(code: str, reg_code: str):
    ministry = _ministry(code)
    regulation = _regulation(ministry, reg_code)
    form = _form_from(regulation)
    if form.validate_on_submit():
        try:
            saved = editing.save_regulation(
                current_user,
                ministry,
                form.values(),
                editing.Change(form.document_number.data or "", form.note.data or ""),
                regulation,
            )
        except RuleViolation as violation:
            db.session.rollback()
            _show_violation(form, violation)
        else:
            if saved is None:
                flash(_("Nothing was changed, so nothing was recorded in the history."), "info")
            else:
                flash(_("Regulation %(code)s saved.", code=regulation.code), "success")
            return redirect(url_for("regulations.detail", code=regulation.code))
    return _regulation_form_page(
        ministry, form, regulation, status=400 if form.is_submitted() else 200
    )


@bp.post("/<code>/regulations/<reg_code>/publication")
def set_publication(code: str, reg_code: str):
    ministry = _ministry(code)
    regulation = _regulation(ministry, reg_code)
    form = EmptyForm()
    publish = request.form.get("publish") == "1"
    if form.validate_on_submit() and editing.set_published(current_user, regulation, publish):
        flash(
            _("%(code)s is now published.", code=regulation.code)
            if publish
            else _("%(code)s is withdrawn from publication.", code=regulation.code),
            "success",
        )
    if request.form.get("back") == "list":
        return redirect(url_for(".dashboard", code=ministry.code))
    return redirect(url_for("regulations.detail", code=regulation.code))


@bp.route("/<code>/regulations/<reg_code>/abolish", methods=["GET", "POST"])
def abolish_regulation(code: str, reg_code: str):
    ministry = _ministry(code)
    regulation = _regulation(ministry, reg_code)
    form = AbolishForm()
    if form.validate_on_submit():
        try:
            editing.abolish_regulation(
                current_user,
                regulation,
                form.event_date.data,
                form.document_number.data,
                form.note.data or "",
            )
        except RuleViolation as violation:
            db.session.rollback()
            form.add_violation(violation)
        else:
            flash(_("%(code)s is recorded as abolished.", code=regulation.code), "success")
            return redirect(url_for("regulations.detail", code=regulation.code))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "workspace/abolish.html", ministry=ministry, regulation=regulation, form=form
    ), status


@bp.get("/<code>/documents")
def documents(code: str):
    ministry = _ministry(code)
    rows, count = queries.ministry_documents(ministry.id)
    page = paginate(rows, count, page_arg(), per_page_arg())
    return render_template("workspace/documents.html", ministry=ministry, page=page)


def _document_values(form) -> dict:
    return {
        "number": form.number.data or "",
        "doc_type": form.doc_type.data or "",
        "title": form.title.data or "",
        "issued_date": form.issued_date.data,
        "effective_date": form.effective_date.data,
    }


@bp.route("/<code>/documents/new", methods=["GET", "POST"])
def new_document(code: str):
    ministry = _ministry(code)
    form = DocumentForm()
    if form.validate_on_submit():
        try:
            document = editing.save_document(current_user, ministry, _document_values(form))
        except RuleViolation as violation:
            db.session.rollback()
            form.add_violation(violation)
        else:
            flash(_("Document %(number)s created.", number=document.number), "success")
            return redirect(url_for("regulations.document", slug=document.slug))
    status = 400 if form.is_submitted() else 200
    return _document_page(ministry, form, None, None, status)


@bp.route("/<code>/documents/<slug>/edit", methods=["GET", "POST"])
def edit_document(code: str, slug: str):
    ministry = _ministry(code)
    document = _document(ministry, slug)
    form = DocumentForm(obj=document)
    form.number.data = document.number  # the number identifies the document: not editable
    if form.validate_on_submit():
        try:
            editing.save_document(current_user, ministry, _document_values(form), document)
        except RuleViolation as violation:
            db.session.rollback()
            form.add_violation(violation)
        else:
            flash(_("Document %(number)s saved.", number=document.number), "success")
            return redirect(url_for("regulations.document", slug=document.slug))
    status = 400 if form.is_submitted() else 200
    return _document_page(ministry, form, document, RelationForm(formdata=None), status)


def _document_page(ministry, form, document, relation_form, status):
    outgoing = queries.document_relations(document.id) if document else []
    return render_template(
        "workspace/document_form.html",
        ministry=ministry,
        form=form,
        document=document,
        relation_form=relation_form,
        relations=outgoing,
        action_form=EmptyForm(),
    ), status


@bp.post("/<code>/documents/<slug>/relations")
def add_relation(code: str, slug: str):
    ministry = _ministry(code)
    document = _document(ministry, slug)
    relation_form = RelationForm()
    if relation_form.validate_on_submit():
        try:
            added = editing.add_document_relation(
                current_user, document, relation_form.kind.data, relation_form.target.data
            )
        except RuleViolation as violation:
            db.session.rollback()
            relation_form.add_violation(violation)
        else:
            flash(
                _("Relation recorded.") if added else _("This relation was already recorded."),
                "success" if added else "info",
            )
            return redirect(url_for(".edit_document", code=ministry.code, slug=document.slug))
    return _document_page(
        ministry, DocumentForm(formdata=None, obj=document), document, relation_form, 400
    )


@bp.post("/<code>/documents/<slug>/relations/<int:relation_id>/delete")
def remove_relation(code: str, slug: str, relation_id: int):
    ministry = _ministry(code)
    document = _document(ministry, slug)
    if EmptyForm().validate_on_submit() and editing.remove_document_relation(
        current_user, document, relation_id
    ):
        flash(_("Relation removed."), "success")
    return redirect(url_for(".edit_document", code=ministry.code, slug=document.slug))


@bp.route("/<code>/import", methods=["GET", "POST"])
@allows_upload
def import_file(code: str):
    ministry = _ministry(code)
    form = ImportForm()
    errors, result = [], None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = editing.import_for_ministry(
                current_user, ministry, upload.read(), upload.filename or "file.csv"
            )
        except ImportFailed as failure:
            errors = failure.errors
    status = 400 if form.is_submitted() and result is None else 200
    return render_template(
        "workspace/import.html", ministry=ministry, form=form, errors=errors, result=result
    ), status
