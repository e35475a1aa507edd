"""Pieces every domain shares: column types, timestamps and portal settings."""
