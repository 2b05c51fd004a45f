"""member questions

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('member_questions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kelompok_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=False),
    sa.Column('asked_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('answer', sa.String(length=1000), nullable=True),
    sa.Column('answered_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['answered_by'], ['pendamping.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['kelompok_id'], ['kelompok.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('member_questions', schema=None) as batch_op:
        batch_op.create_index('ix_member_questions_kelompok_status', ['kelompok_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_questions_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('member_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_questions_user_id'))
        batch_op.drop_index('ix_member_questions_kelompok_status')

    op.drop_table('member_questions')
