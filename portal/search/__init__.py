"""Vietnamese full-text search: the only package that imports Whoosh.

The pieces: `analysis` (syllables, folding, shingles), `query` (what the user typed → clauses),
`engine` (clauses → matching entries and scores, shared by every backend), `backend` with its
Whoosh and PostgreSQL implementations (posting sets), `documents` (catalogue rows → index
entries), `sync` (the outbox that keeps the index in step with the database), `service` (the use
case behind /search: visibility and facets decided by the database) and `views`.
"""
