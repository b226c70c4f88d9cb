"""The use cases through the services, on encrypted SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.factories import AMC, PASSWORD, line, make_check, make_site, patient_input, queued_claim
from verifier.domain.errors import IllegalTransition, PermissionDenied, ValidationError
from verifier.domain.states import ClaimStatus
from verifier.security.keyslots import AuthFailed
from verifier.services import auth, batches, claims, directory, drugs, patients, queue, users
from verifier.services.context import Context
from verifier.store.engine import Location


@pytest.fixture
def admin(location: Location) -> Iterator[Context]:
    ctx = make_site(location)
    yield ctx
    ctx.close()


def counter_user(admin: Context) -> Context:
    auth.add_user(admin, "anne", "Anne", "counter", "anne's long password")
    return auth.sign_in(admin.store.location, "anne", "anne's long password")


def test_sign_in_and_wrong_password(admin: Context) -> None:
    loc = admin.store.location
    ctx = auth.sign_in(loc, "admin", PASSWORD)
    assert ctx.actor.role == "admin"
    ctx.close()
    with pytest.raises(AuthFailed) as err:
        auth.sign_in(loc, "admin", "not the password")
    assert "incorrect" in str(err.value)
    with pytest.raises(AuthFailed):
        auth.sign_in(loc, "nobody", PASSWORD)


def test_lockout_after_repeated_failures(admin: Context) -> None:
    loc = admin.store.location
    for _ in range(5):
        with pytest.raises(AuthFailed):
            auth.sign_in(loc, "admin", "wrong password!!")
    with pytest.raises(AuthFailed) as err:
        auth.sign_in(loc, "admin", PASSWORD)  # even the right password is refused while locked
    assert "bloqué" in str(err.value)


def test_counter_cannot_administer(admin: Context) -> None:
    ctx = counter_user(admin)
    try:
        with pytest.raises(PermissionDenied) as err:
            directory.add_insurer(ctx, "11112222", "Autre")
        assert "administrateur" in str(err.value)
        with pytest.raises(PermissionDenied):
            auth.add_user(ctx, "bob", "Bob", "admin", "a long enough password")
        # but the counter records checks and queues claims
        c = queued_claim(ctx)
        assert c.status is ClaimStatus.QUEUED
    finally:
        ctx.close()


def test_deactivated_user_cannot_sign_in(admin: Context) -> None:
    counter_user(admin).close()
    users.set_active(admin, "anne", False)
    with pytest.raises(AuthFailed):
        auth.sign_in(admin.store.location, "anne", "anne's long password")


def test_recovery_code_resets_admin_password(location: Location) -> None:
    ctx, code = auth.initialise(location, auth.SiteInput("Officine"), "chef", "Chef", PASSWORD)
    ctx.close()
    auth.reset_with_recovery(location, code.lower(), "chef", "a brand new password")
    auth.sign_in(location, "chef", "a brand new password").close()
    with pytest.raises(AuthFailed):
        auth.sign_in(location, "chef", PASSWORD)


def test_password_and_login_rules(location: Location) -> None:
    with pytest.raises(ValidationError) as err:
        auth.initialise(location, auth.SiteInput(""), "bad login!", "x", "short")
    codes = {p.code for p in err.value.problems}
    assert codes == {"user.login_invalid", "password.short", "site.name_missing"}


def test_patient_find_or_create_and_search(admin: Context) -> None:
    p1, warnings = patients.save(admin, patient_input())
    assert warnings == ()
    again, _ = patients.save(admin, patient_input(member="ADH-NEW"))
    assert again.id == p1.id and again.member_number == "ADH-NEW"
    # same NIR, other birth date and rank: a dependant, another person
    twin = patients.PatientInput("DURANDEAU", "Léo", "01/02/2010", p1.nir, "2")
    p2, _ = patients.save(admin, twin)
    assert p2.id != p1.id
    assert [p.id for p in patients.search(admin, "durand")] == [p1.id, p2.id] or {
        p.id for p in patients.search(admin, "durand")
    } == {p1.id, p2.id}
    assert [p.id for p in patients.search(admin, "duran élo")] == [p1.id]
    assert {p.id for p in patients.search(admin, p1.nir)} == {p1.id, p2.id}
    assert patients.search(admin, "martin") == []


def test_lunar_birth_date_is_kept_as_entered(admin: Context) -> None:
    p, _ = patients.save(admin, patient_input(birth="31/02/1980", order=5))
    assert p.birth_date.text == "31/02/1980"
    assert patients.get(admin, p.id).birth_date.text == "31/02/1980"


def test_patient_problems_all_at_once(admin: Context) -> None:
    bad = patients.PatientInput("", "", "45/13/1980", "123", "0")
    with pytest.raises(ValidationError) as err:
        patients.save(admin, bad)
    fields = {p.field for p in err.value.problems}
    assert {"surname", "first_name", "birth_date", "nir", "rank"} <= fields


def test_claim_arithmetic_is_stored_exactly(admin: Context) -> None:
    c = queued_claim(admin)
    stored = claims.get(admin, c.id)
    (l1, a1), (l2, a2) = stored.lines
    assert (a1.price, a1.amo, a1.amc, a1.patient) == (
        Decimal("10.00"),
        Decimal("6.50"),
        Decimal("3.50"),
        Decimal("0.00"),
    )
    assert (a2.price, a2.amo, a2.amc) == (Decimal("9.00"), Decimal("2.70"), Decimal("6.30"))
    assert stored.price == Decimal("19.00") and stored.amc == Decimal("9.80")
    assert stored.amo + stored.amc + stored.patient_share == stored.price


def test_ph2_line_not_covered_by_phar(admin: Context) -> None:
    p, _ = patients.save(admin, patient_input())
    check = make_check(admin, p.id)
    c = claims.create(admin, check.id, [line("8.19", "15", 1, "PH2"), line()], queue_now=True)
    (_, ph2), (_, ph7) = c.lines
    assert ph2.amc == Decimal("0.00") and ph2.patient == Decimal("6.96")
    assert ph7.amc == Decimal("3.50")


def test_queue_refuses_with_every_reason(admin: Context) -> None:
    p, _ = patients.save(admin, patient_input(member=""))
    check = make_check(admin, p.id, outcome="unverified")
    draft = claims.create(admin, check.id, [])
    with pytest.raises(ValidationError) as err:
        claims.queue(admin, draft.id)
    codes = {pr.code for pr in err.value.problems}
    assert codes == {"claim.no_lines", "claim.check_not_covering", "claim.member_missing"}
    assert claims.get(admin, draft.id).status is ClaimStatus.DRAFT  # nothing changed


def test_bad_line_refused_and_nothing_stored(admin: Context) -> None:
    p, _ = patients.save(admin, patient_input())
    check = make_check(admin, p.id)
    before = queue.list_claims(admin, queue.Search()).total_count
    with pytest.raises(ValidationError) as err:
        claims.create(admin, check.id, [line(), line("-1.00"), line(quantity=0)], queue_now=True)
    assert len(err.value.problems) >= 2
    assert queue.list_claims(admin, queue.Search()).total_count == before


def test_void_rectify_and_transitions(admin: Context) -> None:
    c = queued_claim(admin)
    with pytest.raises(IllegalTransition):
        claims.transition(admin, c.id, ClaimStatus.PAID)
    ins = directory.get_insurer(admin, AMC)
    batches.create_batch(admin, ins.id)
    claims.transition(admin, c.id, ClaimStatus.REJECTED, code="ADH", text_="Adhérent inconnu")
    new = claims.rectify(admin, c.id)
    assert new.version == 2 and new.previous_id == c.id and new.number != c.number
    assert new.status is ClaimStatus.DRAFT and len(new.lines) == 2
    assert claims.get(admin, c.id).status is ClaimStatus.REJECTED  # the old version stays readable
    with pytest.raises(ValidationError):
        claims.rectify(admin, c.id)
    claims.queue(admin, new.id)
    with pytest.raises(ValidationError):
        claims.void(admin, new.id, "")
    voided = claims.void(admin, new.id, "Saisie en double")
    assert voided.status is ClaimStatus.VOID and voided.void_reason == "Saisie en double"
    with pytest.raises(IllegalTransition) as err:
        claims.queue(admin, new.id)
    assert "annulée" in str(err.value)


def test_correct_a_queued_claim(admin: Context) -> None:
    c = queued_claim(admin)
    fixed = claims.update_lines(admin, c.id, [line("12.00")])
    assert fixed.status is ClaimStatus.QUEUED and fixed.price == Decimal("12.00")


def test_queue_list_search_paging_and_totals(admin: Context) -> None:
    made = [queued_claim(admin, surname=f"NOM{i:02d}", order=200 + i) for i in range(7)]
    page = queue.list_claims(admin, queue.Search(statuses=(ClaimStatus.QUEUED,)), offset=0, limit=3)
    assert page.total_count == 7 and len(page.rows) == 3
    assert [r.number for r in page.rows] == sorted((c.number for c in made), reverse=True)[:3]
    assert page.totals[0].count == 7 and page.totals[0].amc == Decimal("9.80") * 7
    nxt = queue.list_claims(admin, queue.Search(), offset=3, limit=3, sort="number", descending=False)
    assert [r.number for r in nxt.rows] == sorted(c.number for c in made)[3:6]
    by_name = queue.list_claims(admin, queue.Search(text="nom03"))
    assert [r.number for r in by_name.rows] == [made[3].number]
    assert "DURANDEAU" not in by_name.rows[0].masked_nir and "•" in by_name.rows[0].masked_nir
    by_number = queue.list_claims(admin, queue.Search(text=str(made[5].number)))
    assert [r.id for r in by_number.rows] == [made[5].id]
    nir = patients.get(admin, made[2].patient_id).nir
    by_nir = queue.list_claims(admin, queue.Search(text=nir))
    assert [r.id for r in by_nir.rows] == [made[2].id]
    future = queue.list_claims(admin, queue.Search(date_from=date.today() + timedelta(days=1)))
    assert future.total_count == 0
    awaiting = queue.awaiting_export(admin)
    assert awaiting[0].count == 7


def test_drug_lookup_from_code_cip7_and_datamatrix(admin: Context) -> None:
    assert drugs.reference(admin) is None
    drugs.load_shipped_snapshot(admin.store, "admin", admin.actor.user_id)
    ref = drugs.reference(admin)
    assert ref is not None and ref.snapshot_date == "2022-06" and ref.count > 20000
    found = drugs.lookup(admin, "3400949497294")
    assert found.drug is not None and found.drug.price == Decimal("31.38")
    assert drugs.lookup(admin, "4949729").cip13 == "3400949497294"
    scanned = drugs.lookup(admin, "]d2010340094949729417271231101AB12C\x1d21XYZ987")
    assert scanned.drug is not None and scanned.scan is not None and scanned.scan.lot == "1AB12C"
    unknown = drugs.lookup(admin, "3400999999977")  # valid key, not in the reference
    assert unknown.drug is None
    with pytest.raises(ValidationError):
        drugs.lookup(admin, "3400949497295")  # wrong key


def test_claim_lines_from_reference(admin: Context) -> None:
    drugs.load_shipped_snapshot(admin.store, "admin", admin.actor.user_id)
    found = drugs.lookup(admin, "3400922457116")
    assert found.drug is not None
    p, _ = patients.save(admin, patient_input())
    check = make_check(admin, p.id)
    c = claims.create(admin, check.id, [claims.line_from_drug(found.drug, 2)], queue_now=True)
    ((draft, amounts),) = c.lines
    assert draft.code == "3400922457116" and draft.prestation_code == "PH7"
    assert amounts.price == Decimal("17.54") and amounts.amo == Decimal("11.40")


def test_drug_import_is_atomic(admin: Context, tmp_path) -> None:  # type: ignore[no-untyped-def]
    drugs.load_shipped_snapshot(admin.store, "admin", admin.actor.user_id)
    empty = tmp_path / "CIS_CIP_bdpm.txt"
    empty.write_text("garbage\tline\n", "utf-8")
    with pytest.raises(ValidationError):
        drugs.import_reference(admin, empty)
    ref = drugs.reference(admin)
    assert ref is not None and ref.count > 20000  # the old reference is intact


def test_a_context_used_in_with_closes_its_store_even_on_error(admin: Context) -> None:
    with pytest.raises(PermissionDenied):
        with counter_user(admin) as ctx:
            queue.list_claims(ctx, queue.Search())  # a connection now waits in the pool
            assert ctx.store.engine.pool.checkedin() >= 1
            ctx.require_admin("create_batch")
    assert ctx.store.engine.pool.checkedin() == 0  # disposed: no connection kept open
