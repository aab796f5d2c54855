"""Alembic migrations of Jimu's own tables; run them with ``jimu db upgrade``."""
