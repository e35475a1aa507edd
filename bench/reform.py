"""Computing the reform-effort index at scale (issue 6).

Method: a fresh SQLite database (WAL) gets 20,000 synthetic regulations (`flask demo
generate`, seed 68, imported: one history event each), then, in bulk, 40 plans with 500 items
(abolish / simplify / amend; 300 of them done in the period, with their cost inputs before and
after), 200 drafts, 240 consultations, 10,000 comments and feedback with due dates spread over
the period (7,000 answered, some late) and 3,000 ratings. `index.compute(period)` computes
every ministry's nine indicators for the period; it is timed in-process, warm, over `runs`
runs after one warm-up. Baseline in the same run: `_in_force(end of period)` alone — the one
window-function query over the history every score needs (T1) — so the ratio says what the other
eight indicators and the aggregation add.

Usage: .venv/bin/python bench/reform.py [--count 20000] [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'reform.db'}",
        "PORTAL_CONFIG": "development",
        "FLASK_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "PORTAL_SEARCH_SYNC": "worker",
        "PORTAL_SEARCH_INDEX_DIR": str(folder / "index"),
    }
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run(
        [*flask, "demo", "generate", "--count", str(args.count)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    os.environ.update(env)
    from datetime import date, datetime, timedelta

    from sqlalchemy import insert, select

    from portal.accounts.models import User
    from portal.consultation.models import (
        Answer,
        Comment,
        Consultation,
        DraftDocument,
        Plan,
        PlanItem,
        Rating,
    )
    from portal.extensions import db
    from portal.ministries.models import Ministry
    from portal.regulations.models import Regulation, RegulationEvent
    from wsgi import app

    rng = random.Random(68)
    period = date.today().year - 1
    with app.app_context():
        from portal.reform import index

        ministries = [m for (m,) in db.session.execute(select(Ministry.id))]
        regulations = db.session.execute(
            select(
                Regulation.id,
                Regulation.ministry_id,
                Regulation.time_hours,
                Regulation.cost_vnd,
                Regulation.frequency,
                Regulation.subjects,
            ).where(Regulation.status == "in_force")
        ).all()
        # History: every regulation in force since before the period.
        db.session.execute(
            RegulationEvent.__table__.update().values(event_date=date(period - 2, 6, 1))
        )
        user = User(email="bench@portal.vn", role="member", display_name="Bench")
        db.session.add(user)
        db.session.flush()
        start = datetime(period, 1, 1, tzinfo=UTC)
        plans = []
        # Ministries that own regulations of the synthetic catalogue get plans and comments.
        ministries = sorted({ministry_id for _r, ministry_id, *_rest in regulations})
        for number in range(40):
            ministry = ministries[number % len(ministries)]
            plans.append(
                {
                    "ministry_id": ministry,
                    "title": f"Phương án {number}",
                    "year": period,
                    "status": "approved",
                    "submitted_on": date(period, 9, rng.randint(1, 30)),
                    "decision_number": f"{number}/QĐ-TTg",
                    "decision_date": date(period, 10, 15),
                    "summary": "",
                    "created_at": start,
                    "updated_at": start,
                }
            )
        db.session.execute(insert(Plan), plans)
        plan_rows = db.session.execute(select(Plan.id, Plan.ministry_id)).all()
        by_ministry: dict = {}
        for regulation_id, ministry_id, hours, fees, frequency, subjects in regulations:
            by_ministry.setdefault(ministry_id, []).append(
                (regulation_id, hours, fees, frequency, subjects)
            )
        items = []
        used = set()
        for index_number in range(500):
            plan_id, ministry_id = plan_rows[index_number % len(plan_rows)]
            while True:  # a regulation appears once in a plan
                regulation_id, hours, fees, frequency, subjects = rng.choice(
                    by_ministry[ministry_id]
                )
                if (plan_id, regulation_id) not in used:
                    used.add((plan_id, regulation_id))
                    break
            done = index_number < 300
            items.append(
                {
                    "plan_id": plan_id,
                    "regulation_id": regulation_id,
                    "action": rng.choice(("abolish", "simplify", "amend")),
                    "description": "",
                    "position": index_number,
                    "time_hours_before": hours,
                    "cost_vnd_before": fees,
                    "frequency_before": frequency,
                    "subjects_before": subjects,
                    "time_hours_after": (hours or 0) / 2,
                    "cost_vnd_after": fees,
                    "frequency_after": frequency,
                    "subjects_after": subjects,
                    "due_date": date(period, 12, 1),
                    "done_on": date(period, 11, rng.randint(1, 28)) if done else None,
                }
            )
        db.session.execute(insert(PlanItem), items)
        drafts = [
            {
                "ministry_id": ministries[n % len(ministries)],
                "title": f"Dự thảo {n}",
                "doc_type": "decree",
                "summary": "",
                "created_at": start + timedelta(days=n),
                "updated_at": start,
            }
            for n in range(200)
        ]
        db.session.execute(insert(DraftDocument), drafts)
        draft_rows = db.session.execute(select(DraftDocument.id, DraftDocument.ministry_id)).all()
        consultations = []
        for n, (draft_id, ministry_id) in enumerate(draft_rows[:160]):
            opens = start + timedelta(days=n)
            consultations.append(
                {
                    "ministry_id": ministry_id,
                    "draft_id": draft_id,
                    "title": "x",
                    "summary": "",
                    "opens_at": opens,
                    "closes_at": opens + timedelta(days=30),
                    "length_days": 30,
                    "created_at": opens,
                    "updated_at": opens,
                }
            )
        for n, (plan_id, ministry_id) in enumerate(plan_rows):
            opens = start + timedelta(days=n)
            consultations.append(
                {
                    "ministry_id": ministry_id,
                    "plan_id": plan_id,
                    "title": "y",
                    "summary": "",
                    "opens_at": opens,
                    "closes_at": opens + timedelta(days=25),
                    "length_days": 25,
                    "created_at": opens,
                    "updated_at": opens,
                }
            )
        db.session.execute(insert(Consultation), consultations)
        consultation_ids = [c for (c,) in db.session.execute(select(Consultation.id))]
        comments = []
        for n in range(10_000):
            due = start + timedelta(days=rng.randint(0, 364))
            comments.append(
                {
                    "kind": "comment",
                    "consultation_id": rng.choice(consultation_ids),
                    "ministry_id": rng.choice(ministries),
                    "author_id": user.id,
                    "author_category": rng.choice(("business", "association", "individual")),
                    "body": "Ý kiến thử tải",
                    "receipt": f"GY-{period}-{n:06d}",
                    "idempotency_key": f"bench-{n:08d}",
                    "status": "visible",
                    "report_count": 0,
                    "moderation_reason": "",
                    "approved": False,
                    "due_at": due,
                    "created_at": due - timedelta(days=20),
                    "updated_at": due,
                }
            )
        db.session.execute(insert(Comment), comments)
        comment_rows = db.session.execute(
            select(Comment.id, Comment.ministry_id, Comment.due_at)
        ).all()
        answers, ratings = [], []
        for n, (comment_id, ministry_id, due) in enumerate(comment_rows[:7000]):
            answered = due + timedelta(days=rng.randint(-10, 10))
            answers.append(
                {
                    "comment_id": comment_id,
                    "ministry_id": ministry_id,
                    "outcome": "accepted",
                    "body": "Tiếp thu.",
                    "created_at": answered,
                }
            )
            if n < 3000:
                ratings.append(
                    {
                        "comment_id": comment_id,
                        "ministry_id": ministry_id,
                        "rater_id": user.id,
                        "score": rng.randint(1, 5),
                        "remark": "",
                        "created_at": answered + timedelta(days=1),
                    }
                )
        db.session.execute(insert(Answer), answers)
        db.session.execute(insert(Rating), ratings)
        db.session.commit()
        # No ANALYZE: the portal never runs it on SQLite (see the catalogue section of
        # docs/benchmarks.md), so the planner works here as it does in the portal.

        window = index.Window.of(period)
        from portal.reform.cost import hourly_rate

        rate = hourly_rate()
        index.compute(period)  # warm-up
        index._in_force(window.end, rate)
        timings, baseline = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            scores = index.compute(period)
            timings.append(time.perf_counter() - started)
            started = time.perf_counter()
            index._in_force(window.end, rate)
            baseline.append(time.perf_counter() - started)
        result = {
            "regulations": args.count,
            "plan_items": 500,
            "comments": 10_000,
            "ministries": len(scores),
            "period": period,
            "compute_ms": {
                "median": round(statistics.median(timings) * 1000, 1),
                "p95": round(percentile(timings, 0.95) * 1000, 1),
                "max": round(max(timings) * 1000, 1),
            },
            "baseline_in_force_ms": {
                "median": round(statistics.median(baseline) * 1000, 1),
                "p95": round(percentile(baseline, 0.95) * 1000, 1),
            },
            "ratio_median": round(statistics.median(timings) / statistics.median(baseline), 2),
            "first": [scores[0].ministry.code, round(scores[0].total, 1)],
        }
        print(json.dumps(result))


if __name__ == "__main__":
    main()
