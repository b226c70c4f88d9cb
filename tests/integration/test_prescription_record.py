"""Issue 13 through the services, SQLite and PostgreSQL: the prescription recorded with the
claim, a fee removed with its reason (audited), a generic refused (no tiers payant), the
per-box fee split in the export, the specific drugs list (HDE), a pharmacist's act."""

from __future__ import annotations

import csv
import gzip
import io
import json
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, update

from tests.factories import AMC, make_check, make_site, patient_input
from tests.unit.test_bundle import SCHEMA, schema_errors
from verifier.domain.coverage import PHAR, Guarantee
from verifier.domain.errors import PermissionDenied, ValidationError
from verifier.domain.pharmacy_fees import OnCall, PrescriptionForm
from verifier.domain.states import ClaimStatus
from verifier.exports.bundle import open_bundle
from verifier.reference.snapshot import shipped_snapshot_dir
from verifier.services import auth, batches, claims, counter, directory, drugs, patients, prescription_fees
from verifier.services.context import Context
from verifier.store.engine import Location
from verifier.store.schema import AuditEvent, ClaimPrescription

D = Decimal
DOLIPRANE = "3400935955838"  # in the shipped reference: 2,09 EUR with its 1,02 EUR fee (BDPM 2022)
COUNTER_PASSWORD = "comptoir-de-test-2024"


def audit(ctx: Context, action: str) -> list[dict[str, object]]:
    with ctx.store.read() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
        return [json.loads(e.details) for e in rows]


def load_drugs(ctx: Context, folder: Path) -> None:
    """A reference of the shipped BDPM snapshot's lines of one medicine (Doliprane 1000 mg,
    CIS 60234100), imported as an administrator would, the fee column included."""
    folder.mkdir(exist_ok=True)
    for name in ("CIS_CIP_bdpm.txt", "CIS_bdpm.txt"):
        data = gzip.decompress((shipped_snapshot_dir() / f"{name}.gz").read_bytes())
        lines = [x for x in data.splitlines(keepends=True) if x.startswith(b"60234100\t")]
        (folder / name).write_bytes(b"".join(lines))
    drugs.import_reference(ctx, folder, "2022-06-01", allow_shrink=True)


def box(ctx: Context, cip: str = DOLIPRANE, quantity: int = 1) -> claims.LineDraft:
    if not drugs.reference(ctx):
        load_drugs(ctx, Path(tempfile.mkdtemp(prefix="bdpm-")))
    found = drugs.lookup(ctx, cip)
    assert found.drug is not None
    return claims.line_from_drug(found.drug, quantity)


def test_the_prescription_is_kept_with_the_claim_and_its_removed_fee_audited(location: Location) -> None:
    today = date.today()
    with make_site(location) as admin:
        p, _ = patients.save(admin, patient_input(birth=f"05/01/{today.year - 72}"))
        check = make_check(admin, p.id)
        lines = prescription_fees.with_fees(
            admin, [box(admin, quantity=2)], today, prescription_fees.birth_of(admin, p.id), removed=frozenset({"HDA"})
        )
        assert [x.prestation_code for x in lines] == ["PH7", "HDR"]  # HDA taken off by the clerk
        form = PrescriptionForm(
            today - timedelta(days=2), True, OnCall.NIGHT, False, (("HDA", "  âge non vérifiable, carte illisible "),)
        )
        info = claims.create(admin, check.id, lines, today, queue_now=True, prescription=form)
        assert info.prescription == PrescriptionForm(
            today - timedelta(days=2), True, OnCall.NIGHT, False, (("HDA", "âge non vérifiable, carte illisible"),)
        )
        assert claims.get(admin, info.id).prescription == info.prescription
        assert claims.get(admin, info.id).lines[0][0].fee_unit == D("1.02")
        # Audited: the claim and the fee; the clerk's free text stays with the claim only.
        assert audit(admin, "claim.fee_removed") == [{"number": info.number, "code": "HDA"}]
        # A correction that removes no new fee audits nothing more; one that does, once.
        claims.update_lines(admin, info.id, lines, prescription=info.prescription)
        assert len(audit(admin, "claim.fee_removed")) == 1
        more = PrescriptionForm(
            None, True, OnCall.NIGHT, False, (*form.removed_fees, ("HDR", "ordonnance déjà facturée"))
        )
        claims.update_lines(admin, info.id, [lines[0]], prescription=more)
        assert [e["code"] for e in audit(admin, "claim.fee_removed")] == ["HDA", "HDR"]
        # A rejected claim's correction keeps the prescription.
        batches.create_batch(admin, directory.get_insurer(admin, AMC).id)
        claims.transition(admin, info.id, ClaimStatus.REJECTED, code="X", text_="à refaire")
        assert claims.rectify(admin, info.id).prescription == claims.get(admin, info.id).prescription


def test_bad_prescription_input_is_refused_with_a_sentence_and_nothing_stored(location: Location) -> None:
    today = date.today()
    with make_site(location) as admin:
        p, _ = patients.save(admin, patient_input())
        check = make_check(admin, p.id)
        for form, code in (
            (PrescriptionForm(today + timedelta(days=1)), "claim.prescribed_after"),
            (PrescriptionForm(date(1, 1, 1)), "claim.prescribed_too_old"),
            (PrescriptionForm(removed_fees=(("HDR", " "),)), "claim.fee_removed_reason"),
            (PrescriptionForm(removed_fees=(("PH7", "pas un honoraire"),)), "claim.fee_removed_code"),
        ):
            with pytest.raises(ValidationError) as err:
                claims.create(admin, check.id, [box(admin)], today, queue_now=True, prescription=form)
            assert [x.code for x in err.value.problems] == [code]
            assert err.value.problems[0].message()  # a sentence, in the user's language
        assert audit(admin, "claim.created") == []


def test_a_refused_generic_gets_no_tiers_payant(location: Location) -> None:
    """CSS L162-16-7: the counter's form is refused as a whole (patient, check, claim: nothing
    stored); a draft can be kept but never queued."""
    today = date.today()
    with make_site(location) as admin:
        form = counter.Form(
            patient_input(),
            counter.CheckFields("card", "covered", "", (Guarantee(PHAR, D(100)),), ""),
            (box(admin),),
            today,
            None,
            prescription=PrescriptionForm(generic_refused=True),
        )
        out = counter.submit(admin, form)
        assert out.claim is None and isinstance(out.error, ValidationError)
        assert [p.code for p in out.error.problems] == ["claim.generic_refused"]
        assert "non substituable" in out.error.problems[0].message()
        assert audit(admin, "claim.created") == [] and audit(admin, "patient.created") == []
        p, _ = patients.save(admin, patient_input())
        draft = claims.create(
            admin, make_check(admin, p.id).id, [box(admin)], today, prescription=PrescriptionForm(generic_refused=True)
        )
        with pytest.raises(ValidationError) as err:
            claims.queue(admin, draft.id)
        assert [x.code for x in err.value.problems] == ["claim.generic_refused"]
        assert claims.get(admin, draft.id).status is ClaimStatus.DRAFT


def test_the_export_splits_the_box_fee_and_carries_fees_acts_and_the_prescription(
    location: Location, tmp_path: Path
) -> None:
    today = date.today()
    with make_site(location) as admin:
        p, _ = patients.save(admin, patient_input(birth=f"05/01/{today.year - 72}"))
        check = make_check(admin, p.id)
        offer = prescription_fees.act_offer(admin, "trd", today)
        assert offer is not None and offer.amounts == (D("10.00"), D("15.00"))
        act = prescription_fees.act_line(offer, offer.amounts[1])
        lines = prescription_fees.with_fees(
            admin, [box(admin, quantity=2), act], today, prescription_fees.birth_of(admin, p.id)
        )
        info = claims.create(
            admin, check.id, lines, today, queue_now=True, prescription=PrescriptionForm(today, False, None)
        )
        made = batches.create_batch(admin, directory.get_insurer(admin, AMC).id)
        assert made.batch is not None
        files = open_bundle(batches.export_batch(admin, made.batch.id, tmp_path))
        doc = json.loads(files["claims.json"])
        assert doc["format_version"] == "1.5" and schema_errors(doc, SCHEMA) == []
        claim = doc["claims"][0]
        assert claim["prescription"] == {"prescribed_on": today.isoformat(), "ald_two_part": False, "on_call": None}
        kinds = [(x["prestation_code"], x["line_kind"]) for x in claim["lines"]]
        assert kinds == [("PH7", "item"), ("TRD", "act"), ("HDR", "fee"), ("HDA", "fee")]
        first = claim["lines"][0]
        assert first["box_fee"]["code"] == "HD7" and first["box_fee"]["unit"] == "1.02"
        assert first["box_fee"]["price"] == "2.04" and first["box_fee"]["amo"] == "1.33"
        assert "box_fee" not in claim["lines"][1]
        rows = list(csv.DictReader(io.StringIO(files["claims.csv"].decode("utf-8-sig")), delimiter=";"))
        assert [r["line_kind"] for r in rows] == ["item", "act", "fee", "fee"]
        assert rows[0]["box_fee_code"] == "HD7" and rows[0]["box_fee_amc"] == first["box_fee"]["amc"].replace(".", ",")
        assert rows[1]["amc"] == "4,50"  # 15 EUR at 70 %: the AMC pays the 4,50 of ticket modérateur
        # The totals did not move: the claim's AMC is the sum of its lines', fee included.
        assert D(claim["amounts"]["amc"]) == sum(D(x["amc"]) for x in claim["lines"]) == info.amc


def test_the_specific_drugs_list_brings_hde_and_survives_an_import(location: Location, tmp_path: Path) -> None:
    today = date.today()
    with make_site(location) as admin:
        box(admin)  # the reference loaded
        listing = tmp_path / "specifiques.csv"
        listing.write_text("cip13;libellé\n# a comment\n" + DOLIPRANE + ";Doliprane\n\n", "utf-8")
        found = drugs.read_code_list(listing)
        assert found == [(3, DOLIPRANE)]
        assert drugs.set_specific(admin, [c for _, c in found], lines=[n for n, _ in found]) == 1
        assert drugs.specific_list(admin) == [DOLIPRANE] and drugs.get(admin, DOLIPRANE).specific
        lines = prescription_fees.with_fees(admin, [box(admin)], today, None)
        assert [x.prestation_code for x in lines] == ["PH7", "HDR", "HDE"]
        assert (
            prescription_fees.with_fees(admin, [box(admin)], today, None, removed=frozenset({"HDE"}))[
                -1
            ].prestation_code
            == "HDR"
        )
        # A list with one bad line changes nothing, and says which line.
        bad = tmp_path / "bad.txt"
        bad.write_text("3400935955838\n34009\n3400930000000\n", "utf-8")
        with pytest.raises(ValidationError) as err:
            found = drugs.read_code_list(bad)
            drugs.set_specific(admin, [c for _, c in found], on=False, lines=[n for n, _ in found])
        assert [p.params.get("line") for p in err.value.problems] == [2, 3]
        assert drugs.specific_list(admin) == [DOLIPRANE]
        # A new drug reference keeps the flags (they are not in the drugs table).
        load_drugs(admin, tmp_path / "again")
        assert drugs.specific_list(admin) == [DOLIPRANE]
        # A counter clerk may not change the list.
        auth.add_user(admin, "anne", "Anne", "counter", COUNTER_PASSWORD)
        clerk = auth.sign_in(location, "anne", COUNTER_PASSWORD)
        try:
            with pytest.raises(PermissionDenied):
                drugs.set_specific(clerk, [DOLIPRANE], on=False)
        finally:
            clerk.close()
        assert audit(admin, "drugs.specific_set")[0]["codes"] == [DOLIPRANE]


def test_acts_are_not_items_of_the_prescription(location: Location) -> None:
    """A vaccination or a rapid test alone brings no prescription fee; a 100 % act beside a
    65 % box does not move the box's fees to 100 %; acts do not count towards HC."""
    today = date.today()
    with make_site(location) as admin:
        p, _ = patients.save(admin, patient_input(birth=f"05/01/{today.year - 75}"))
        born = prescription_fees.birth_of(admin, p.id)
        offer = prescription_fees.act_offer(admin, "TRD", today)
        inj = prescription_fees.act_offer(admin, "INJ", today)
        assert offer is not None and inj is not None
        alone = [prescription_fees.act_line(offer, offer.amounts[0])]
        assert prescription_fees.with_fees(admin, alone, today, born) == alone
        with_box = [box(admin), *(prescription_fees.act_line(inj, inj.amounts[0]) for _ in range(4))]
        fees = {x.prestation_code: x.amo_rate for x in prescription_fees.with_fees(admin, with_box, today, born)}
        assert fees["HDR"] == fees["HDA"] == D(70) and "HC" not in fees
        # A fee still among the lines cannot be said removed.
        lines = prescription_fees.with_fees(admin, [box(admin)], today, born)
        with pytest.raises(ValidationError) as err:
            claims.create(
                admin,
                make_check(admin, p.id).id,
                lines,
                today,
                prescription=PrescriptionForm(removed_fees=(("HDR", "déjà facturé"),)),
            )
        assert [x.code for x in err.value.problems] == ["claim.fee_removed_code"]


def test_a_drug_gone_from_the_reference_still_comes_off_the_list(location: Location, tmp_path: Path) -> None:
    with make_site(location) as admin:
        box(admin)
        drugs.set_specific(admin, [DOLIPRANE])
        folder = tmp_path / "other"
        folder.mkdir()
        for name in ("CIS_CIP_bdpm.txt", "CIS_bdpm.txt"):
            data = gzip.decompress((shipped_snapshot_dir() / f"{name}.gz").read_bytes())
            (folder / name).write_bytes(
                b"".join(x for x in data.splitlines(keepends=True) if x.startswith(b"60002283\t"))
            )
        drugs.import_reference(admin, folder, "2022-06-02", allow_shrink=True)
        assert drugs.specific_list(admin) == [DOLIPRANE]
        assert drugs.set_specific(admin, [DOLIPRANE], on=False) == 1 and drugs.specific_list(admin) == []
        # A mistyped first code is not taken for a header: it is named.
        typo = tmp_path / "typo.txt"
        typo.write_text("34009X5955838\n", "utf-8")
        assert drugs.read_code_list(typo) == [(1, "34009X5955838")]


def test_a_tampered_list_of_removed_fees_does_not_break_the_claim(location: Location) -> None:
    today = date.today()
    with make_site(location) as admin:
        p, _ = patients.save(admin, patient_input())
        info = claims.create(
            admin, make_check(admin, p.id).id, [box(admin)], today, prescription=PrescriptionForm(today)
        )
        with admin.store.write() as s:
            s.execute(
                update(ClaimPrescription).where(ClaimPrescription.claim_id == info.id).values(removed_fees="{not json")
            )
        again = claims.get(admin, info.id)
        assert again.prescription is not None and again.prescription.removed_fees == ()
