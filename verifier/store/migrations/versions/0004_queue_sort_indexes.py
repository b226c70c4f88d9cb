"""Indexes for the queue screen on a large database: ordered pages and totals per insurer.

The queue reads claims page by page in the order the user chose (number, date, amount,
status, insurer, operator down), each page starting after the last row of the previous
one (keyset paging). An index on (column, number) gives those pages in order without
sorting a million rows. Each such index also carries the filtered columns (status,
insurer, dispensing date), so that a filter is checked from the index while walking it,
without reading the claim itself (a claim read from disk costs ~100 times more).
Two indexes also carry the amounts, so that counts and totals per insurer are read from
an index alone: (insurer_id, number, ...) for any status, insurer or period filter, and
(status, insurer_id, number, ...), replacing (status, insurer_id, number) of revision
0002, for the claims awaiting export per insurer and what an insurer owes. A name search
reads its claims from (patient_id, number, ...) alone, to order them and add them up.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_claims_status_number": ["status", "number", "insurer_id", "dispensed_on"],
    "ix_claims_status_insurer_amounts": ["status", "insurer_id", "number", "dispensed_on", "amc", "price"],
    "ix_claims_insurer_number": ["insurer_id", "number", "status", "dispensed_on", "amc", "price"],
    "ix_claims_patient_number": ["patient_id", "number", "status", "insurer_id", "dispensed_on", "amc", "price"],
    "ix_claims_dispensed_number": ["dispensed_on", "number", "status", "insurer_id"],
    "ix_claims_amc_number": ["amc", "number", "status", "insurer_id", "dispensed_on"],
    "ix_claims_operator_down_number": ["operator_down", "number", "status", "insurer_id", "dispensed_on"],
}


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index("ix_claims_status_insurer_number")
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
        batch_op.create_index("ix_claims_status_insurer_number", ["status", "insurer_id", "number"], unique=False)
