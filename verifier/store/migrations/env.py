"""Alembic environment: always given an open connection by verifier.store.migrate."""

from __future__ import annotations

from alembic import context

from verifier.store.schema import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached if someone runs `alembic` by hand
    raise RuntimeError("Run migrations through `verifier db upgrade`, which opens the database.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
