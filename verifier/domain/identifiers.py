"""Check and normalise the identifiers staff type: NIR, birth date, funds, RPPS, FINESS, CIP...

Every `check_*` function takes what was typed (surrounding and inner spaces, dots and dashes
tolerated) and returns a `Checked`: the normalised value, or every precise reason it is
wrong, plus warnings that never block. Messages never contain the typed value: it is
personal data and messages end up in logs.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Container
from dataclasses import dataclass

from stdnum import ean, luhn
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import nir as stdnum_nir

from verifier import i18n
from verifier.domain.errors import Checked, Problem

# Separators staff type inside numbers: spaces (also the no-break ones other software
# pastes), dots and dashes. Only the ASCII digits count as digits (str.isdigit accepts "²").
_SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f\u2009]+")
_DIGITS = re.compile(r"[0-9]+")
_CORSICA = {"2A": "19", "2B": "18"}

MIN_BIRTH_YEAR = 1850
MAX_MEMBER_LENGTH = 30

# What is wrong with an identifier, by problem code (French msgids; English in the catalogs).
i18n.register(
    {
        "rank.empty": i18n.N_("Le rang gémellaire est vide : saisissez-le tel qu'il est imprimé."),
        "rank.digits": i18n.N_(
            "Le rang gémellaire ne contient que des chiffres : corrigez les lettres ou symboles saisis."
        ),
        "rank.length": i18n.N_(
            "Le rang gémellaire compte 1 chiffre mais {count} caractères ont été saisis : vérifiez la saisie."
        ),
        "amo_fund.empty": i18n.N_("Le code de l'organisme AMO est vide : saisissez-le tel qu'il est imprimé."),
        "amo_fund.digits": i18n.N_(
            "Le code de l'organisme AMO ne contient que des chiffres : corrigez les lettres ou symboles saisis."
        ),
        "amo_fund.length": i18n.N_(
            "Le code de l'organisme AMO compte 9 chiffres mais {count} caractères ont été saisis : vérifiez la saisie."
        ),
        "amc.empty": i18n.N_("Le numéro AMC est vide : saisissez-le tel qu'il est imprimé."),
        "amc.digits": i18n.N_("Le numéro AMC ne contient que des chiffres : corrigez les lettres ou symboles saisis."),
        "amc.length": i18n.N_(
            "Le numéro AMC compte 1 à 10 chiffres mais {count} caractères ont été saisis : vérifiez la saisie."
        ),
        "rpps.empty": i18n.N_("Le numéro RPPS est vide : saisissez-le tel qu'il est imprimé."),
        "rpps.digits": i18n.N_(
            "Le numéro RPPS ne contient que des chiffres : corrigez les lettres ou symboles saisis."
        ),
        "rpps.length": i18n.N_(
            "Le numéro RPPS compte 11 chiffres mais {count} caractères ont été saisis : vérifiez la saisie."
        ),
        "finess.empty": i18n.N_("Le numéro FINESS est vide : saisissez-le tel qu'il est imprimé."),
        "finess.length": i18n.N_(
            "Le numéro FINESS compte 9 chiffres (ou 2A/2B) mais {count} caractères ont été saisis : vérifiez la saisie."
        ),
        "cip.empty": i18n.N_("Le code CIP est vide : saisissez-le tel qu'il est imprimé."),
        "cip.digits": i18n.N_("Le code CIP ne contient que des chiffres : corrigez les lettres ou symboles saisis."),
        "cip.length": i18n.N_(
            "Le code CIP compte 7 ou 13 chiffres mais {count} caractères ont été saisis : vérifiez la saisie."
        ),
        "lpp.empty": i18n.N_("Le code LPP est vide : saisissez-le tel qu'il est imprimé."),
        "lpp.digits": i18n.N_("Le code LPP ne contient que des chiffres : corrigez les lettres ou symboles saisis."),
        "lpp.length": i18n.N_(
            "Le code LPP compte 7 chiffres mais {count} caractères ont été saisis : vérifiez la saisie."
        ),
        "nir.empty": i18n.N_("Le NIR est vide : saisissez-le tel qu'il est imprimé."),
        "nir.digits": i18n.N_("Le NIR ne contient que des chiffres, sauf 2A ou 2B pour la Corse : corrigez-le."),
        "nir.length": i18n.N_(
            "Le NIR compte 15 chiffres (ou 2A/2B) mais {count} caractères ont été saisis : vérifiez la saisie."
        ),
        "nir.key_missing": i18n.N_("La clé du NIR manque : ajoutez les 2 chiffres imprimés après le numéro."),
        "nir.key": i18n.N_("La clé du NIR ne correspond pas au numéro : vérifiez chaque chiffre sur la carte."),
        "nir.sex": i18n.N_("Le premier chiffre du NIR doit être 1, 2, 7 ou 8 : vérifiez la saisie."),
        "nir.month": i18n.N_("Le mois de naissance du NIR (4e et 5e chiffres) n'existe pas : vérifiez la saisie."),
        "nir.birth_mismatch": i18n.N_("L'année ou le mois du NIR diffère de la date de naissance : vérifiez les deux."),
        "rank.range": i18n.N_("Le rang gémellaire va de 1 à 9 : saisissez 1 en l'absence de jumeaux."),
        "rpps.key": i18n.N_("La clé (dernier chiffre) du numéro RPPS est fausse : vérifiez la saisie."),
        "finess.characters": i18n.N_(
            "Le numéro FINESS ne contient que des chiffres, sauf 2A ou 2B en tête : corrigez-le."
        ),
        "finess.key_unverified": i18n.N_("La clé du numéro FINESS semble fausse : vérifiez-le (il reste accepté)."),
        "cip.prefix": i18n.N_("Un code CIP à 13 chiffres commence par 34009 : vérifiez le code sur la boîte."),
        "cip.key": i18n.N_("La clé (dernier chiffre) du code CIP est fausse : vérifiez le code sur la boîte."),
        "member.empty": i18n.N_("Le numéro d'adhérent est vide : recopiez-le tel qu'il est imprimé sur la carte."),
        "member.length": i18n.N_("Le numéro d'adhérent a 30 caractères au plus, {count} saisis : vérifiez-le."),
        "member.characters": i18n.N_("Le numéro d'adhérent contient un caractère de contrôle : ressaisissez-le."),
        "birth_date.empty": i18n.N_("La date de naissance est vide : saisissez-la au format JJ/MM/AAAA."),
        "birth_date.letters": i18n.N_("La date de naissance contient des lettres : saisissez JJ/MM/AAAA en chiffres."),
        "birth_date.format": i18n.N_("La date n'est pas au format JJ/MM/AAAA : saisissez par exemple 05/03/1980."),
        "birth_date.day": i18n.N_(
            "Le jour de naissance va de 00 à 31 : vérifiez la saisie (00 si le jour est inconnu)."
        ),
        "birth_date.month": i18n.N_(
            "Le mois de naissance va de 00 à 12 : vérifiez la saisie (00 si le mois est inconnu)."
        ),
        "birth_date.year": i18n.N_(
            "L'année de naissance doit être comprise entre {first} et {last} : vérifiez la saisie."
        ),
        "birth_date.future": i18n.N_("La date de naissance est dans le futur : vérifiez la saisie."),
    }
)


def _compact(value: str) -> str:
    """The value without separators, uppercased (2a -> 2A)."""
    return _SEPARATORS.sub("", value).upper()


def _is_digits(text: str) -> bool:
    return _DIGITS.fullmatch(text) is not None


def _digits_problems(text: str, prefix: str, lengths: Container[int]) -> list[Problem]:
    """Empty, non-digit and length problems of an already compacted number."""
    if not text:
        return [Problem(f"{prefix}.empty")]
    problems = []
    if not _is_digits(text):
        problems.append(Problem(f"{prefix}.digits"))
    if len(text) not in lengths:
        problems.append(Problem(f"{prefix}.length", {"count": len(text)}))
    return problems


def _digits_field(value: str, prefix: str, lengths: Container[int]) -> Checked[str]:
    text = _compact(value)
    problems = _digits_problems(text, prefix, lengths)
    return Checked.bad(*problems) if problems else Checked.good(text)


# --- birth date ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BirthDate:
    """A birth date as entered, possibly "lunar" (00 parts, or a day the month lacks)."""

    day: int
    month: int
    year: int

    def __post_init__(self) -> None:
        if not (0 <= self.day <= 31 and 0 <= self.month <= 12 and 1 <= self.year <= 9999):
            raise ValueError("birth date part out of range")

    @property
    def text(self) -> str:
        return f"{self.day:02d}/{self.month:02d}/{self.year:04d}"

    @property
    def is_lunar(self) -> bool:
        return self.as_date() is None

    def as_date(self) -> dt.date | None:
        """The calendar date, or None for a lunar date."""
        if self.day == 0 or self.month == 0:
            return None
        if self.day > calendar.monthrange(self.year, self.month)[1]:
            return None
        return dt.date(self.year, self.month, self.day)

    @classmethod
    def from_text(cls, text: str) -> BirthDate:
        """Read a stored "dd/mm/yyyy" value; ValueError otherwise."""
        match = re.fullmatch(r"([0-9]{2})/([0-9]{2})/([0-9]{4})", text)
        if match is None:
            raise ValueError("birth date is not stored as dd/mm/yyyy")
        return cls(int(match[1]), int(match[2]), int(match[3]))

    def __str__(self) -> str:
        return self.text


_DATE_SEPARATED = re.compile(r"([0-9]{1,2}) *[/.\- ] *([0-9]{1,2}) *[/.\- ] *([0-9]{4})")
_DATE_COMPACT = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{4})")


def parse_birth_date(text: str, *, today: dt.date | None = None) -> Checked[BirthDate]:
    """Read dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy or ddmmyyyy; lunar dates are kept as typed."""
    today = today or dt.date.today()
    stripped = text.strip()
    if not stripped:
        return Checked.bad(Problem("birth_date.empty"))
    if any(ch.isalpha() for ch in stripped):
        return Checked.bad(Problem("birth_date.letters"))
    match = _DATE_SEPARATED.fullmatch(stripped) or _DATE_COMPACT.fullmatch(stripped)
    if match is None:
        return Checked.bad(Problem("birth_date.format"))
    day, month, year = int(match[1]), int(match[2]), int(match[3])
    problems = []
    if day > 31:
        problems.append(Problem("birth_date.day"))
    if month > 12:
        problems.append(Problem("birth_date.month"))
    if not MIN_BIRTH_YEAR <= year <= today.year:
        problems.append(Problem("birth_date.year", {"first": MIN_BIRTH_YEAR, "last": today.year}))
    if problems:
        return Checked.bad(*problems)
    if _in_future(day, month, year, today):
        return Checked.bad(Problem("birth_date.future"))
    return Checked.good(BirthDate(day, month, year))


def _in_future(day: int, month: int, year: int, today: dt.date) -> bool:
    """Compare the known parts only: 00/12 of this year typed in June is in the future too."""
    if year != today.year:
        return year > today.year
    if month == 0 or month != today.month:
        return month > today.month
    return day > today.day


# --- NIR ----------------------------------------------------------------------------------

NIR_SEXES = frozenset("1278")


def _nir_month_ok(month: str) -> bool:
    """01-12, or a pseudo-month given from an incomplete civil record: 20, 30-42, 50-99."""
    number = int(month)
    return 1 <= number <= 12 or number == 20 or 30 <= number <= 42 or number >= 50


def check_nir(value: str, birth_date: BirthDate | None = None) -> Checked[str]:
    """Check a NIR (15 characters with its key); warn when it disagrees with `birth_date`."""
    text = _compact(value)
    if not text:
        return Checked.bad(Problem("nir.empty"))
    problems = []
    digits_only = text[:5] + _CORSICA.get(text[5:7], text[5:7]) + text[7:]
    if not _is_digits(digits_only):
        problems.append(Problem("nir.digits"))
    if len(text) == 13 and not problems:
        problems.append(Problem("nir.key_missing"))
    elif len(text) != 15:
        problems.append(Problem("nir.length", {"count": len(text)}))
    if _is_digits(text[:1]) and text[0] not in NIR_SEXES:
        problems.append(Problem("nir.sex"))
    if len(text) >= 5 and _is_digits(text[3:5]) and not _nir_month_ok(text[3:5]):
        problems.append(Problem("nir.month"))
    if len(text) == 15 and _is_digits(digits_only):
        # stdnum maps 2A -> 19 and 2B -> 18 before the mod 97 (checked by the tests).
        try:
            stdnum_nir.validate(text)
        except InvalidChecksum:
            problems.append(Problem("nir.key"))
        except StdnumError:  # pragma: no cover - format already checked above
            problems.append(Problem("nir.digits"))
    if problems:
        return Checked.bad(*problems)
    warnings: tuple[Problem, ...] = ()
    if birth_date is not None and _nir_disagrees(text, birth_date):
        warnings = (Problem("nir.birth_mismatch"),)
    return Checked.good(text, warnings)


def _nir_disagrees(nir: str, birth: BirthDate) -> bool:
    if nir[1:3] != f"{birth.year % 100:02d}":
        return True
    month = int(nir[3:5])
    return 1 <= month <= 12 and birth.month != 0 and month != birth.month


@dataclass(frozen=True)
class NirInfo:
    """The fields of a valid NIR, as text.

    Overseas departments (97x, 98x) have a 3-digit department and a 2-digit commune; a
    person born abroad has department 99 and the country code as commune.
    """

    sex: str
    year: str
    month: str
    department: str
    commune: str
    order: str
    key: str


def nir_info(nir: str) -> NirInfo:
    """Split a valid NIR into its fields; ValueError if it is not valid."""
    checked = check_nir(nir)
    if checked.value is None:
        raise ValueError("not a valid NIR")
    text = checked.value
    split = 8 if text[5:7] in ("97", "98") else 7
    parts = (text[0], text[1:3], text[3:5], text[5:split], text[split:10], text[10:13])
    return NirInfo(*parts, key=text[13:15])


MASK = "•"


def mask_nir(nir: str) -> str:
    """The NIR for lists: sex, year and month shown, the rest hidden, grouped as on the card.

    ``180022A00400112`` -> ``1 80 02 •• ••• ••• ••``. Sex, year and month are what staff
    compare with the patient in front of them; place of birth, order and key identify the
    person and stay hidden. Anything that is not 15 characters is hidden entirely.
    """
    text = _compact(nir)
    if len(text) != 15:
        return MASK * len(text)
    hidden = MASK * 10
    return " ".join((text[0], text[1:3], text[3:5], hidden[:2], hidden[2:5], hidden[5:8], hidden[8:10]))


# --- other identifiers --------------------------------------------------------------------


def check_rank(value: str) -> Checked[int]:
    """The twin rank (rang gémellaire): one digit, 1 to 9."""
    text = _compact(value)
    problems = _digits_problems(text, "rank", (1,))
    if problems:
        return Checked.bad(*problems)
    if text == "0":
        return Checked.bad(Problem("rank.range"))
    return Checked.good(int(text))


def check_amo_fund(value: str) -> Checked[str]:
    """The AMO fund: 9 digits, régime (2) + caisse (3) + centre (4)."""
    return _digits_field(value, "amo_fund", (9,))


def amo_fund_parts(code: str) -> tuple[str, str, str]:
    """(régime, caisse, centre) of a valid 9-digit AMO fund code."""
    text = check_amo_fund(code).unwrap()
    return text[:2], text[2:5], text[5:]


def check_amc_number(value: str) -> Checked[str]:
    """The AMC number: 1 to 10 digits, no checksum (length and key unconfirmed)."""
    return _digits_field(value, "amc", range(1, 11))


def check_rpps(value: str) -> Checked[str]:
    """An RPPS number: 11 digits, the last a Luhn key."""
    checked = _digits_field(value, "rpps", (11,))
    if checked.value is not None and not luhn.is_valid(checked.value):
        return Checked.bad(Problem("rpps.key"))
    return checked


def check_finess(value: str) -> Checked[str]:
    """A FINESS number: 9 characters; a bad Luhn key only warns (algorithm unconfirmed)."""
    text = _compact(value)
    if not text:
        return Checked.bad(Problem("finess.empty"))
    problems = []
    corsican = text[:2] in _CORSICA
    if not _is_digits(text[2:] if corsican else text):
        problems.append(Problem("finess.characters"))
    if len(text) != 9:
        problems.append(Problem("finess.length", {"count": len(text)}))
    if problems:
        return Checked.bad(*problems)
    # No key is checked for Corsican numbers: how 2A/2B enter the key is not known.
    if not corsican and not luhn.is_valid(text):
        return Checked.good(text, (Problem("finess.key_unverified"),))
    return Checked.good(text)


CIP13_PREFIX = "34009"


def cip7_to_cip13(cip7: str) -> str:
    """The CIP13 of a 7-digit CIP: 34009 + CIP7 + EAN-13 check digit."""
    if len(cip7) != 7 or not _is_digits(cip7):
        raise ValueError("a CIP7 has 7 digits")
    body = CIP13_PREFIX + cip7
    return body + ean.calc_check_digit(body)


def cip13_to_cip7(cip13: str) -> str:
    """The CIP7 inside a CIP13 (34009 + CIP7 + key); ValueError if it is not one."""
    if len(cip13) != 13 or not _is_digits(cip13) or not cip13.startswith(CIP13_PREFIX):
        raise ValueError("a CIP13 has 13 digits and starts with 34009")
    return cip13[5:12]


def check_cip(value: str) -> Checked[str]:
    """A drug code as CIP13: a CIP13 is checked, a CIP7 converted."""
    text = _compact(value)
    problems = _digits_problems(text, "cip", (7, 13))
    if problems:
        return Checked.bad(*problems)
    if len(text) == 7:
        return Checked.good(cip7_to_cip13(text))
    if not text.startswith(CIP13_PREFIX):
        problems.append(Problem("cip.prefix"))
    if not ean.is_valid(text):
        problems.append(Problem("cip.key"))
    return Checked.bad(*problems) if problems else Checked.good(text)


def check_lpp(value: str) -> Checked[str]:
    """An LPP device code: 7 digits."""
    return _digits_field(value, "lpp", (7,))


def check_member_number(value: str) -> Checked[str]:
    """The member number (n° d'adhérent): free text as printed, 1 to 30 printable characters."""
    text = value.strip()
    if not text:
        return Checked.bad(Problem("member.empty"))
    problems = []
    if len(text) > MAX_MEMBER_LENGTH:
        problems.append(Problem("member.length", {"count": len(text)}))
    if not text.isprintable():
        problems.append(Problem("member.characters"))
    return Checked.bad(*problems) if problems else Checked.good(text)
