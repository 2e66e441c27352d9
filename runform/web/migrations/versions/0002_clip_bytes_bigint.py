"""training_sessions.clip_bytes as a 64-bit integer: a clip over 2 GiB overflowed PostgreSQL's
INTEGER (SQLite's integers are 64-bit already), and the upload failed after it was received.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("training_sessions") as table:  # batch: SQLite rebuilds the table
        table.alter_column("clip_bytes", existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("training_sessions") as table:
        table.alter_column("clip_bytes", existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False)
