"""A pharmacy claim's prescription, the per-box dispensing fee and the specific drugs (issue 13).

- `drugs.fee`: the dispensing fee per box included in the public price (BDPM CIS_CIP column
  12, 1,02 € or 2,76 €), so that a box line can be shown and exported as the invoice has it:
  the product (PH7...) and its fee (HD7/HG7...), with unchanged totals.
- `claim_lines.fee_unit`: that fee per unit as it was when the line was made (the reference
  changes; a claim does not).
- `specific_drugs`: the presentations that bring the HDE fee, set by an administrator or
  imported from a list. Kept apart from `drugs` so that a drug reference import never
  forgets them.
- `claim_prescriptions`: what the prescription adds to a pharmacy claim: its date, whether it
  is a two-part ALD form (one set of fees), the on-call context the pharmacist gave, a
  generic refused without "non substituable" (no tiers payant), and the fees the clerk
  removed with the reason given (JSON list of {code, reason}).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drugs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fee", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("claim_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fee_unit", sa.BigInteger(), nullable=True))
    op.create_table(
        "specific_drugs",
        sa.Column("cip13", sa.String(length=13), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["added_by"], ["users.id"], name=op.f("fk_specific_drugs_added_by_users")),
        sa.PrimaryKeyConstraint("cip13", name=op.f("pk_specific_drugs")),
    )
    op.create_table(
        "claim_prescriptions",
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("prescribed_on", sa.Date(), nullable=True),
        sa.Column("ald_two_part", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("on_call", sa.String(length=16), nullable=True),
        sa.Column("generic_refused", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("removed_fees", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_prescriptions_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_claim_prescriptions")),
    )


def downgrade() -> None:
    op.drop_table("claim_prescriptions")
    op.drop_table("specific_drugs")
    with op.batch_alter_table("claim_lines", schema=None) as batch_op:
        batch_op.drop_column("fee_unit")
    with op.batch_alter_table("drugs", schema=None) as batch_op:
        batch_op.drop_column("fee")
