"""Key slots kept in the PostgreSQL `key_slots` table (readable before the key is known)."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from verifier.security.keyslots import Pending, Slot
from verifier.store.schema import KeySlotRow, Setting

_KEY_CHECK = "key_check"
_PENDING_CHECK = "key_check_pending"
# A rotation's new slots wait under the login prefixed with "+" (no login may hold one).
_PENDING = "+"
_ANCHOR = "audit.anchor"


def _slot(row: KeySlotRow) -> Slot:
    return Slot.parse(row.name, row.kind, row.data, row.failures, row.locked_until, row.locks)


class TableSlots:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, name: str) -> Slot | None:
        with Session(self.engine) as s:
            row = s.get(KeySlotRow, name)
            if row is None:
                return None
            return _slot(row)

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
            before = _slot(row)
            after = change(before)
            row.data = after.to_json()
            row.failures, row.locked_until, row.locks = after.failures, after.locked_until, after.locks
            return before, after

    def remove(self, name: str) -> None:
        with Session(self.engine) as s, s.begin():
            s.execute(delete(KeySlotRow).where(KeySlotRow.name == name))

    def names(self) -> list[str]:
        with Session(self.engine) as s:
            return sorted(s.scalars(select(KeySlotRow.name).where(~KeySlotRow.name.startswith(_PENDING))))

    def pending(self) -> Pending | None:
        with Session(self.engine) as s:
            check = s.get(Setting, _PENDING_CHECK)
            if check is None:
                return None
            rows = s.scalars(select(KeySlotRow).where(KeySlotRow.name.startswith(_PENDING))).all()
            slots = {row.name[1:]: Slot.parse(row.name[1:], row.kind, row.data) for row in rows}
            return Pending(check.value.strip('"'), slots)

    def set_pending(self, key_check: str, slots: list[Slot]) -> None:
        with Session(self.engine) as s, s.begin():
            s.execute(delete(KeySlotRow).where(KeySlotRow.name.startswith(_PENDING)))
            s.execute(delete(Setting).where(Setting.key == _PENDING_CHECK))
            for slot in slots:
                s.add(KeySlotRow(name=_PENDING + slot.name, kind=slot.kind, data=slot.to_json(), failures=0, locks=0))
            s.add(Setting(key=_PENDING_CHECK, value=f'"{key_check}"'))

    def anchor(self) -> dict[str, object] | None:
        with Session(self.engine) as s:
            row = s.get(Setting, _ANCHOR)
            value = json.loads(row.value) if row is not None else None
            return value if isinstance(value, dict) else None

    def set_anchor(self, anchor: dict[str, object]) -> None:
        with Session(self.engine) as s, s.begin():
            row = s.get(Setting, _ANCHOR, with_for_update=True)
            if row is None:
                s.add(Setting(key=_ANCHOR, value=json.dumps(anchor, sort_keys=True)))
                return
            current = json.loads(row.value)
            if isinstance(current, dict) and int(current.get("seq", 0)) > int(str(anchor["seq"])):
                return
            row.value = json.dumps(anchor, sort_keys=True)

    def promote(self) -> None:
        """In one transaction: each current slot takes its pending data (keeping its sign-in
        failures), slots without a pending one go, and the key fingerprint changes."""
        with Session(self.engine) as s, s.begin():
            check = s.get(Setting, _PENDING_CHECK, with_for_update=True)
            if check is None:
                return
            rows = s.scalars(select(KeySlotRow).with_for_update()).all()
            pending = {r.name[1:]: r for r in rows if r.name.startswith(_PENDING)}
            for row in rows:
                if row.name.startswith(_PENDING):
                    continue
                fresh = pending.pop(row.name, None)
                if fresh is None:
                    s.delete(row)
                else:
                    row.kind, row.data = fresh.kind, fresh.data
                    s.delete(fresh)
            s.flush()
            for name, fresh in pending.items():
                s.add(KeySlotRow(name=name, kind=fresh.kind, data=fresh.data, failures=0, locks=0))
                s.delete(fresh)
            current = s.get(Setting, _KEY_CHECK)
            if current is None:
                s.add(Setting(key=_KEY_CHECK, value=check.value))
            else:
                current.value = check.value
            s.delete(check)

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
