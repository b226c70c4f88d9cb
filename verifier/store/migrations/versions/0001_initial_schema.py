"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_counters")),
    )
    op.create_table(
        "drugs",
        sa.Column("cip13", sa.String(length=13), nullable=False),
        sa.Column("cip7", sa.String(length=7), nullable=False),
        sa.Column("cis", sa.String(length=8), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("presentation", sa.Text(), nullable=False),
        sa.Column("rate", sa.BigInteger(), nullable=True),
        sa.Column("price", sa.BigInteger(), nullable=True),
        sa.Column("prestation_code", sa.String(length=8), nullable=False),
        sa.Column("marketed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("cip13", name=op.f("pk_drugs")),
    )
    with op.batch_alter_table("drugs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drugs_cip7"), ["cip7"], unique=False)

    op.create_table(
        "key_slots",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_key_slots")),
    )
    op.create_table(
        "operators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("health_url", sa.String(length=500), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operators")),
        sa.UniqueConstraint("code", name=op.f("uq_operators_code")),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("finess", sa.String(length=9), nullable=True),
        sa.Column("am_number", sa.String(length=20), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("login", name=op.f("uq_users_login")),
    )
    op.create_table(
        "drug_reference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("snapshot_date", sa.String(length=20), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["imported_by"], ["users.id"], name=op.f("fk_drug_reference_imported_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drug_reference")),
    )
    op.create_table(
        "insurers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("amc_number", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("hotline", sa.String(length=40), nullable=True),
        sa.Column("portal", sa.String(length=500), nullable=True),
        sa.Column("batch_by", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"], name=op.f("fk_insurers_operator_id_operators")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insurers")),
        sa.UniqueConstraint("amc_number", name=op.f("uq_insurers_amc_number")),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("insurer_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("claim_count", sa.Integer(), nullable=False),
        sa.Column("total_amc", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_batches_created_by_users")),
        sa.ForeignKeyConstraint(["insurer_id"], ["insurers.id"], name=op.f("fk_batches_insurer_id_insurers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint("insurer_id", "number", name="uq_batches_insurer_number"),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("surname_enc", sa.Text(), nullable=False),
        sa.Column("first_name_enc", sa.Text(), nullable=False),
        sa.Column("birth_date_enc", sa.Text(), nullable=False),
        sa.Column("nir_enc", sa.Text(), nullable=False),
        sa.Column("nir_bidx", sa.String(length=32), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("amo_fund", sa.String(length=9), nullable=True),
        sa.Column("insurer_id", sa.Integer(), nullable=True),
        sa.Column("member_number_enc", sa.Text(), nullable=True),
        sa.Column("card_valid_from", sa.Date(), nullable=True),
        sa.Column("card_valid_to", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["insurer_id"], ["insurers.id"], name=op.f("fk_patients_insurer_id_insurers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
    )
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patients_nir_bidx"), ["nir_bidx"], unique=False)

    op.create_table(
        "coverage_checks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("insurer_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("guarantees", sa.Text(), nullable=False),
        sa.Column("member_number_enc", sa.Text(), nullable=True),
        sa.Column("note_enc", sa.Text(), nullable=True),
        sa.Column("operator_down", sa.Boolean(), nullable=False),
        sa.Column("checked_by", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["checked_by"], ["users.id"], name=op.f("fk_coverage_checks_checked_by_users")),
        sa.ForeignKeyConstraint(["insurer_id"], ["insurers.id"], name=op.f("fk_coverage_checks_insurer_id_insurers")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_coverage_checks_patient_id_patients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage_checks")),
    )
    with op.batch_alter_table("coverage_checks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coverage_checks_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "patient_search_tokens",
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_patient_search_tokens_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_id", "token", name=op.f("pk_patient_search_tokens")),
    )
    with op.batch_alter_table("patient_search_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_patient_search_tokens_token", ["token"], unique=False)

    op.create_table(
        "claims",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("insurer_id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.String(length=36), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("dispensed_on", sa.Date(), nullable=False),
        sa.Column("prescriber_rpps", sa.String(length=11), nullable=True),
        sa.Column("operator_down", sa.Boolean(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.Column("rejection_code", sa.String(length=20), nullable=True),
        sa.Column("rejection_text", sa.Text(), nullable=True),
        sa.Column("paid_amount", sa.BigInteger(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("br", sa.BigInteger(), nullable=False),
        sa.Column("amo", sa.BigInteger(), nullable=False),
        sa.Column("tm", sa.BigInteger(), nullable=False),
        sa.Column("amc", sa.BigInteger(), nullable=False),
        sa.Column("patient_share", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name=op.f("fk_claims_batch_id_batches")),
        sa.ForeignKeyConstraint(["check_id"], ["coverage_checks.id"], name=op.f("fk_claims_check_id_coverage_checks")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_claims_created_by_users")),
        sa.ForeignKeyConstraint(["insurer_id"], ["insurers.id"], name=op.f("fk_claims_insurer_id_insurers")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_claims_patient_id_patients")),
        sa.ForeignKeyConstraint(["previous_id"], ["claims.id"], name=op.f("fk_claims_previous_id_claims")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("number", name=op.f("uq_claims_number")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claims_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_dispensed_on"), ["dispensed_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_insurer_id"), ["insurer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claims_status"), ["status"], unique=False)

    op.create_table(
        "claim_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=13), nullable=False),
        sa.Column("code_kind", sa.String(length=8), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("prestation_code", sa.String(length=8), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("br_unit", sa.BigInteger(), nullable=False),
        sa.Column("amo_rate", sa.BigInteger(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("br", sa.BigInteger(), nullable=False),
        sa.Column("amo", sa.BigInteger(), nullable=False),
        sa.Column("tm", sa.BigInteger(), nullable=False),
        sa.Column("amc", sa.BigInteger(), nullable=False),
        sa.Column("patient_share", sa.BigInteger(), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("lot", sa.String(length=20), nullable=True),
        sa.Column("serial", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_lines_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_lines")),
    )
    with op.batch_alter_table("claim_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_lines_claim_id"), ["claim_id"], unique=False)

    # The audit chain starts at a known genesis and the sequences at zero.
    op.bulk_insert(
        sa.table("audit_head", sa.column("id"), sa.column("seq"), sa.column("last_hash")),
        [{"id": 1, "seq": 0, "last_hash": "0" * 64}],
    )
    op.bulk_insert(
        sa.table("counters", sa.column("name"), sa.column("value")),
        [{"name": "claim_number", "value": 0}],
    )


def downgrade() -> None:

    with op.batch_alter_table("claim_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_lines_claim_id"))

    op.drop_table("claim_lines")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_status"))
        batch_op.drop_index(batch_op.f("ix_claims_patient_id"))
        batch_op.drop_index(batch_op.f("ix_claims_insurer_id"))
        batch_op.drop_index(batch_op.f("ix_claims_dispensed_on"))
        batch_op.drop_index(batch_op.f("ix_claims_created_at"))
        batch_op.drop_index(batch_op.f("ix_claims_batch_id"))

    op.drop_table("claims")
    with op.batch_alter_table("patient_search_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_patient_search_tokens_token")

    op.drop_table("patient_search_tokens")
    with op.batch_alter_table("coverage_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coverage_checks_patient_id"))

    op.drop_table("coverage_checks")
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patients_nir_bidx"))

    op.drop_table("patients")
    op.drop_table("batches")
    op.drop_table("insurers")
    op.drop_table("drug_reference")
    op.drop_table("users")
    op.drop_table("site")
    op.drop_table("settings")
    op.drop_table("operators")
    op.drop_table("key_slots")
    with op.batch_alter_table("drugs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drugs_cip7"))

    op.drop_table("drugs")
    op.drop_table("counters")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_entity")

    op.drop_table("audit_events")
