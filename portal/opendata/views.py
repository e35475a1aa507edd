"""/data: the open-data page — bulk files, feeds and the API."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from portal.extensions import db
from portal.ministries.models import Ministry
from portal.opendata import store
from portal.opendata.datasets import DATASETS

bp = Blueprint("opendata", __name__)


@bp.get("/data")
def index():
    manifest, stale = store.current_manifest()
    files: dict[str, list[dict]] = {}
    for item in store.listing(manifest, stale):
        files.setdefault(item["dataset"], []).append(item)
    return render_template(
        "opendata/index.html",
        datasets=DATASETS,
        files=files,
        ministries=db.session.scalars(select(Ministry).order_by(Ministry.sort_order)).all(),
    )
