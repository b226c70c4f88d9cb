"""Key slots kept in the PostgreSQL `key_slots` table (readable before the key is known)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from verifier.security.keyslots import Slot
from verifier.store.schema import KeySlotRow, Setting

_KEY_CHECK = "key_check"


class TableSlots:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, name: str) -> Slot | None:
        with Session(self.engine) as s:
            row = s.get(KeySlotRow, name)
            if row is None:
                return None
            return Slot(
                name=row.name,
                kind=row.kind,
                wrapped=Slot.wrapped_from_json(row.data),
                failures=row.failures,
                locked_until=row.locked_until,
                locks=row.locks,
            )

    def put(self, slot: Slot) -> None:
        with Session(self.engine) as s, s.begin():
            row = s.get(KeySlotRow, slot.name)
            if row is None:
                row = KeySlotRow(name=slot.name)
                s.add(row)
            row.kind = slot.kind
            row.data = slot.to_json()
            row.failures = slot.failures
            row.locked_until = slot.locked_until
            row.locks = slot.locks

    def update(self, name: str, change: Callable[[Slot], Slot]) -> tuple[Slot, Slot] | None:
        """Read, change and write the slot under its row's lock (SELECT … FOR UPDATE): parallel
        sign-ins wait for each other here, so each attempt is counted."""
        with Session(self.engine) as s, s.begin():
            row = s.execute(select(KeySlotRow).where(KeySlotRow.name == name).with_for_update()).scalar_one_or_none()
            if row is None:
                return None
            before = Slot(
                row.name, row.kind, Slot.wrapped_from_json(row.data), row.failures, row.locked_until, row.locks
            )
            after = change(before)
            row.failures, row.locked_until, row.locks = after.failures, after.locked_until, after.locks
            return before, after

    def remove(self, name: str) -> None:
        with Session(self.engine) as s, s.begin():
            s.execute(delete(KeySlotRow).where(KeySlotRow.name == name))

    def names(self) -> list[str]:
        with Session(self.engine) as s:
            return sorted(s.scalars(select(KeySlotRow.name)))

    def key_check(self) -> str | None:
        with Session(self.engine) as s:
            row = s.get(Setting, _KEY_CHECK)
            return row.value.strip('"') if row else None

    def set_key_check(self, value: str) -> None:
        with Session(self.engine) as s, s.begin():
            row = s.get(Setting, _KEY_CHECK)
            if row is None:
                s.add(Setting(key=_KEY_CHECK, value=f'"{value}"'))
            else:
                row.value = f'"{value}"'
