"""The search use case: query → visible results, facets, page, snippets and suggestions."""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.ministries.models import Ministry
from portal.regulations import vocab
from portal.regulations.models import Field, LegalDocument, Regulation
from portal.search import engine, spelling
from portal.search.backend import SearchBackend, split_eid
from portal.search.cache import SizedLRU
from portal.search.catalogue import snapshot
from portal.search.highlight import highlight, snippet
from portal.search.query import ParsedQuery, parse
from portal.text import clean_text

# In the order of Info.facets.
FACETS = ("type", "kind", "ministry", "field", "status", "doctype")
SORTS = ("relevance", "date")
_RESULT_BUDGET = 200_000  # scored entries kept across cached result sets


def backend() -> SearchBackend:
    return current_app.extensions["search"]


@dataclass
class SearchFilters:
    type: str | None = None
    kinds: tuple[str, ...] = ()
    ministry: Ministry | None = None
    field: Field | None = None
    status: str | None = None
    doctype: str | None = None
    sort: str = "relevance"
    notices: list[str] = dataclass_field(default_factory=list)

    @property
    def active(self) -> bool:
        return bool(
            self.type or self.kinds or self.ministry or self.field or self.status or self.doctype
        )

    def rejects(self, facets: tuple) -> set[str]:
        """The facets whose selected value an entry (its Info.facets tuple) does not have."""
        entity, kind, ministry_id, field_id, status, doc_type = facets
        failed = set()
        if self.type and entity != self.type:
            failed.add("type")
        if self.kinds and kind not in self.kinds:
            failed.add("kind")
        if self.ministry and ministry_id != self.ministry.id:
            failed.add("ministry")
        if self.field and field_id != self.field.id:
            failed.add("field")
        if self.status and status != self.status:
            failed.add("status")
        if self.doctype and doc_type != self.doctype:
            failed.add("doctype")
        return failed


def _arg(args, name: str) -> str:
    return clean_text(args.get(name, ""), max_length=120)


def parse_filters(args) -> SearchFilters:
    """Filters from the URL; unknown values are dropped with a notice (never an error)."""
    filters = SearchFilters()
    notices = filters.notices
    value = _arg(args, "type")
    if value in ("regulation", "document", "consultation"):
        filters.type = value
    elif value:
        notices.append(
            _("There is no result type “%(value)s”; that filter was ignored.", value=value)
        )
    kinds = []
    for raw in args.getlist("kind")[:10]:
        raw = clean_text(raw, max_length=120)
        kind = vocab.parse_kind(raw) if raw else None
        if kind:
            kinds.append(kind)
        elif raw:
            notices.append(
                _("There is no regulation kind “%(value)s”; that filter was ignored.", value=raw)
            )
    filters.kinds = tuple(dict.fromkeys(kinds))
    if value := _arg(args, "ministry"):
        filters.ministry = db.session.scalar(select(Ministry).where(Ministry.code == value.lower()))
        if filters.ministry is None:
            notices.append(
                _(
                    "There is no ministry with the code “%(value)s”; that filter was ignored.",
                    value=value,
                )
            )
    if value := _arg(args, "field"):
        filters.field = db.session.scalar(select(Field).where(Field.slug == value.lower()))
        if filters.field is None:
            notices.append(
                _("There is no field “%(value)s”; that filter was ignored.", value=value)
            )
    if value := _arg(args, "status"):
        filters.status = vocab.parse_status(value)
        if filters.status is None:
            notices.append(
                _("There is no status “%(value)s”; that filter was ignored.", value=value)
            )
    if value := _arg(args, "doctype"):
        if value in vocab.DOCUMENT_TYPE_CODES:
            filters.doctype = value
        else:
            notices.append(
                _("There is no document type “%(value)s”; that filter was ignored.", value=value)
            )
    value = _arg(args, "sort")
    if value in SORTS:
        filters.sort = value
    elif value:
        notices.append(
            _("Unknown sort order “%(value)s”; sorted by relevance instead.", value=value)
        )
    return filters


@dataclass
class Hit:
    entity: str
    obj: object
    title: object
    snippet: object


@dataclass
class SearchOutcome:
    query: ParsedQuery
    filters: SearchFilters
    total: int = 0
    matched: int = 0  # before the filters (for "drop the filters" advice)
    hits: list[Hit] = dataclass_field(default_factory=list)
    facets: dict[str, list[tuple[str, str, int]]] = dataclass_field(default_factory=dict)
    suggestions: list[str] = dataclass_field(default_factory=list)
    # The text as typed when the results are those of a spelling correction (query.text).
    corrected_from: str | None = None


_results = SizedLRU(_RESULT_BUDGET)


def set_cache_budget(budget: int) -> None:
    """How many scored entries cached results may hold in all (0: no result cache)."""
    _results.budget = budget
    _results.clear()


def _scores(parsed: ParsedQuery) -> dict[int, float]:
    """Engine results, cached per index generation and query."""
    search_backend = backend()
    key = (search_backend.generation(), parsed.key)
    return _results.get_or_compute(key, lambda: engine.run(search_backend, parsed))


def _visibility(viewer):
    """A predicate on snapshot entries: what `viewer` may see (the catalogue's own rule:
    unpublished regulations only for their ministry's staff and for administrators)."""
    if getattr(viewer, "is_admin", False):
        return lambda info: True
    if getattr(viewer, "is_staff", False):
        ministry_id = viewer.ministry_id
        return lambda info: (
            info.public or (info.facets[0] == "regulation" and info.facets[2] == ministry_id)
        )
    return lambda info: info.public


def run_search(args, page: int, per_page: int, viewer=None) -> SearchOutcome:
    """Everything the results page shows; visibility and counts come from the database.

    A query that matches nothing is answered with the results of its cheapest spelling
    correction that finds something under the same filters (unless `correct=0` asks for the
    text exactly as typed); other corrections that find something are offered as links."""
    may_see = _visibility(viewer)
    parsed = parse(args.get("q", ""))
    filters = parse_filters(args)
    if parsed.empty:
        return SearchOutcome(query=parsed, filters=filters)
    entries = snapshot()
    outcome = _search(parsed, filters, page, per_page, may_see, entries)
    if outcome.total:
        return outcome
    # Only what finds something this viewer may see: the vocabulary also holds the words of
    # unpublished regulations, which must not leak through a correction.
    # Best first: the correction whose syllables stand together in the index most often, then
    # the cheapest (the order corrections come in); the engine runs only until enough are found.
    search_backend = backend()
    ranked = sorted(
        spelling_corrections(parsed),
        key=lambda text: -spelling.cohesion(text, search_backend.phrase),
    )
    found = []
    for text in ranked:
        if _finds_visible(text, entries, may_see):
            found.append(text)
            if len(found) == _SUGGESTIONS:
                break
    if outcome.matched == 0 and _arg(args, "correct") != "0":
        for text in found:
            corrected = parse(text)
            attempt = _search(corrected, filters, page, per_page, may_see, entries)
            if attempt.total:
                corrected.notices[:0] = parsed.notices
                attempt.corrected_from = parsed.text
                return attempt
    outcome.suggestions = found
    return outcome


def _search(parsed: ParsedQuery, filters, page: int, per_page: int, may_see, entries):
    outcome = SearchOutcome(query=parsed, filters=filters)
    scores = _scores(parsed)
    visible = [
        (eid, score, info)
        for eid, score in scores.items()
        if (info := entries.get(eid)) is not None and may_see(info)
    ]
    outcome.matched = len(visible)
    # Entries that share every facet value are counted together: a few thousand distinct
    # combinations stand for tens of thousands of matches.
    combinations = Counter(info.facets for _eid, _score, info in visible)
    counts: dict[str, dict] = {name: {} for name in FACETS}
    passes: dict[tuple, bool] = {}
    for values, number in combinations.items():
        failed = filters.rejects(values)
        passes[values] = not failed
        for index, name in enumerate(FACETS):
            if (not failed or failed == {name}) and values[index] is not None:
                counts[name][values[index]] = counts[name].get(values[index], 0) + number
    selected = [item for item in visible if passes[item[2].facets]]
    outcome.total = len(selected)
    outcome.facets = _facet_rows(counts)
    first = (page - 1) * per_page
    if filters.sort == "date":
        key = lambda item: ((item[2].date or date.min).toordinal(), item[1], -item[0])  # noqa: E731
    else:
        key = lambda item: (item[1], (item[2].date or date.min).toordinal(), -item[0])  # noqa: E731
    ranked = heapq.nlargest(first + per_page, selected, key=key)
    outcome.hits = _hits([eid for eid, _score, _info in ranked[first:]], parsed)
    return outcome


def _finds_visible(text: str, entries: dict, may_see) -> bool:
    return any(
        (info := entries.get(eid)) is not None and may_see(info) for eid in _scores(parse(text))
    )


def _facet_rows(counts: dict[str, dict]) -> dict[str, list[tuple[str, str, int]]]:
    """Per facet: (URL value, label, count), in a stable, useful order."""
    ministries = {m.id: m for m in db.session.scalars(select(Ministry))}
    fields = {
        f.id: f
        for f in db.session.scalars(select(Field).where(Field.id.in_(list(counts["field"]))))
    }
    rows: dict[str, list[tuple[str, str, int]]] = {}
    type_labels = {
        "regulation": _("Regulations"),
        "document": _("Legal documents"),
        "consultation": _("Consultations"),
    }
    rows["type"] = [
        (v, type_labels[v], counts["type"][v]) for v in type_labels if v in counts["type"]
    ]
    for name, terms in (
        ("kind", vocab.KINDS),
        ("status", vocab.STATUSES),
        ("doctype", vocab.DOCUMENT_TYPES),
    ):
        label = (lambda t: str(t.plural)) if name == "kind" else (lambda t: str(t.label))
        rows[name] = [
            (t.code, label(t), counts[name][t.code]) for t in terms if t.code in counts[name]
        ]
    rows["ministry"] = [
        (ministries[i].code, ministries[i].name, n)
        for i, n in sorted(
            counts["ministry"].items(), key=lambda item: (-item[1], ministries[item[0]].sort_order)
        )
        if i in ministries
    ]
    rows["field"] = [
        (fields[i].slug, fields[i].name, n)
        for i, n in sorted(
            counts["field"].items(), key=lambda item: (-item[1], fields[item[0]].name_key)
        )
        if i in fields
    ][:15]
    return rows


def _hits(eids: list[int], parsed: ParsedQuery) -> list[Hit]:
    wanted = {term.folded for term in parsed.terms}
    ids = {"regulation": [], "document": [], "consultation": []}
    for eid in eids:
        entity, entity_id = split_eid(eid)
        ids[entity].append(entity_id)
    regulations = {
        r.id: r
        for r in db.session.scalars(
            select(Regulation)
            .where(Regulation.id.in_(ids["regulation"]))
            .options(joinedload(Regulation.ministry), joinedload(Regulation.field))
        )
    }
    documents = {
        d.id: d
        for d in db.session.scalars(
            select(LegalDocument)
            .where(LegalDocument.id.in_(ids["document"]))
            .options(joinedload(LegalDocument.issuer))
        )
    }
    from portal.consultation.models import Consultation

    consultations = {
        c.id: c
        for c in db.session.scalars(
            select(Consultation)
            .where(Consultation.id.in_(ids["consultation"]))
            .options(joinedload(Consultation.ministry))
        )
    }
    hits = []
    for eid in eids:
        entity, entity_id = split_eid(eid)
        if entity == "consultation" and entity_id in consultations:
            consultation = consultations[entity_id]
            hits.append(
                Hit(
                    entity,
                    consultation,
                    highlight(consultation.title, wanted),
                    snippet(consultation.summary or consultation.title, wanted),
                )
            )
        elif entity == "regulation" and entity_id in regulations:
            regulation = regulations[entity_id]
            hits.append(
                Hit(
                    entity,
                    regulation,
                    highlight(regulation.title, wanted),
                    snippet(regulation.content or regulation.title, wanted),
                )
            )
        elif entity == "document" and entity_id in documents:
            document = documents[entity_id]
            hits.append(
                Hit(
                    entity,
                    document,
                    highlight(document.display_name, wanted),
                    highlight(document.title, wanted) if document.title else "",
                )
            )
    return hits


_vocabulary: dict = {}
_SUGGESTIONS = 3  # corrections offered as links
_TRIED = 12  # corrected queries run at most, cheapest first


def _spelling_vocabulary() -> spelling.Vocabulary:
    """The index's syllables for corrections (cached per index generation)."""
    search_backend = backend()
    key = search_backend.generation()
    if _vocabulary.get("key") != key:
        built = spelling.build_vocabulary(
            search_backend.frequencies("f"), search_backend.vocabulary("e")
        )
        _vocabulary.clear()
        _vocabulary.update(key=key, vocabulary=built)
    return _vocabulary["vocabulary"]


def spelling_corrections(parsed: ParsedQuery) -> list[str]:
    """Corrected versions of the query text from the index vocabulary, cheapest first."""
    return list(itertools.islice(spelling.corrections(parsed, _spelling_vocabulary()), _TRIED))


def ranked_regulations(
    text: str,
    *,
    kinds: tuple[str, ...] = (),
    ministry=None,
    field=None,
    status: str | None = None,
    viewer=None,
) -> tuple[list[tuple[float, int]], ParsedQuery]:
    """Every regulation `viewer` may see that matches `text` under the filters, as
    (score, regulation id), best first and then by id: a stable order that an API cursor can
    resume from. The parsed query tells how the text was understood (and if it was cut)."""
    parsed = parse(text)
    if parsed.empty:
        return [], parsed
    may_see = _visibility(viewer)
    filters = SearchFilters(
        type="regulation", kinds=kinds, ministry=ministry, field=field, status=status
    )
    entries = snapshot()
    ranked = []
    for eid, score in _scores(parsed).items():
        info = entries.get(eid)
        if info is None or not may_see(info) or filters.rejects(info.facets):
            continue
        ranked.append((score, split_eid(eid)[1]))
    ranked.sort(key=lambda item: (-item[0], item[1]))
    return ranked, parsed
