"""A demonstration database: fictional insurers, patients with valid NIRs, claims in every state."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from verifier import i18n, paths
from verifier.domain.coverage import Guarantee
from verifier.domain.errors import ValidationError
from verifier.domain.pharmacy_fees import OnCall, PrescriptionForm
from verifier.domain.states import ClaimStatus
from verifier.location import Location
from verifier.services import (
    auth,
    batches,
    checks,
    claims,
    demo_care,
    directory,
    drugs,
    patients,
    prescription_fees,
    settings,
)
from verifier.services.context import Context
from verifier.services.demo_care import nir_for

DEMO_ADMIN = "demo-admin"
DEMO_COUNTER = "demo-comptoir"
DEMO_PASSWORD = "demonstration-2024"

# Fictional people; any likeness is coincidental. NIR keys are computed, so they are valid.
PEOPLE = [
    ("MARTINVAL", "Claire", "2", "14/03/1968", "75", "056"),
    ("DUBOCAGE", "Henri", "1", "02/11/1951", "69", "123"),
    ("LEFAUCHEUX", "Amina", "2", "31/02/1980", "99", "350"),  # born abroad, lunar birth date
    ("PERRONNEAU", "Lucas", "1", "21/07/1994", "2A", "004"),
    ("GRANDVALLET", "Sophie", "2", "00/00/1975", "99", "212"),  # unknown day and month
    ("BERTHOMIEUX", "Jules", "1", "09/09/2001", "33", "063"),
]
INSURERS = [
    ("90412345", "Mutuelle Exemple des Alpes", "VIAMEDIS"),
    ("80123456", "Prévoyance Fictive du Nord", "ALMERYS"),
    ("12345678", "Complémentaire Démo Santé", None),
]
BOXES = ["3400922457116", "3400930151419", "3400949246816"]  # 65 %, 30 %, 15 % (real BDPM rows)


def default_demo_path() -> str:
    return str(paths.data_dir() / "demo.db")


# The site's name for what it does (the first activity chosen).
SITE_NAMES = {
    settings.PHARMACY: "Pharmacie de démonstration",
    settings.CLINIC: "Clinique de démonstration",
    settings.CENTRE: "Centre de santé de démonstration",
}


def build(location: Location, seed: int = 2024, activities: tuple[str, ...] = (settings.PHARMACY,)) -> str:
    """Create the demo database at `location` for these activities (pharmacy, clinic, centre:
    claims of each kind); returns the sign-in instructions."""
    problems = settings.activity_problems(activities)
    if problems:
        raise ValidationError(problems)
    rng = random.Random(seed)
    site = auth.SiteInput(
        SITE_NAMES[activities[0]], "750000001", "7512345", "1 place de l'Exemple, 75000 Paris", activities
    )
    ctx, recovery = auth.initialise(location, site, DEMO_ADMIN, "Administrateur démo", DEMO_PASSWORD)
    with ctx:
        drugs.load_shipped_snapshot(ctx.store, ctx.actor.login, ctx.actor.user_id)
        auth.add_user(ctx, DEMO_COUNTER, "Comptoir démo", "counter", DEMO_PASSWORD)
        directory.add_operator(ctx, "VIAMEDIS", "Viamedis", None)
        directory.add_operator(ctx, "ALMERYS", "Almerys", None)
        insurers = [directory.add_insurer(ctx, amc, name, op) for amc, name, op in INSURERS]
        if settings.PHARMACY in activities:
            _claims(ctx, insurers, rng)
        if settings.CLINIC in activities:
            demo_care.stays_of_every_kind(ctx, insurers)
        if settings.CENTRE in activities:
            demo_care.consultations(ctx, insurers)
    return i18n.tr(
        "Base de démonstration créée : {where}\nConnexion administrateur : --db {where} --user {admin}\nConnexion comptoir : --user {counter}\nMot de passe (les deux) : {password}\nCode de secours : {code}\nExemple : verifier --db {where} claims list --user {admin}",
        where=location.describe(),
        admin=DEMO_ADMIN,
        counter=DEMO_COUNTER,
        password=DEMO_PASSWORD,
        code=recovery,
    )


def _claims(ctx: Context, insurers: list[directory.InsurerInfo], rng: random.Random) -> None:
    people = []
    for i, (surname, first, sex, birth, dept, commune) in enumerate(PEOPLE):
        ins = insurers[i % len(insurers)]
        info, _ = patients.save(
            ctx,
            patients.PatientInput(
                surname,
                first,
                birth,
                nir_for(sex, birth, dept, commune, 100 + i),
                "1",
                "011751234",
                ins.amc_number,
                f"ADH{rng.randrange(10**6, 10**7)}",
                date.today() - timedelta(days=300),
                date.today() + timedelta(days=65),
            ),
        )
        people.append((info, ins))
    # The 30 % drug is on the specific list (HDE) in the demo, so that every fee appears.
    drugs.set_specific(ctx, [BOXES[1]])
    boxes = [drugs.get(ctx, c) for c in BOXES]
    made: list[tuple[claims.ClaimInfo, directory.InsurerInfo]] = []
    for n in range(24):
        patient, ins = people[n % len(people)]
        check = checks.record(
            ctx,
            checks.CheckInput(
                patient.id,
                ins.amc_number,
                rng.choice(["card", "hotline", "portal"]),
                "covered",
                [Guarantee("PHAR", Decimal(rng.choice([100, 200])))],
                reference=f"REF-{rng.randrange(10**5, 10**6)}",
            ),
        )
        lines = [claims.line_from_drug(boxes[0], quantity=rng.randint(1, 3))]
        if n % 3 == 0:
            lines.append(claims.line_from_drug(boxes[1]))
        if n % 4 == 1:
            lines.append(claims.line_from_drug(boxes[2]))  # 15 %: not covered by PHAR, patient pays the TM
        day = date.today() - timedelta(days=n % 10)
        lines, prescription = _issue_13(ctx, n, lines, day, patient.id)
        made.append(
            (
                claims.create(ctx, check.id, lines, day, queue_now=n % 9 != 0, prescription=prescription),
                ins,
            )
        )
    # Claims 0, 9 and 18 stay drafts; export the first insurer's queue (5 claims), then
    # record answers for four of them so that every state appears.
    queued = [c for c, ins in made if c.status is ClaimStatus.QUEUED and ins.id == insurers[0].id]
    batches.create_batch(ctx, insurers[0].id, [c.id for c in queued])
    exported = queued
    if len(exported) >= 4:
        claims.transition(ctx, exported[0].id, ClaimStatus.ACCEPTED)
        claims.transition(ctx, exported[1].id, ClaimStatus.ACCEPTED)
        claims.transition(ctx, exported[1].id, ClaimStatus.PAID)
        claims.transition(
            ctx, exported[2].id, ClaimStatus.REJECTED, code="DROITS", text_="Droits non ouverts à la date des soins"
        )
        claims.transition(ctx, exported[3].id, ClaimStatus.REJECTED, code="ADH", text_="Numéro d'adhérent absent")
        claims.rectify(ctx, exported[3].id)
    others = [c for c, ins in made if c.status is ClaimStatus.QUEUED and ins.id != insurers[0].id]
    claims.void(ctx, others[0].id, "Saisie en double")


def _issue_13(
    ctx: Context, n: int, lines: list[claims.LineDraft], day: date, patient_id: str
) -> tuple[list[claims.LineDraft], PrescriptionForm | None]:
    """A claim of each kind of issue 13 among the demo's: prescription fees (HDR, HDA for the
    patient born in 1951, HDE with the specific drug), an on-call fee, a rapid test, a
    vaccination, a fee removed with its reason, and a refused generic (a draft)."""
    if n % 2:
        return lines, None  # half the claims stay boxes only, as before issue 13
    birth = prescription_fees.birth_of(ctx, patient_id)
    on_call = OnCall.NIGHT if n == 4 else None
    removed = (("HDA", "Âge non vérifiable : carte illisible"),) if n == 10 else ()
    if n in (6, 8):  # a rapid test with an antibiotic, a vaccination with its prescription
        offer = prescription_fees.act_offer(ctx, "TRD" if n == 6 else "RVA", day)
        if offer is not None and offer.amounts:
            lines = [*lines, prescription_fees.act_line(offer, offer.amounts[-1])]
    lines = prescription_fees.with_fees(
        ctx, lines, day, birth, on_call=on_call, removed=frozenset(code for code, _ in removed)
    )
    form = PrescriptionForm(day - timedelta(days=1), n == 2, on_call, n == 18, removed)
    return lines, form
