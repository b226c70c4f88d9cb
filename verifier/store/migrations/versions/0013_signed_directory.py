"""Signed directory and settings, and how each recipient's bundles are protected (issue 12).

- `insurers.export_protection`, `operators.export_protection`: how the batches sent to this
  recipient are encrypted by default, "passphrase" (read to the insurer by telephone) or
  "certificate" (for `export_certificate`, the recipient's X.509 certificate in PEM: public,
  not a secret). A plain export stays a choice made for one export, audited.
- `insurers.signature`, `operators.signature`: the administrators' Ed25519 signature of the
  entry (services.authority). A counter holding the database key could otherwise swap an
  insurer's certificate for their own, or its hotline for another number.

Existing rows are signed at the first sign-in of an administrator holding the key (trust on
first use, recorded once in the audit chain as `authority.directory_signed`).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLES = ("insurers", "operators")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("export_protection", sa.String(length=16), nullable=False, server_default="passphrase")
            )
            batch_op.add_column(sa.Column("export_certificate", sa.Text(), nullable=True))
            batch_op.add_column(sa.Column("signature", sa.Text(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("signature")
            batch_op.drop_column("export_certificate")
            batch_op.drop_column("export_protection")
