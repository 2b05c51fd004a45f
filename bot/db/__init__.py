"""Persistence: SQLAlchemy 2.0 models, repositories and Alembic migrations.

Alembic migrations are the only way the schema changes."""
