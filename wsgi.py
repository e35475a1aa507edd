"""WSGI entry point: `gunicorn wsgi:app` (set PORTAL_CONFIG=production)."""

from portal import create_app

app = create_app()
