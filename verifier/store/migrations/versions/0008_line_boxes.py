"""One identity per box: the boxes of each claim line (lot, expiry, serial, how it was read).

A line of quantity 3 was one row with one lot/expiry/serial, claimed for all three boxes.
Each box is now a row of `claim_line_boxes`, keyed by the claim and the line's position: the
fast queueing path writes lines and boxes in two multi-row INSERTs without reading the lines'
ids back. The line keeps its lot/expiry/serial columns (what all its boxes share), so
exports and older readers go on working. A line that had a lot, expiry or serial becomes
one box read from a DataMatrix (the only source of those values until now).

Revision ID: 0008
Revises: 0007 (re-chained onto 0007 at merge)
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim_line_boxes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("line_position", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("lot", sa.String(length=20), nullable=True),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("serial", sa.String(length=20), nullable=True),
        sa.Column("read_as", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_line_boxes_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_line_boxes")),
    )
    op.create_index(op.f("ix_claim_line_boxes_claim_id"), "claim_line_boxes", ["claim_id"], unique=False)
    op.execute(
        "INSERT INTO claim_line_boxes (claim_id, line_position, position, lot, expiry, serial, read_as) "
        "SELECT claim_id, position, 1, lot, expiry, serial, 'datamatrix' FROM claim_lines "
        "WHERE lot IS NOT NULL OR expiry IS NOT NULL OR serial IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_claim_line_boxes_claim_id"), table_name="claim_line_boxes")
    op.drop_table("claim_line_boxes")
