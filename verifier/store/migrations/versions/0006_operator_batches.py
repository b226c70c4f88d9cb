"""Batches per operator: a batch is for one insurer or for one operator, never both.

Some insurers want their claims sent through their tiers-payant operator, in one batch
holding every such insurer's claims (the insurer's `batch_by` setting, stored since 0001
but unused until now). Existing batches all name an insurer, so they satisfy the check.
Operator batch numbers have their own sequence and their own uniqueness.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("operator_id", sa.Integer(), nullable=True))
        batch_op.alter_column("insurer_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(op.f("fk_batches_operator_id_operators"), "operators", ["operator_id"], ["id"])
        batch_op.create_unique_constraint("uq_batches_operator_number", ["operator_id", "number"])
        batch_op.create_check_constraint("one_recipient", "(insurer_id IS NULL) <> (operator_id IS NULL)")


def downgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_constraint("ck_batches_one_recipient", type_="check")
        batch_op.drop_constraint("uq_batches_operator_number", type_="unique")
        batch_op.drop_constraint(op.f("fk_batches_operator_id_operators"), type_="foreignkey")
        batch_op.alter_column("insurer_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("operator_id")
