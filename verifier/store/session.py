"""The store's unit of work, as the services see it.

Services receive a session from `Store.read()` / `Store.write()` and hand it to the query
and write functions of `verifier.store`; they never build SQL themselves (no service module
imports SQLAlchemy: checked by `lint-imports`). Loading a row by its primary key
(`session.get(Model, id)`) and changing attributes of the rows the store returned are the
unit of work's own operations.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError as RowRefused  # the database refused a row (a key, a constraint)
from sqlalchemy.orm import Session as Session

__all__ = ["RowRefused", "Session"]
