"""Clinic claims: each claim has a kind, a stay claim its stay and PEC, care lines their facts.

`claims.kind` says what a claim bills: a pharmacy dispensing (every claim stored before this
revision), a stay in an établissement de santé, or a consultation in a centre de santé. It
is a VARCHAR(16) with a named CHECK constraint like the states of 0009. A stay or a
consultation has one `claim_stays` row: entry number, admission and discharge (none while the
stay is open), MT, DMT, exemption, and what the PEC adds to the claim's coverage check (when
obtained, valid until, its guarantees as typed). Care lines keep their kind, practitioner,
OPTAM, what the AMO withheld (PAV, participation forfaitaire) and the days a per-day
guarantee paid, which later claims count against a yearly limit; the columns stay NULL on
pharmacy lines, so nothing already stored changes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

KINDS = ("pharmacy", "stay", "consultation")  # as of this revision


def upgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), server_default="pharmacy", nullable=False))
        listed = ", ".join(f"'{v}'" for v in KINDS)
        batch_op.create_check_constraint(op.f("ck_claims_kind"), f"kind IN ({listed})")
    with op.batch_alter_table("claim_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("care_kind", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("practitioner_rpps", sa.String(length=11), nullable=True))
        batch_op.add_column(sa.Column("optam", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("withheld", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("participation", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("days_paid", sa.Integer(), nullable=True))
    op.create_table(
        "claim_stays",
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("entry_number", sa.String(length=20), nullable=True),
        sa.Column("admission", sa.Date(), nullable=False),
        sa.Column("discharge", sa.Date(), nullable=True),
        sa.Column("planned_discharge", sa.Date(), nullable=True),
        sa.Column("mode", sa.String(length=2), nullable=False),
        sa.Column("dmt", sa.String(length=3), nullable=False),
        sa.Column("exemption", sa.String(length=20), nullable=False),
        sa.Column("psychiatry", sa.Boolean(), nullable=False),
        sa.Column("under_18", sa.Boolean(), nullable=False),
        sa.Column("pav", sa.Boolean(), nullable=True),
        sa.Column("pec_obtained_on", sa.Date(), nullable=False),
        sa.Column("pec_valid_until", sa.Date(), nullable=True),
        sa.Column("guarantees", sa.Text(), nullable=False),
        sa.Column("days_used", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_stays_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_claim_stays")),
    )


def downgrade() -> None:
    op.drop_table("claim_stays")
    with op.batch_alter_table("claim_lines", schema=None) as batch_op:
        for column in ("days_paid", "participation", "withheld", "optam", "practitioner_rpps", "care_kind"):
            batch_op.drop_column(column)
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_claims_kind"), type_="check")
        batch_op.drop_column("kind")
