"""Replies go through the outbox: the worker holding a row is named, and rows are found per chat.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_outbox_identity', ['identity_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_identity')
        batch_op.drop_column('claimed_by')
