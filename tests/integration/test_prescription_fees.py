"""Issue 13 through the services: the fee lines a prescription brings are ordinary lines of the
claim, queued with it, their AMC amounts in the claim's total; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.factories import line, make_check, make_site, patient_input
from verifier.domain.pharmacy_fees import OnCall
from verifier.services import claims, patients, prescription_fees
from verifier.store.engine import Location

D = Decimal


def test_the_fees_are_lines_of_the_claim_and_the_amc_owes_their_tm(location: Location) -> None:
    today = date.today()
    with make_site(location) as admin:
        p, _ = patients.save(admin, patient_input(birth=f"05/01/{today.year - 72}"))
        check = make_check(admin, p.id)
        born = prescription_fees.birth_of(admin, p.id)
        boxes = [line("3.29", "65", 1, "PH7")]
        lines = prescription_fees.with_fees(admin, boxes, today, born)
        assert [(x.prestation_code, x.amo_rate) for x in lines] == [("PH7", D(65)), ("HDR", D(70)), ("HDA", D(70))]
        info = claims.create(admin, check.id, lines, today, queue_now=True)
        hdr, hda = (x for x in lines if x.prestation_code in ("HDR", "HDA"))
        tm = [x.unit_price - (x.unit_price * D("0.70")).quantize(D("0.01"), "ROUND_HALF_UP") for x in (hdr, hda)]
        assert info.amc == D("1.15") + sum(tm) and info.status == "queued"
        # Computed again, the fees replace those already there: the same three lines.
        again = prescription_fees.with_fees(admin, lines, today, born)
        assert [x.prestation_code for x in again] == ["PH7", "HDR", "HDA"]
        # A 100 % drug moves HDR and HDA to 100 %; five lines bring HC; an on-call fee.
        many = [line("3.29", "65", 1, "PH7") for _ in range(4)] + [line("12.00", "100", 1, "PH1")]
        moved = prescription_fees.with_fees(admin, many, today, born, on_call=OnCall.NIGHT)
        fees = {x.prestation_code: x.amo_rate for x in moved if prescription_fees.is_fee(x)}
        assert fees == {"HDR": D(100), "HDA": D(100), "HC": D(100), "GPN": D(65)}
        # Nothing reimbursable: no fee.
        assert prescription_fees.with_fees(admin, [line("5.00", "0", 1, "PHN")], today, born) == [
            line("5.00", "0", 1, "PHN")
        ]
