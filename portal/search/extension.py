"""Wire search into the app: choose the backend, connect the sync, register CLI and views."""

from __future__ import annotations

from pathlib import Path

from portal.search import service, sync


def backend_name(app) -> str:
    """SEARCH_BACKEND if set; otherwise PostgreSQL search on PostgreSQL, Whoosh elsewhere."""
    configured = app.config.get("SEARCH_BACKEND")
    if configured:
        return configured
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    return "postgres" if uri.startswith("postgresql") else "whoosh"


def init_search(app) -> None:
    name = backend_name(app)
    budget = int(app.config.get("SEARCH_CACHE_BUDGET", 400_000))
    service.set_cache_budget(budget // 2)
    if name == "postgres":
        from portal.search.postgres_backend import PostgresBackend

        backend = PostgresBackend(cache_budget=budget)
    elif name == "whoosh":
        from portal.search.whoosh_backend import WhooshBackend

        backend = WhooshBackend(
            app.config.get("SEARCH_INDEX_DIR") or Path(app.instance_path) / "search-index",
            cache_budget=budget,
        )
    else:
        raise RuntimeError(f"Unknown SEARCH_BACKEND {name!r}: use whoosh or postgres.")
    lock_path = Path(
        app.config.get("SEARCH_LOCK_FILE") or Path(app.instance_path) / "search-index.lock"
    )
    app.extensions["search"] = backend
    app.extensions["search_lock"] = lock_path
    mode = app.config.get("SEARCH_SYNC", "thread")
    sync.connect(app, backend, lock_path, mode)
    if mode == "thread":
        started = []

        @app.before_request
        def _drain_pending_once():
            # Changes committed by CLI commands while no web process ran get applied now.
            if not started:
                started.append(True)
                app.extensions["search_sync"].notify()
