"""Column types that keep money exact and time in UTC on every backend."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Enum
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


class Hundredths(TypeDecorator[Decimal]):
    """A Decimal with two places (euros, percentages) stored as an integer number of hundredths.

    Integers are exact in SQLite and PostgreSQL alike, sum exactly, and refuse silently
    losing a third decimal: a value that is not a whole number of cents is an error.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"expected Decimal, got {type(value).__name__}")
        scaled = value * _HUNDRED
        if scaled != scaled.to_integral_value():
            raise ValueError("amount has more than two decimal places")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / _HUNDRED).quantize(_CENT)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes; SQLite forgets the zone, so it is put back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def state_enum(states: type[enum.StrEnum], name: str) -> Enum:
    """A column holding one of `states`, by value ("queued"), read back as the enum member.

    Not a native PostgreSQL ENUM: a VARCHAR(16) with a named CHECK constraint
    (`ck_<table>_<name>`) on both backends, so adding a state later is a constraint swap in
    a migration, not an ALTER TYPE; a value outside the enum is refused by the database
    itself, even when written by raw SQL.
    """
    return Enum(
        states,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
