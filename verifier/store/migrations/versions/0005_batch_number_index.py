"""Claims of a batch in number order, so an export streams instead of sorting in memory.

bench/bench_export.py measured the export of a 100,000-claim batch sorting the whole join in
memory (~150 MB: SQLCipher is built with TEMP_STORE=2, so sorts stay in RAM, which is also
what keeps them encrypted). Indexing (batch_id, number) replaces the plain batch_id index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index("ix_claims_batch_number", ["batch_id", "number"], unique=False)
        batch_op.drop_index("ix_claims_batch_id")


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index("ix_claims_batch_id", ["batch_id"], unique=False)
        batch_op.drop_index("ix_claims_batch_number")
