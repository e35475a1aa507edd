"""Consultation forms: shape only; the rules are in portal.consultation.services."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField
from wtforms.validators import Length, NumberRange, Optional

from portal.consultation import vocab
from portal.consultation.services import MAX_COMMENT_LENGTH
from portal.forms import LongTextField, PortalForm, TextField, options, required
from portal.regulations import vocab as regulation_vocab


def new_key() -> str:
    return secrets.token_urlsafe(16)


class CommentForm(PortalForm):
    body = LongTextField(
        _l("Your comment"),
        validators=[required(_l("Write your comment.")), Length(max=MAX_COMMENT_LENGTH * 2)],
        description=_l("Plain text, up to 5.000 characters. Web addresses become links."),
    )
    target = SelectField(_l("About"), choices=[], validate_choice=False)
    parent_id = HiddenField()
    # One key per form shown: a double-clicked or re-sent form creates one comment.
    idempotency_key = HiddenField(default=new_key)


class EditCommentForm(PortalForm):
    body = LongTextField(
        _l("Your comment"),
        validators=[required(_l("Write your comment.")), Length(max=MAX_COMMENT_LENGTH * 2)],
    )


class FeedbackForm(PortalForm):
    body = LongTextField(
        _l("Your feedback"),
        validators=[required(_l("Write your comment.")), Length(max=MAX_COMMENT_LENGTH * 2)],
        description=_l(
            "Describe the difficulty this regulation causes, or what you propose, in up to "
            "5.000 characters. The ministry must answer it in public."
        ),
    )
    idempotency_key = HiddenField(default=new_key)


class ReportForm(PortalForm):
    reason = LongTextField(
        _l("Why does this comment break the moderation policy?"),
        validators=[
            required(_l("Say why the comment breaks the moderation policy.")),
            Length(max=2000),
        ],
    )


class ModerateForm(PortalForm):
    decision = RadioField(
        _l("Decision"),
        choices=options(
            [
                ("approve", _l("Approve: show it again")),
                ("remove", _l("Remove: leave a public placeholder")),
            ]
        ),
        validators=[required(_l("Choose approve or remove."))],
    )
    reason = LongTextField(
        _l("Reason"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Required to remove; shown in the placeholder."),
    )


class AnswerForm(PortalForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=lambda: options((t.code, f"{t.label} ({t.abbreviation})") for t in vocab.OUTCOMES),
        validators=[required(_l("Choose the outcome."))],
    )
    body = LongTextField(
        _l("Official answer"),
        validators=[required(_l("Write the answer.")), Length(max=20_000)],
        description=_l("Published with your ministry's name. If not accepted, say why."),
    )


class RatingForm(PortalForm):
    score = RadioField(
        _l("How satisfied are you with this answer?"),
        choices=options(
            [
                ("5", _l("5 — very satisfied")),
                ("4", _l("4 — satisfied")),
                ("3", _l("3 — neither")),
                ("2", _l("2 — dissatisfied")),
                ("1", _l("1 — very dissatisfied")),
            ]
        ),
        validators=[required(_l("Choose from 1 to 5 stars."))],
    )
    remark = LongTextField(_l("Remark"), validators=[Optional(), Length(max=1000)])


class DraftForm(PortalForm):
    title = TextField(
        _l("Title of the draft"),
        validators=[required(_l("Enter the draft's title.")), Length(max=500)],
    )
    doc_type = SelectField(
        _l("Type of document"),
        choices=lambda: options((t.code, t.label) for t in regulation_vocab.DOCUMENT_TYPES),
    )
    field = TextField(_l("Field"), validators=[Optional(), Length(max=200)])
    summary = LongTextField(_l("Summary"), validators=[Optional(), Length(max=20_000)])


class PlanForm(PortalForm):
    title = TextField(
        _l("Title of the plan"),
        validators=[required(_l("Enter the plan's title.")), Length(max=500)],
    )
    year = IntegerField(
        _l("Year"),
        validators=[
            required(_l("Enter the plan's year.")),
            NumberRange(min=2020, max=2100, message=_l("Enter a year such as 2026.")),
        ],
        description=_l("Plans of a year are due to the Prime Minister before 30 September."),
    )
    summary = LongTextField(_l("Summary"), validators=[Optional(), Length(max=20_000)])


class PlanItemForm(PortalForm):
    regulation = TextField(
        _l("Regulation code"),
        validators=[required(_l("Enter the regulation's code.")), Length(max=80)],
    )
    action = SelectField(
        _l("What the plan does"), choices=lambda: options((t.code, t.label) for t in vocab.ACTIONS)
    )
    description = LongTextField(_l("Description"), validators=[Optional(), Length(max=5000)])
    time_hours_after = TextField(
        _l("Hours each time, after"), validators=[Optional(), Length(max=20)]
    )
    cost_vnd_after = TextField(
        _l("Fees each time, after (VND)"), validators=[Optional(), Length(max=20)]
    )
    frequency_after = TextField(
        _l("Times per year, after"), validators=[Optional(), Length(max=20)]
    )
    subjects_after = TextField(
        _l("Businesses subject, after"), validators=[Optional(), Length(max=20)]
    )
    due_date = DateField(_l("To be done by"), validators=[Optional()])


class PlanStatusForm(PortalForm):
    status = HiddenField()
    on = DateField(_l("Date"), validators=[required(_l("Enter the date."))])
    decision_number = TextField(
        _l("Prime Minister's decision"),
        validators=[Optional(), Length(max=40)],
        description=_l("For example 1977/QĐ-TTg."),
    )


class ItemDoneForm(PortalForm):
    done_on = DateField(_l("Done on"), validators=[required(_l("Enter the date."))])
    document_number = TextField(
        _l("Amending document"),
        validators=[required(_l("Enter the number of the amending document.")), Length(max=80)],
    )


class ConsultationForm(PortalForm):
    title = TextField(
        _l("Title"),
        validators=[Optional(), Length(max=500)],
        description=_l("Leave empty to use the draft's or plan's title."),
    )
    summary = LongTextField(
        _l("What you ask the public"),
        validators=[required(_l("Summarise what you ask comments on.")), Length(max=20_000)],
    )
    opens_on = DateField(_l("Opens on"), validators=[required(_l("Enter the date."))])
    closes_on = DateField(
        _l("Closes at the end of"),
        validators=[required(_l("Enter the date."))],
    )


class AttachmentForm(PortalForm):
    file = FileField(
        _l("PDF or DOCX file, up to 10 MB"), validators=[FileRequired(_l("Choose a file."))]
    )
