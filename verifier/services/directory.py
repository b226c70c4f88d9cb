"""Insurers (AMC) and tiers-payant operators."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from verifier import i18n
from verifier.domain.errors import NotFound, Problem, ValidationError
from verifier.domain.identifiers import check_amc_number
from verifier.services.context import Context
from verifier.store import audit_log
from verifier.store.schema import Insurer, Operator


@dataclass(frozen=True)
class OperatorInfo:
    id: int
    code: str
    name: str
    health_url: str | None
    active: bool


@dataclass(frozen=True)
class InsurerInfo:
    id: int
    amc_number: str
    name: str
    operator_code: str | None
    hotline: str | None
    portal: str | None
    batch_by: str
    active: bool


def _operator_info(op: Operator) -> OperatorInfo:
    return OperatorInfo(op.id, op.code, op.name, op.health_url, op.active)


def _insurer_info(ins: Insurer) -> InsurerInfo:
    return InsurerInfo(
        ins.id,
        ins.amc_number,
        ins.name,
        ins.operator.code if ins.operator else None,
        ins.hotline,
        ins.portal,
        ins.batch_by,
        ins.active,
    )


def add_operator(ctx: Context, code: str, name: str, health_url: str | None = None) -> OperatorInfo:
    ctx.require_admin("manage_directory")
    code = code.strip().upper()
    problems = []
    if not code or len(code) > 40:
        problems.append(Problem("operator.code_invalid", {}, "code"))
    if not name.strip():
        problems.append(Problem("operator.name_missing", {}, "name"))
    with ctx.store.write() as s:
        if code and s.scalars(select(Operator.id).where(Operator.code == code)).first() is not None:
            problems.append(Problem("operator.exists", {"code": code}, "code"))
        if problems:
            raise ValidationError(problems)
        op = Operator(code=code, name=name.strip(), health_url=health_url or None, active=True)
        s.add(op)
        s.flush()
        audit_log.append(s, ctx.actor.login, "operator.created", "operator", str(op.id), {"code": code})
        return _operator_info(op)


def add_insurer(
    ctx: Context,
    amc_number: str,
    name: str,
    operator_code: str | None = None,
    hotline: str | None = None,
    portal: str | None = None,
    batch_by: str = "insurer",
) -> InsurerInfo:
    ctx.require_admin("manage_directory")
    checked = check_amc_number(amc_number)
    problems = list(checked.problems)
    if not name.strip():
        problems.append(Problem("insurer.name_missing", {}, "name"))
    if batch_by not in ("insurer", "operator"):
        problems.append(Problem("insurer.batch_by_invalid", {}, "batch_by"))
    with ctx.store.write() as s:
        operator = None
        if operator_code:
            operator = s.scalars(select(Operator).where(Operator.code == operator_code.strip().upper())).one_or_none()
            if operator is None:
                problems.append(Problem("operator.unknown", {"code": operator_code}, "operator"))
        if checked.value and s.scalars(select(Insurer.id).where(Insurer.amc_number == checked.value)).first():
            problems.append(Problem("insurer.exists", {"amc": checked.value}, "amc_number"))
        if problems:
            raise ValidationError(problems)
        assert checked.value is not None
        ins = Insurer(
            amc_number=checked.value,
            name=name.strip(),
            operator=operator,
            hotline=hotline or None,
            portal=portal or None,
            batch_by=batch_by,
            active=True,
        )
        s.add(ins)
        s.flush()
        audit_log.append(s, ctx.actor.login, "insurer.created", "insurer", str(ins.id), {"amc": ins.amc_number})
        return _insurer_info(ins)


def list_operators(ctx: Context, include_inactive: bool = False) -> list[OperatorInfo]:
    with ctx.store.read() as s:
        q = select(Operator).order_by(Operator.name)
        if not include_inactive:
            q = q.where(Operator.active.is_(True))
        return [_operator_info(o) for o in s.scalars(q)]


def list_insurers(ctx: Context, text: str = "", include_inactive: bool = False) -> list[InsurerInfo]:
    """Insurers whose AMC number starts with, or name contains, `text`."""
    with ctx.store.read() as s:
        q = select(Insurer).order_by(Insurer.name)
        if not include_inactive:
            q = q.where(Insurer.active.is_(True))
        text = text.strip()
        if text:
            q = q.where(or_(Insurer.amc_number.startswith(text), func.lower(Insurer.name).contains(text.lower())))
        return [_insurer_info(i) for i in s.scalars(q)]


def get_insurer(ctx: Context, amc_or_id: str | int) -> InsurerInfo:
    with ctx.store.read() as s:
        if isinstance(amc_or_id, int):
            ins = s.get(Insurer, amc_or_id)
        else:
            ins = s.scalars(select(Insurer).where(Insurer.amc_number == amc_or_id.strip())).one_or_none()
        if ins is None:
            raise NotFound("insurer.not_found", amc=str(amc_or_id))
        return _insurer_info(ins)


i18n.register(
    {
        "operator.code_invalid": ("Donnez un code d'opérateur (1 à 40 caractères), par exemple VIAMEDIS.", "Give an operator code (1 to 40 characters), e.g. VIAMEDIS."),
        "operator.name_missing": ("Indiquez le nom de l'opérateur.", "Enter the operator's name."),
        "operator.exists": ("L'opérateur {code} existe déjà.", "Operator {code} already exists."),
        "operator.unknown": ("Opérateur inconnu : {code}. Ajoutez-le d'abord.", "Unknown operator: {code}. Add it first."),
        "insurer.name_missing": ("Indiquez le nom de l'organisme complémentaire.", "Enter the insurer's name."),
        "insurer.batch_by_invalid": ("Le regroupement des lots doit être « insurer » ou « operator ».", "Batches are grouped by 'insurer' or 'operator'."),
        "insurer.exists": ("Un organisme porte déjà le numéro AMC {amc}.", "An insurer already has AMC number {amc}."),
        "insurer.not_found": ("Aucun organisme avec le numéro AMC {amc}. Vérifiez le numéro sur l'attestation ou ajoutez l'organisme.", "No insurer with AMC number {amc}. Check the number on the card or add the insurer."),
    }
)
