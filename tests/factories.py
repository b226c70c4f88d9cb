"""Builders for test data: a site, an insurer, a patient with a valid NIR, a check, lines."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from verifier.domain.coverage import Guarantee
from verifier.services import auth, checks, claims, directory, patients
from verifier.services.context import Context
from verifier.services.demo import nir_for
from verifier.store.engine import Location

PASSWORD = "correct horse battery"
AMC = "90412345"


def make_site(location: Location, login: str = "admin") -> Context:
    ctx, _ = auth.initialise(location, auth.SiteInput("Pharmacie du Test"), login, "Admin", PASSWORD)
    directory.add_operator(ctx, "VIAMEDIS", "Viamedis")
    directory.add_insurer(ctx, AMC, "Mutuelle Test", "VIAMEDIS")
    return ctx


def patient_input(
    surname: str = "DURANDEAU",
    first: str = "Élodie",
    birth: str = "14/03/1968",
    order: int = 101,
    member: str = "ADH-778899",
) -> patients.PatientInput:
    return patients.PatientInput(
        surname,
        first,
        birth,
        nir_for("2", birth, "75", "056", order),
        "1",
        "011751234",
        AMC,
        member,
        date.today() - timedelta(days=100),
        date.today() + timedelta(days=100),
    )


def make_check(ctx: Context, patient_id: str, rate: str = "100", outcome: str = "covered") -> checks.CheckInfo:
    return checks.record(
        ctx,
        checks.CheckInput(
            patient_id, AMC, "hotline", outcome, [Guarantee("PHAR", Decimal(rate))], reference="HOT-12345"
        ),
    )


def line(price: str = "10.00", rate: str = "65", quantity: int = 1, code: str = "PH7") -> claims.LineDraft:
    return claims.LineDraft("Boîte de test", code, quantity, Decimal(price), Decimal(rate))


def queued_claim(ctx: Context, **patient_kw: object) -> claims.ClaimInfo:
    p, _ = patients.save(ctx, patient_input(**patient_kw))  # type: ignore[arg-type]
    check = make_check(ctx, p.id)
    return claims.create(ctx, check.id, [line(), line("4.50", "30", 2, "PH4")], queue_now=True)
