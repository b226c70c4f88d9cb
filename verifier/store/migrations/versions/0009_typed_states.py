"""Typed states: the database refuses a claim, batch or check state it does not know.

Claim and batch statuses, and a check's method and outcome, were plain VARCHAR(16) columns
that any string could fill (a typo in a service, or raw SQL). They are now read and written
as enums (`verifier.domain.states`) and each gets a named CHECK constraint listing its
values, on SQLite (the table is rebuilt in batch mode, its data copied) and PostgreSQL
alike. The column type does not change. One old value is renamed: the first releases
(schema 0001) stored a batch just made as "created", which every later release calls
"exported" (made, its claims exported, not yet sent) and did not recognise, so such a batch
could be neither voided nor marked sent. A future state is a migration that swaps the
constraint.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The values as of this revision, written out: a migration must not follow later edits of
# the enums in verifier.domain.states.
CONSTRAINTS: dict[str, dict[str, tuple[str, ...]]] = {
    "claims": {"status": ("draft", "queued", "exported", "accepted", "rejected", "paid", "void")},
    "batches": {"status": ("exported", "sent", "void")},
    "coverage_checks": {
        "method": ("card", "hotline", "portal", "fax"),
        "outcome": ("covered", "partial", "not_covered", "unverified"),
    },
}


def upgrade() -> None:
    op.execute("UPDATE batches SET status = 'exported' WHERE status = 'created'")
    for table, columns in CONSTRAINTS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, values in columns.items():
                listed = ", ".join(f"'{v}'" for v in values)
                batch_op.create_check_constraint(op.f(f"ck_{table}_{column}"), f"{column} IN ({listed})")


def downgrade() -> None:
    for table, columns in CONSTRAINTS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_constraint(op.f(f"ck_{table}_{column}"), type_="check")
