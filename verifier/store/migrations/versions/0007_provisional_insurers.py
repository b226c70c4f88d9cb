"""Provisional insurers, and checks that reuse an earlier check.

A counter user may record an insurer missing from the directory with what the card shows;
it is "provisional" (with who recorded it and when) until an administrator confirms, merges
or corrects it, and its claims cannot be batched meanwhile. A coverage check may be a reuse
of an earlier one: `reused_check_id` points to the original. Existing rows are confirmed
insurers and fresh checks, so the defaults fit them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("insurers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provisional", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("recorded_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(op.f("fk_insurers_recorded_by_users"), "users", ["recorded_by"], ["id"])
    with op.batch_alter_table("coverage_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reused_check_id", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_coverage_checks_reused_check_id_coverage_checks"), "coverage_checks", ["reused_check_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("coverage_checks", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_coverage_checks_reused_check_id_coverage_checks"), type_="foreignkey")
        batch_op.drop_column("reused_check_id")
    with op.batch_alter_table("insurers", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_insurers_recorded_by_users"), type_="foreignkey")
        batch_op.drop_column("recorded_at")
        batch_op.drop_column("recorded_by")
        batch_op.drop_column("provisional")
