"""A presentation (box) of a medicine as the drug reference holds it.

The BDPM importer (`verifier.reference.bdpm`) produces these and the store's drug table
keeps them; both depend on this record, not on each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class DrugRecord:
    """One presentation (box) of a medicine, ready for the drug table."""

    cip13: str
    cip7: str
    cis: str
    name: str
    presentation: str
    rate: Decimal | None
    price: Decimal | None
    prestation_code: str
    marketed: bool
    fee: Decimal | None = None  # the dispensing fee per box included in `price` (BDPM column 12)
