"""Models as the API's plain data (shared by the JSON API and the JSON Lines downloads)."""

from __future__ import annotations

from flask import url_for

from portal.consultation.models import Comment, Consultation, Plan, PlanItem
from portal.reform.cost import annual_cost, unit_cost
from portal.regulations.models import Field, LegalDocument, Regulation


def _url(endpoint: str, **values) -> str:
    return url_for(endpoint, **values, _external=True)


def ministry_ref(ministry) -> dict:
    return {
        "code": ministry.code,
        "name_vi": ministry.name_vi,
        "name_en": ministry.name_en,
        "url": _url("api_catalogue.ministry", code=ministry.code),
    }


def field_ref(field: Field | None) -> dict | None:
    if field is None:
        return None
    return {
        "slug": field.slug,
        "name_vi": field.name_vi,
        "name_en": field.name_en,
        "url": _url("api_catalogue.field", slug=field.slug),
    }


def document_ref(document: LegalDocument | None, public: bool = True) -> dict | None:
    if document is None:
        return None
    return {
        "number": document.number,
        "type": document.doc_type,
        "title": document.title,
        "url": _url("api_catalogue.document", slug=document.slug) if public else None,
    }


def regulation_ref(regulation: Regulation) -> dict:
    if not regulation.published:
        return {"code": None, "title": None, "url": None, "published": False}
    return {
        "code": regulation.code,
        "title": regulation.title,
        "url": _url("api_catalogue.regulation", code=regulation.code),
        "published": True,
    }


def regulation_summary(regulation: Regulation, rate: float) -> dict:
    return {
        "code": regulation.code,
        "kind": regulation.kind,
        "title": regulation.title,
        "status": regulation.status,
        "ministry": ministry_ref(regulation.ministry),
        "field": field_ref(regulation.field),
        "legal_basis": [
            {"document": document_ref(basis.document), "article": basis.article}
            for basis in regulation.bases
        ],
        "annual_cost_vnd": annual_cost(
            regulation.time_hours,
            regulation.cost_vnd,
            regulation.frequency,
            regulation.subjects,
            rate,
        ),
        "updated_at": regulation.updated_at,
        "url": _url("api_catalogue.regulation", code=regulation.code),
        "web_url": _url("regulations.detail", code=regulation.code),
    }


def regulation_detail(regulation: Regulation, rate: float, history, plan_items) -> dict:
    data = regulation_summary(regulation, rate)
    data["content"] = regulation.content
    data["cost"] = {
        "time_hours": regulation.time_hours,
        "cost_vnd": regulation.cost_vnd,
        "frequency": regulation.frequency,
        "subjects": regulation.subjects,
        "hourly_rate_vnd": rate,
        "unit_cost_vnd": unit_cost(regulation.time_hours, regulation.cost_vnd, rate),
        "annual_cost_vnd": data["annual_cost_vnd"],
    }
    data["history"] = [
        {
            "kind": event.kind,
            "date": event.event_date,
            "status": event.status,
            "document": document_ref(event.document),
            "note": event.note,
        }
        for event in history
    ]
    data["plan_items"] = [
        {
            "plan_id": item.plan_id,
            "plan_url": _url("api_consultation.plan", plan_id=item.plan_id),
            "action": item.action,
            "done_on": item.done_on,
        }
        for item in plan_items
    ]
    return data


def document_summary(document: LegalDocument, regulations: int) -> dict:
    return {
        **document_ref(document),
        "slug": document.slug,
        "issuer": ministry_ref(document.issuer) if document.issuer else None,
        "issued_date": document.issued_date,
        "effective_date": document.effective_date,
        "regulations": regulations,
        "web_url": _url("regulations.document", slug=document.slug),
    }


def comment_data(comment: Comment) -> dict:
    visible = comment.status == "visible"
    answer = comment.answer
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "author": {"name": comment.author.public_name, "category": comment.author_category},
        "status": comment.status,
        "body": comment.body if visible else None,
        "moderation_reason": comment.moderation_reason if comment.status == "removed" else "",
        "regulation": (
            regulation_ref(comment.regulation)
            if comment.regulation is not None and comment.regulation.published
            else None
        ),
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "due_at": comment.due_at if comment.parent_id is None else None,
        "answer": (
            {
                "outcome": answer.outcome,
                "body": answer.body,
                "ministry": answer.ministry.code,
                "answered_at": answer.created_at,
            }
            if answer is not None
            else None
        ),
        "web_url": _url("consultation.detail", consultation_id=comment.consultation_id)
        + f"#comment-{comment.id}",
    }


def consultation_summary(consultation: Consultation, counts: tuple[int, int], now) -> dict:
    return {
        "id": consultation.id,
        "title": consultation.title,
        "summary": consultation.summary,
        "ministry": ministry_ref(consultation.ministry),
        "subject": consultation.subject_kind,
        "state": consultation.state(now),
        "opens_at": consultation.opens_at,
        "closes_at": consultation.closes_at,
        "opens_on": consultation.opens_on,
        "closes_on": consultation.closes_on,
        "length_days": consultation.length_days,
        "comments": counts[0],
        "answered": counts[1],
        "plan_id": consultation.plan_id,
        "url": _url("api_consultation.consultation", consultation_id=consultation.id),
        "web_url": _url("consultation.detail", consultation_id=consultation.id),
    }


def plan_summary(plan: Plan) -> dict:
    items = plan.items
    return {
        "id": plan.id,
        "title": plan.title,
        "ministry": ministry_ref(plan.ministry),
        "year": plan.year,
        "status": plan.status,
        "submitted_on": plan.submitted_on,
        "decision_number": plan.decision_number,
        "decision_date": plan.decision_date,
        "implemented_on": plan.implemented_on,
        "items_count": len(items),
        "items_done": sum(1 for item in items if item.done_on is not None),
        "url": _url("api_consultation.plan", plan_id=plan.id),
        "web_url": _url("consultation.plan", plan_id=plan.id),
    }


def plan_item_data(item: PlanItem, before, after, saving) -> dict:
    return {
        "regulation": regulation_ref(item.regulation),
        "action": item.action,
        "description": item.description,
        "due_date": item.due_date,
        "done_on": item.done_on,
        "cost_before_vnd": before,
        "cost_after_vnd": after,
        "saving_vnd": saving,
    }


def reform_score(score, rank: int, band: str) -> dict:
    return {
        "rank": rank,
        "ministry": ministry_ref(score.ministry),
        "period": score.period,
        "methodology_version": score.version,
        "total": score.total,
        "band": band,
        "transparency": score.transparency,
        "results": score.results,
        "satisfaction": score.satisfaction,
        "groups_without_data": sorted(score.flagged),
        "source": score.source,
        "indicators": {
            code: {
                "value": values.get("value"),
                "numerator": values.get("num", 0),
                "denominator": values.get("den", 0),
                "source": values.get("source", "live"),
            }
            for code, values in score.indicators.items()
        },
        "computed_at": score.computed_at,
        "web_url": _url("reform.ministry", code=score.ministry.code, period=score.period),
    }
