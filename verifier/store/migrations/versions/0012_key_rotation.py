"""Key rotation and the administrators' signature (issue 12).

- `audit_head.key_check`: the fingerprint of the database key in force. A rotation sets it
  first; every writer reads it with the head it already locks, so a workstation still
  holding the old key stops writing (it would write what nobody could read any more)
  instead of mixing two keys. NULL (no rotation yet): nothing to compare.
- `users.signature`: the administrators' Ed25519 signature of each user's login, role and
  state; a role changed by SQL no longer verifies and gives no right.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_check", sa.String(length=16), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signature", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("signature")
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.drop_column("key_check")
