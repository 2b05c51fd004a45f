"""Persistence: SQLAlchemy 2.0 models, repositories and Alembic migrations (the only way the schema changes)."""
