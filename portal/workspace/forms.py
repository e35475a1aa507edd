"""Workspace forms. The regulation form has the import file's columns, checked by the same
rules (portal.regulations.importer.RowValidator)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField
from wtforms.validators import Length, Optional

from portal.forms import LongTextField, PortalForm, TextField, options, required
from portal.regulations import vocab


def _kind_choices():
    return options((t.code, f"{t.abbreviation} — {t.label}") for t in vocab.KINDS)


def _status_choices():
    return options((t.code, t.label) for t in vocab.STATUSES)


class RegulationForm(PortalForm):
    code = TextField(
        _l("Code"),
        validators=[required(_l("Enter the regulation's code.")), Length(max=64)],
        description=_l("Letters, digits, dots, hyphens: for example BYT-TTHC-0123."),
    )
    kind = SelectField(_l("Kind"), choices=_kind_choices)
    title = TextField(_l("Title"), validators=[required(_l("Enter the title.")), Length(max=500)])
    field = TextField(
        _l("Field"),
        validators=[Optional(), Length(max=200)],
        description=_l("An existing field, or a new name to create one."),
    )
    status = SelectField(_l("Status"), choices=_status_choices)
    published = BooleanField(_l("Published on the portal"))
    legal_basis = TextField(
        _l("Legal basis"),
        validators=[Optional(), Length(max=2000)],
        description=_l(
            "Document numbers separated by “;”, each optionally followed by an "
            "article: 168/2017/NĐ-CP Điều 5; 09/2017/QH14"
        ),
    )
    content = LongTextField(_l("Content"), validators=[Optional(), Length(max=20000)])
    time_hours = TextField(
        _l("Hours a business spends each time"),
        validators=[Optional(), Length(max=20)],
        description=_l("For example 16 or 2,5."),
    )
    cost_vnd = TextField(
        _l("Fees and other costs each time (VND)"),
        validators=[Optional(), Length(max=20)],
        description=_l("For example 300000 or 1.500.000."),
    )
    frequency = TextField(
        _l("Times per year"),
        validators=[Optional(), Length(max=20)],
        description=_l("May be fractional: 0,2 is once every five years."),
    )
    subjects = TextField(
        _l("Businesses subject each year"), validators=[Optional(), Length(max=20)]
    )
    document_number = TextField(
        _l("Amending or abolishing document"),
        validators=[Optional(), Length(max=80)],
        description=_l("The number of the document that made this change, if any."),
    )
    note = LongTextField(
        _l("Note for the history"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Shown in the regulation's public history."),
    )

    def values(self) -> dict[str, str]:
        data = {}
        for name in (
            "code",
            "kind",
            "title",
            "field",
            "status",
            "legal_basis",
            "content",
            "time_hours",
            "cost_vnd",
            "frequency",
            "subjects",
        ):
            field = getattr(self, name, None)
            data[name] = (field.data or "") if field is not None else ""
        data["published"] = "1" if self.published.data else "0"
        return data


class AbolishForm(PortalForm):
    event_date = DateField(
        _l("Date the abolition took effect"),
        validators=[required(_l("Enter the date, for example 01/07/2026."))],
    )
    document_number = TextField(
        _l("Abolishing document"),
        validators=[required(_l("Enter the number of the abolishing document.")), Length(max=80)],
        description=_l("For example 15/2018/NĐ-CP."),
    )
    note = LongTextField(_l("Note for the history"), validators=[Optional(), Length(max=2000)])


class DocumentForm(PortalForm):
    number = TextField(
        _l("Number"),
        validators=[required(_l("Enter the document's number.")), Length(max=80)],
        description=_l("For example 15/2018/NĐ-CP or 05/2019/TT-BKHCN."),
    )
    doc_type = SelectField(_l("Type"), choices=[])
    title = TextField(
        _l("Document title"),
        validators=[required(_l("Enter the document's title.")), Length(max=500)],
    )
    issued_date = DateField(_l("Date issued"), validators=[Optional()])
    effective_date = DateField(_l("Date it takes effect"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.doc_type.choices = options(
            [("", _l("Infer from the number"))] + [(t.code, t.label) for t in vocab.DOCUMENT_TYPES]
        )


class ImportForm(PortalForm):
    file = FileField(
        _l("File (CSV or XLSX)"),
        validators=[
            FileRequired(_l("Choose a file to import.")),
            FileAllowed(["csv", "xlsx"], _l("Only .csv and .xlsx files can be imported.")),
        ],
    )


class RelationForm(PortalForm):
    kind = SelectField(
        _l("This document"),
        choices=lambda: options((t.code, t.label) for t in vocab.RELATION_KINDS),
    )
    target = TextField(
        _l("Other document"),
        validators=[required(_l("Enter the other document's number.")), Length(max=80)],
        description=_l("For example 15/2018/NĐ-CP."),
    )
