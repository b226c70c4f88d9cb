"""The demonstration's clinic and centre de santé: stays and consultations of every kind.

`verifier demo --activity clinic` (and `centre`) adds them to the demo database: a surgical
stay with an act ≥ 120 € (PAV), a medical stay whose forfait journalier the ticket
modérateur absorbs, a month in psychiatry under ALD, an emergency visit (FPU), a maternity
stay, a stay still open (PEC obtained, no discharge yet); consultations with and without the
participation forfaitaire. Some are batched, accepted, paid or rejected, so that every state
shows. Dates are counted back from today; MT and DMT values are illustrative.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from verifier.domain.care import CareLine, LineKind
from verifier.domain.states import ClaimKind, ClaimStatus
from verifier.services import batches, claims, directory, patients, stays
from verifier.services.context import Context
from verifier.services.stays import PecFields, StayFields, StayForm

D = Decimal
# Fictional people; any likeness is coincidental.
PATIENTS = [
    ("VALMORIN", "Odile", "2", "05/06/1957", "75", "112"),
    ("CASTELNEAU", "Rémi", "1", "17/01/1972", "13", "055"),
    ("ORSINIAC", "Laure", "2", "28/08/1991", "59", "350"),
    ("BRUNELLET", "Théo", "1", "03/12/2014", "31", "555"),  # a child: no participation forfaitaire
    ("MAILLEFERT", "Nadia", "2", "11/04/1988", "69", "383"),
]


def nir_for(sex: str, birth: str, dept: str, commune: str, order: int) -> str:
    day, month, year = birth.split("/")
    nir_month = month if month != "00" else "20"  # pseudo-month for an unknown month
    body = f"{sex}{year[2:]}{nir_month}{dept}{commune}{order:03d}"
    numeric = int(body.replace("2A", "19").replace("2B", "18"))
    return f"{body}{97 - numeric % 97:02d}"


SURGERY_GUARANTEES = (
    "SEJOUR 100 % BR",
    "FJ 100 % FR",
    "HONO OPTAM 200 % BR",
    "HONO NON OPTAM 180 % BR",
    "CP 50 €/j 60 j/an",
)


def _patient(n: int, amc_number: str) -> patients.PatientInput:
    surname, first, sex, birth, dept, commune = PATIENTS[n]
    today = date.today()
    return patients.PatientInput(
        surname,
        first,
        birth,
        nir_for(sex, birth, dept, commune, 300 + n),
        "1",
        "011751234",
        amc_number,
        f"ADH{7310000 + n}",
        today - timedelta(days=300),
        today + timedelta(days=65),
    )


def _stay(
    ctx: Context,
    n: int,
    insurer: directory.InsurerInfo,
    admitted: int,
    days: int | None,
    lines: tuple[CareLine, ...],
    guarantees: tuple[str, ...],
    *,
    mode: str = "03",
    dmt: str = "122",
    exemption: str = "",
    psychiatry: bool = False,
    method: str = "portal",
) -> claims.ClaimInfo:
    """A stay admitted `admitted` days ago, discharged `days` later (None: still open)."""
    today = date.today()
    admission = today - timedelta(days=admitted)
    discharge = None if days is None else admission + timedelta(days=days)
    out = stays.submit(
        ctx,
        StayForm(
            ClaimKind.STAY,
            _patient(n, insurer.amc_number),
            PecFields(
                method,
                f"PEC-{admission:%Y%m%d}-{n:03d}" if method != "paper" else "",
                admission - timedelta(days=3),
                admission + timedelta(days=45),
                guarantees,
            ),
            StayFields(
                admission,
                discharge,
                planned_discharge=admission + timedelta(days=days or 4),
                entry_number=f"E{admission:%Y}-{4200 + n}",
                mode=mode,
                dmt=dmt,
                exemption=exemption,
                psychiatry=psychiatry,
            ),
            lines,
        ),
    )
    if out.error is not None or out.claim is None:
        raise RuntimeError(f"demo stay {n}: {out.error}")
    return out.claim


def stays_of_every_kind(ctx: Context, insurers: list[directory.InsurerInfo]) -> list[claims.ClaimInfo]:
    first, second = insurers[0], insurers[1]
    surgery = _stay(
        ctx,
        0,
        first,
        20,
        4,
        (
            CareLine(LineKind.STAY_FEES, "PJ", "Frais de séjour", 1, D("2400.00"), D("2400.00")),
            CareLine(LineKind.DAILY_CHARGE, "FJ", "Forfait journalier", 5, D("0")),
            CareLine(LineKind.FEE, "ADC", "Chirurgien (OPTAM)", 1, D("627.00"), D("313.50")),
            CareLine(LineKind.FEE, "ADA", "Anesthésiste (hors OPTAM)", 1, D("250.00"), D("150.00"), optam=False),
            CareLine(LineKind.ROOM, "CP", "Chambre particulière", 5, D("90.00")),
            CareLine(LineKind.COMFORT, "TV", "Télévision", 5, D("6.00")),
        ),
        SURGERY_GUARANTEES,
    )
    medical = _stay(
        ctx,
        1,
        first,
        12,
        3,
        (
            CareLine(LineKind.STAY_FEES, "PJ", "Frais de séjour", 1, D("1800.00"), D("1800.00")),
            CareLine(LineKind.DAILY_CHARGE, "FJ", "Forfait journalier", 4, D("0")),
        ),
        ("SEJOUR 100 % BR", "FJ 100 % FR"),
        dmt="160",
        method="fax",
    )
    psychiatry = _stay(
        ctx,
        2,
        second,
        45,
        29,
        (CareLine(LineKind.DAILY_CHARGE, "FJ", "Forfait journalier (psychiatrie)", 30, D("0")),),
        ("FJ 100 % FR",),
        dmt="420",
        exemption="ald",
        psychiatry=True,
        method="phone",
    )
    emergency = _stay(
        ctx,
        3,
        second,
        6,
        0,
        (CareLine(LineKind.EMERGENCY, "FPU", "Forfait patient urgences", 1, D("0")),),
        ("FPU 100 % FR",),
        dmt="980",
        exemption="ald",
        method="paper",
    )
    maternity = _stay(
        ctx,
        4,
        first,
        9,
        3,
        (
            CareLine(LineKind.STAY_FEES, "PJ", "Frais de séjour (maternité)", 1, D("2100.00"), D("2100.00")),
            CareLine(LineKind.DAILY_CHARGE, "FJ", "Forfait journalier", 4, D("0")),
            CareLine(LineKind.ROOM, "CP", "Chambre particulière", 4, D("75.00")),
        ),
        ("SEJOUR 100 % BR", "FJ 100 % FR", "CP 60 €/j 30 j/an"),
        dmt="141",
        exemption="maternity",
    )
    _stay(ctx, 1, first, 2, None, (), ("SEJOUR 100 % BR", "FJ 100 % FR", "CP 40 €/j 30 j/an"), dmt="160")  # open
    # The first insurer's stays go out in a batch: the surgery is paid, the medical stay rejected.
    made = batches.create_batch(ctx, first.id, [surgery.id, medical.id])
    assert made.batch is not None
    claims.transition(ctx, surgery.id, ClaimStatus.ACCEPTED)
    claims.transition(ctx, surgery.id, ClaimStatus.PAID)
    claims.transition(ctx, medical.id, ClaimStatus.REJECTED, code="PEC", text_="Prise en charge introuvable")
    return [surgery, medical, psychiatry, emergency, maternity]


def consultations(ctx: Context, insurers: list[directory.InsurerInfo]) -> list[claims.ClaimInfo]:
    today = date.today()
    made = []
    acts = [
        (0, "G", "Consultation de médecine générale", D("30.00"), D("30.00"), ("CONS 100 % BR",)),
        (1, "G", "Consultation de médecine générale", D("30.00"), D("30.00"), ("CONS 100 % BR",)),
        (3, "G", "Consultation de médecine générale (enfant)", D("30.00"), D("30.00"), ("CONS 100 % BR",)),
        (2, "APC", "Avis ponctuel de consultant", D("70.00"), D("55.00"), ("CONS 150 % BR",)),
    ]
    for i, (n, code, label, price, br, guarantees) in enumerate(acts):
        insurer = insurers[i % 2]
        day = today - timedelta(days=1 + i)
        out = stays.submit(
            ctx,
            StayForm(
                ClaimKind.CONSULTATION,
                _patient(n, insurer.amc_number),
                PecFields(
                    "card" if i % 2 == 0 else "portal",
                    "" if i % 2 == 0 else f"WEB-{day:%m%d}-{i}",
                    day,
                    None,
                    guarantees,
                ),
                StayFields(day, day, under_18=n == 3),
                (CareLine(LineKind.CONSULTATION, code, label, 1, price, br),),
            ),
        )
        if out.error is not None or out.claim is None:
            raise RuntimeError(f"demo consultation {i}: {out.error}")
        made.append(out.claim)
    first = [c for c in made if c.insurer_id == insurers[0].id]
    batch = batches.create_batch(ctx, insurers[0].id, [c.id for c in first])
    assert batch.batch is not None
    claims.transition(ctx, first[0].id, ClaimStatus.ACCEPTED)
    return made
