"""Sign-in back-off: each key slot counts the lockouts since its user's last sign-in.

A slot locked after five wrong passwords stayed locked five minutes, every time: an attacker
trying passwords got five more guesses every five minutes, forever. The lock now doubles with
each lockout in a row (5, 10, 20… minutes, at most 5 h 20) until the right password is given.
SQLite keeps its slots in the `.keys` file beside the database (no schema change there);
PostgreSQL keeps them in `key_slots`, which gains the count.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("key_slots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locks", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("key_slots", schema=None) as batch_op:
        batch_op.drop_column("locks")
