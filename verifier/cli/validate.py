"""`verifier validate nir|rpps|cip|finess|amc VALUE`: checks an identifier, no database needed."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from verifier import i18n
from verifier.cli.common import UserError
from verifier.domain.errors import Problem

VALIDATORS: dict[str, str] = {
    "nir": "check_nir",
    "rpps": "check_rpps",
    "cip": "check_cip",
    "finess": "check_finess",
    "amc": "check_amc_number",
}


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    val = sub.add_parser("validate", help="check an identifier")
    val.add_argument("kind", choices=sorted(VALIDATORS))
    val.add_argument("value")
    val.set_defaults(func=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    from verifier.domain import identifiers

    check: Callable[[str], object] = getattr(identifiers, VALIDATORS[args.kind])
    result = check(args.value)
    problems: tuple[Problem, ...] = result.problems  # type: ignore[attr-defined]
    warnings: tuple[Problem, ...] = result.warnings  # type: ignore[attr-defined]
    for w in warnings:
        print(i18n.tr("Attention : {message}", message=w.message()))
    if problems:
        raise UserError(" ".join(p.message() for p in problems))
    print(i18n.tr("Valide : {value}", value=result.value))  # type: ignore[attr-defined]
    return 0
