"""outages drafts overrides

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "form_drafts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("payload_enc", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_form_drafts_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", "name", name=op.f("pk_form_drafts")),
    )
    op.create_table(
        "outages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["ended_by"], ["users.id"], name=op.f("fk_outages_ended_by_users")),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"], name=op.f("fk_outages_operator_id_operators")),
        sa.ForeignKeyConstraint(["started_by"], ["users.id"], name=op.f("fk_outages_started_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outages")),
    )
    with op.batch_alter_table("outages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outages_operator_id"), ["operator_id"], unique=False)

    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outage_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("override_by", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_claims_outage_id"), ["outage_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_claims_override_by_users"), "users", ["override_by"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_claims_outage_id_outages"), "outages", ["outage_id"], ["id"])

    with op.batch_alter_table("coverage_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outage_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_coverage_checks_outage_id_outages"), "outages", ["outage_id"], ["id"]
        )


def downgrade() -> None:

    with op.batch_alter_table("coverage_checks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_coverage_checks_outage_id_outages"), type_="foreignkey")
        batch_op.drop_column("outage_id")

    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_claims_outage_id_outages"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_claims_override_by_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_claims_outage_id"))
        batch_op.drop_column("override_by")
        batch_op.drop_column("outage_id")

    with op.batch_alter_table("outages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outages_operator_id"))

    op.drop_table("outages")
    op.drop_table("form_drafts")
