"""Response schemas: what the API returns, and what its OpenAPI document promises."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from portal.api.core import N_


def _d(text: str) -> dict:
    return {"metadata": {"description": text}}


def nullable(field_class, *args, **kwargs):
    return field_class(*args, allow_none=True, **kwargs)


class Schema(ma.Schema):
    class Meta:
        ordered = True


class ErrorDetail(Schema):
    parameter = fields.String(**_d(N_("The parameter, column or field concerned.")))
    location = fields.String(**_d(N_("Where it was: query, path, body or a row of the body.")))
    row = fields.Integer(**_d(N_("The row of the body (1 is the first).")))
    column = fields.String()
    code = fields.String(**_d(N_("A stable code for the problem.")))
    message = fields.String(**_d(N_("The problem, in the caller's language.")))


class Error(Schema):
    status = fields.Integer(required=True, **_d(N_("The HTTP status code.")))
    code = fields.String(
        required=True,
        **_d(
            N_(
                "A stable code: bad_request, invalid_parameter, invalid_cursor, unauthorized, "
                "forbidden, not_found, method_not_allowed, payload_too_large, "
                "unsupported_media_type, validation_failed, rate_limited or server_error."
            )
        ),
    )
    message = fields.String(required=True, **_d(N_("What went wrong, in the caller's language.")))
    details = fields.List(fields.Nested(ErrorDetail), required=True)
    request_id = fields.String(
        required=True, **_d(N_("Quote it when you report a problem: it ties the error to the log."))
    )


class Page(Schema):
    total = fields.Integer(required=True, **_d(N_("How many items the whole list holds.")))
    limit = fields.Integer(required=True, **_d(N_("The most items a page holds.")))
    next_cursor = nullable(
        fields.String, required=True, **_d(N_("The cursor of the next page; null on the last."))
    )
    next = nullable(
        fields.Url, required=True, **_d(N_("The address of the next page; null on the last."))
    )


def page_of(item_schema, name: str, **extra_fields):
    """A Page schema with `items` of `item_schema`."""
    attributes = {"items": fields.List(fields.Nested(item_schema), required=True), **extra_fields}
    return type(name, (Page,), attributes)


# ---------------------------------------------------------------------------- references


class MinistryRef(Schema):
    code = fields.String(required=True)
    name_vi = fields.String(required=True)
    name_en = fields.String(required=True)
    url = fields.Url(required=True)


class FieldRef(Schema):
    slug = fields.String(required=True)
    name_vi = fields.String(required=True)
    name_en = fields.String(required=True)
    url = fields.Url(required=True)


class DocumentRef(Schema):
    number = fields.String(required=True, **_d(N_("The document's number, e.g. 15/2018/NĐ-CP.")))
    type = fields.String(required=True)
    title = fields.String(required=True)
    url = nullable(fields.Url, required=True)


class RegulationRef(Schema):
    """A regulation named by a plan item or a comment. The API serves only what the public
    sees: for a regulation its ministry has not published, code, title and url are null."""

    code = fields.String(required=True, allow_none=True)
    title = fields.String(required=True, allow_none=True)
    url = fields.Url(required=True, allow_none=True)
    published = fields.Boolean(required=True)


# ---------------------------------------------------------------------------- catalogue


class Basis(Schema):
    document = fields.Nested(DocumentRef, required=True)
    article = fields.String(required=True, **_d(N_("Article, clause or point, as written.")))


class Cost(Schema):
    time_hours = nullable(fields.Float, required=True, **_d(N_("Hours a business spends.")))
    cost_vnd = nullable(fields.Integer, required=True, **_d(N_("Fees and other costs, VND.")))
    frequency = nullable(fields.Float, required=True, **_d(N_("Times per year.")))
    subjects = nullable(fields.Integer, required=True, **_d(N_("Businesses concerned.")))
    hourly_rate_vnd = fields.Float(
        required=True, **_d(N_("The labour cost of one hour used by the cost model, VND."))
    )
    unit_cost_vnd = nullable(fields.Float, required=True, **_d(N_("Cost of one compliance, VND.")))
    annual_cost_vnd = nullable(
        fields.Float, required=True, **_d(N_("Unit cost × frequency × subjects, VND per year."))
    )


class HistoryEvent(Schema):
    kind = fields.String(required=True)
    date = fields.Date(required=True)
    status = fields.String(required=True, **_d(N_("The status the event left.")))
    document = nullable(fields.Nested, DocumentRef, required=True)
    note = fields.String(required=True)


class RegulationSummary(Schema):
    code = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True)
    ministry = fields.Nested(MinistryRef, required=True)
    field = nullable(fields.Nested, FieldRef, required=True)
    legal_basis = fields.List(fields.Nested(Basis), required=True)
    annual_cost_vnd = nullable(fields.Float, required=True)
    updated_at = fields.DateTime(required=True, **_d(N_("Last change, UTC.")))
    url = fields.Url(required=True)
    web_url = fields.Url(required=True)
    score = fields.Float(**_d(N_("Relevance to `q` (only when searching).")))


class RegulationDetail(RegulationSummary):
    content = fields.String(required=True)
    cost = fields.Nested(Cost, required=True)
    history = fields.List(fields.Nested(HistoryEvent), required=True)
    plan_items = fields.List(
        fields.Nested(lambda: PlanItemRef()),
        required=True,
        **_d(N_("Plans to cut or simplify it.")),
    )


class PlanItemRef(Schema):
    plan_id = fields.Integer(required=True)
    plan_url = fields.Url(required=True)
    action = fields.String(required=True)
    done_on = nullable(fields.Date, required=True)


class Notice(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)


RegulationPage = page_of(
    RegulationSummary,
    "RegulationPage",
    notices=fields.List(
        fields.Nested(Notice), required=True, **_d(N_("How the query was understood or cut."))
    ),
)


class Relation(Schema):
    kind = fields.String(required=True, **_d(N_("amends, replaces, guides or abolishes.")))
    document = fields.Nested(DocumentRef, required=True)


class DocumentSummary(DocumentRef):
    slug = fields.String(required=True)
    issuer = nullable(fields.Nested, MinistryRef, required=True)
    issued_date = nullable(fields.Date, required=True)
    effective_date = nullable(fields.Date, required=True)
    regulations = fields.Integer(required=True, **_d(N_("Published regulations laid down in it.")))
    web_url = fields.Url(required=True)


class DocumentDetail(DocumentSummary):
    relations = fields.List(
        fields.Nested(Relation), required=True, **_d(N_("What this document does to others."))
    )
    related_by = fields.List(
        fields.Nested(Relation), required=True, **_d(N_("What other documents do to this one."))
    )
    regulations_by_kind = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    regulations_url = fields.Url(required=True)


DocumentPage = page_of(DocumentSummary, "DocumentPage")


class Ministry(MinistryRef):
    abbreviation = fields.String(required=True)
    agency_type = fields.String(required=True)
    regulations = fields.Integer(required=True, **_d(N_("Published regulations.")))
    regulations_by_kind = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    unpublished = fields.Integer(
        required=True, **_d(N_("Regulations the ministry has not published on the portal."))
    )
    web_url = fields.Url(required=True)


class FieldItem(FieldRef):
    regulations = fields.Integer(required=True)
    web_url = fields.Url(required=True)


MinistryList = page_of(Ministry, "MinistryList")
FieldList = page_of(FieldItem, "FieldList")


# ---------------------------------------------------------------------------- consultation


class Author(Schema):
    name = fields.String(required=True)
    category = fields.String(
        required=True, **_d(N_("Whom the author spoke for (business, association, …)."))
    )


class OfficialAnswer(Schema):
    outcome = fields.String(required=True)
    body = fields.String(required=True)
    ministry = fields.String(required=True)
    answered_at = fields.DateTime(required=True)


class Comment(Schema):
    id = fields.Integer(required=True)
    parent_id = nullable(fields.Integer, required=True)
    author = fields.Nested(Author, required=True)
    status = fields.String(
        required=True, **_d(N_("visible; hidden while reports are reviewed; removed."))
    )
    body = nullable(fields.String, required=True, **_d(N_("null unless visible.")))
    moderation_reason = fields.String(required=True)
    regulation = nullable(fields.Nested, RegulationRef, required=True)
    created_at = fields.DateTime(required=True)
    edited_at = nullable(fields.DateTime, required=True)
    due_at = nullable(fields.DateTime, required=True, **_d(N_("When the answer is due.")))
    answer = nullable(fields.Nested, OfficialAnswer, required=True)
    web_url = fields.Url(required=True)


CommentPage = page_of(Comment, "CommentPage")


class Attachment(Schema):
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    url = fields.Url(required=True)


class ConsultationSummary(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    summary = fields.String(required=True)
    ministry = fields.Nested(MinistryRef, required=True)
    subject = fields.String(required=True, **_d(N_("draft or plan.")))
    state = fields.String(required=True, **_d(N_("upcoming, open or closed.")))
    opens_at = fields.DateTime(required=True)
    closes_at = fields.DateTime(required=True)
    opens_on = fields.Date(required=True, **_d(N_("First day, in Vietnam.")))
    closes_on = fields.Date(required=True, **_d(N_("Last day, in Vietnam.")))
    length_days = fields.Integer(required=True)
    comments = fields.Integer(required=True, **_d(N_("Comments, replies not counted.")))
    answered = fields.Integer(required=True, **_d(N_("Comments with an official answer.")))
    plan_id = nullable(fields.Integer, required=True)
    url = fields.Url(required=True)
    web_url = fields.Url(required=True)


class ConsultationItem(Schema):
    regulation = fields.Nested(RegulationRef, required=True)
    action = nullable(fields.String, required=True, **_d(N_("For a plan: the action proposed.")))
    description = fields.String(required=True)


class ConsultationDetail(ConsultationSummary):
    draft = nullable(fields.Dict, required=True, **_d(N_("The draft document: title and type.")))
    items = fields.List(fields.Nested(ConsultationItem), required=True)
    attachments = fields.List(fields.Nested(Attachment), required=True)
    comments_url = fields.Url(required=True)
    comments_by_category = fields.Dict(keys=fields.String(), values=fields.Integer())
    answers_by_outcome = fields.Dict(keys=fields.String(), values=fields.Integer())


ConsultationPage = page_of(ConsultationSummary, "ConsultationPage")


class PlanItem(Schema):
    regulation = fields.Nested(RegulationRef, required=True)
    action = fields.String(required=True)
    description = fields.String(required=True)
    due_date = nullable(fields.Date, required=True)
    done_on = nullable(fields.Date, required=True)
    cost_before_vnd = nullable(fields.Float, required=True)
    cost_after_vnd = nullable(fields.Float, required=True)
    saving_vnd = nullable(fields.Float, required=True)


class PlanSummary(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    ministry = fields.Nested(MinistryRef, required=True)
    year = fields.Integer(required=True)
    status = fields.String(required=True)
    submitted_on = nullable(fields.Date, required=True)
    decision_number = fields.String(required=True)
    decision_date = nullable(fields.Date, required=True)
    implemented_on = nullable(fields.Date, required=True)
    items_count = fields.Integer(required=True)
    items_done = fields.Integer(required=True)
    url = fields.Url(required=True)
    web_url = fields.Url(required=True)


class PlanDetail(PlanSummary):
    summary = fields.String(required=True)
    items = fields.List(fields.Nested(PlanItem), required=True)
    saving_vnd = nullable(fields.Float, required=True, **_d(N_("Yearly saving of all items.")))
    consultations = fields.List(fields.Url(), required=True)


PlanPage = page_of(PlanSummary, "PlanPage")


# ---------------------------------------------------------------------------- reform


class IndicatorValue(Schema):
    value = nullable(fields.Float, required=True, **_d(N_("0 to 1; null without data.")))
    numerator = fields.Float(required=True)
    denominator = fields.Float(required=True)
    source = fields.String(required=True, **_d(N_("live or reported.")))


class ReformScore(Schema):
    rank = fields.Integer(required=True)
    ministry = fields.Nested(MinistryRef, required=True)
    period = fields.Integer(required=True)
    methodology_version = fields.Integer(required=True)
    total = fields.Float(required=True, **_d(N_("0 to 100.")))
    band = fields.String(required=True, **_d(N_("good, fair or weak.")))
    transparency = fields.Float(required=True, **_d(N_("0 to 1.")))
    results = fields.Float(required=True)
    satisfaction = fields.Float(required=True)
    groups_without_data = fields.List(fields.String(), required=True)
    source = fields.String(required=True, **_d(N_("live, reported or mixed.")))
    indicators = fields.Dict(
        keys=fields.String(), values=fields.Nested(IndicatorValue), required=True
    )
    computed_at = fields.DateTime(required=True)
    web_url = fields.Url(required=True)


class Methodology(Schema):
    version = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    note = fields.String(required=True)
    parameters = fields.Dict(required=True, **_d(N_("Weights, targets and bands.")))
    indicators = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    url = fields.Url(required=True)


class ReformScores(Schema):
    period = fields.Integer(required=True)
    periods = fields.List(fields.Integer(), required=True)
    methodology = fields.Nested(Methodology, required=True)
    items = fields.List(fields.Nested(ReformScore), required=True)
    total = fields.Integer(required=True)


class SpaceYear(Schema):
    year = fields.Integer(required=True)
    as_of = fields.Date(required=True)
    regulations = fields.Integer(required=True, **_d(N_("Regulations in force.")))
    documents = fields.Integer(required=True, **_d(N_("Legal documents that contain them.")))
    fields_ = fields.Integer(required=True, data_key="fields")
    cost_vnd = fields.Float(required=True, **_d(N_("Total annual compliance cost, VND.")))
    change = fields.Dict(
        keys=fields.String(),
        values=fields.Float(),
        required=True,
        allow_none=True,
        **_d(N_("Change from the year before; null for the first year.")),
    )


class Space(Schema):
    years = fields.List(fields.Nested(SpaceYear), required=True)
    by_kind = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    by_ministry = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


# ---------------------------------------------------------------------------- open data


class DownloadFile(Schema):
    dataset = fields.String(required=True)
    format = fields.String(required=True, **_d(N_("csv or jsonl.")))
    rows = fields.Integer(required=True)
    bytes = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    generated_at = fields.DateTime(required=True)
    current = fields.Boolean(
        required=True,
        **_d(N_("False while the data have changed since it was made (it is being made again).")),
    )
    url = fields.Url(required=True)


class Downloads(Schema):
    items = fields.List(fields.Nested(DownloadFile), required=True)


class ImportOutcome(Schema):
    rows = fields.Integer(required=True)
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    documents_created = fields.Integer(required=True)
    fields_created = fields.Integer(required=True)
    dry_run = fields.Boolean(required=True, **_d(N_("True when nothing was written.")))
    created_codes = fields.List(fields.String(), required=True)
