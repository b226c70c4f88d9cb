"""Reading the ANSM public drug database (BDPM) files into drug records.

Two files of the *Base de données publique des médicaments* are read:

- ``CIS_CIP_bdpm.txt`` (required): one row per presentation (box), 13 tab-separated columns:
  CIS, CIP7, presentation label, presentation status, marketing state, declaration date,
  CIP13, collectivities approval, reimbursement rate(s), price excluding fee, public price
  (fee included), dispensing fee, reimbursement indications.
- ``CIS_bdpm.txt`` (optional): one row per medicine; only the first two columns (CIS code,
  denomination) are used, to give each presentation its medicine name.

Each file may be plain or gzip-compressed (``.gz``); each is decoded as UTF-8 when it is
valid UTF-8 (a BOM is dropped) and as Windows-1252 otherwise, which is how ANSM publishes it.
This module only reads files: no SQL, no Qt.

Decisions (the importer's rules, so that the store and the user can rely on them):

- **Rates.** ``65%``, ``65 %``, ``65,00 %`` and ``65.0%`` all read as 65. An empty rate (or
  ``0 %``) means "not reimbursed": ``rate`` is None and the prestation code is ``PHN``.
  When several rates are given (``30%;65%``), the **lowest** one is kept: a higher rate only
  applies to some indications, and claiming the lowest never claims more than is owed. The
  rate must be one the prestation codes know (15, 30, 65, 100), otherwise the line is skipped
  (``bdpm.bad_rate``) rather than imported with a guess.
- **Prestation codes** (Assurance Maladie, as written on the claim): 100 % → ``PH1``,
  65 % → ``PH7``, 30 % → ``PH4``, 15 % → ``PH2``, no rate → ``PHN``.
- **Prices.** The public price (column 11, fee included) is read as a `Decimal` with exactly
  two places, never a float. French decimal comma or a dot; spaces, non-breaking spaces, and
  dots or commas between groups of three digits are thousands separators (ANSM itself writes
  ``1 234,56`` as ``1,234,56`` at times). A value that cannot be read unambiguously (``1,234``,
  ``12,345``) skips the line (``bdpm.bad_price``); an empty price is None.
- **Marketed.** ``marketed`` is False when the marketing state declares a stop
  ("arrêt de commercialisation", including "le médicament n'a plus d'autorisation") or a
  suspension, or when the presentation itself is abrogated ("Présentation abrogée").
- **Skipped lines** (each with the file, the line number and a reason code): fewer than the 11
  columns needed up to the public price (``bdpm.short_line``), an invalid CIP13 (13 digits,
  prefix 34009, valid EAN-13 check digit: ``bdpm.bad_cip13``), an invalid CIP7 (7 digits:
  ``bdpm.bad_cip7``), an invalid CIS code (8 digits: ``bdpm.bad_cis``), a CIP7 that is not the
  one embedded in the CIP13 (``bdpm.cip_mismatch``), an unreadable rate or price, and a CIP13
  seen before (``bdpm.duplicate``: the first line wins). Blank lines are ignored silently.
  Malformed lines of ``CIS_bdpm.txt`` only cost their name and are not reported.
- **Text.** HTML tags are removed from the name and the label, entities are decoded, and runs
  of spaces are collapsed.
- **Errors.** A missing ``CIS_CIP_bdpm`` file, an unreadable file, or a file in which not a
  single presentation could be read raises `ValidationError` (importing it would empty the
  drug table).
"""

from __future__ import annotations

import gzip
import html
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from stdnum import ean

from verifier import i18n
from verifier.domain.drugs import DrugRecord  # re-exported: the importer produces these
from verifier.domain.errors import Problem, ValidationError
from verifier.formatting import format_count

CIS_CIP_FILE = "CIS_CIP_bdpm.txt"
CIS_FILE = "CIS_bdpm.txt"

#: Columns needed in CIS_CIP_bdpm.txt: everything up to the public price (0-based index 10).
MIN_COLUMNS = 11

PRESTATION_BY_RATE: dict[int, str] = {100: "PH1", 65: "PH7", 30: "PH4", 15: "PH2"}
NOT_REIMBURSED = "PHN"

ENCODING_UTF8 = "utf-8"
ENCODING_CP1252 = "cp1252"

_CENT = Decimal("0.01")
_GZIP_MAGIC = b"\x1f\x8b"
_SPACES = {ord(c): None for c in " \u00a0\u202f\u2009\u2007\t"}
# An amount after removing spaces: digits with optional thousands groups ("1.234", "4,418"),
# then an optional decimal part of one or two digits.
_PRICE_RE = re.compile(r"(\d{1,3}(?:[.,]\d{3})+|\d+)(?:[.,](\d{1,2}))?")
_RATE_RE = re.compile(r"(\d{1,3})(?:[.,](\d+))?\s*%?")
_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>")


@dataclass(frozen=True, slots=True)
class Skipped:
    """A line that was not imported: the file, its 1-based line number and a message code."""

    file: str
    line: int
    reason: str

    def message(self) -> str:
        return i18n.tr("{file}, ligne {line} : {reason}.", file=self.file, line=self.line, reason=i18n.say(self.reason))


@dataclass
class ParseReport:
    """What an import read: the records, the lines left out and why, each file's encoding."""

    records: list[DrugRecord] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    encoding: dict[str, str] = field(default_factory=dict)

    def counts_by_reason(self) -> dict[str, int]:
        """Reason code -> number of skipped lines, most frequent first."""
        return dict(Counter(s.reason for s in self.skipped).most_common())

    def summary(self) -> str:
        """One sentence in the current language, e.g. "20 123 présentations importées, ..."."""
        n = len(self.records)
        imported = i18n.ntr("{n} présentation importée", "{n} présentations importées", n, n=format_count(n))
        if not self.skipped:
            return i18n.tr("{imported}, aucune ignorée.", imported=imported)
        details = ", ".join(
            f"{format_count(count)} {i18n.say(reason)}" for reason, count in self.counts_by_reason().items()
        )
        k = len(self.skipped)
        return i18n.ntr(
            "{imported}, {n} ignorée ({details}).",
            "{imported}, {n} ignorées ({details}).",
            k,
            imported=imported,
            n=format_count(k),
            details=details,
        )


# --------------------------------------------------------------------------- field readers


def parse_rate(text: str) -> Decimal | None:
    """The reimbursement rate in percent, None when empty or zero; ValueError if unreadable.

    Several rates separated by ';' give the lowest one.
    """
    text = text.strip()
    if not text:
        return None
    rates: list[Decimal] = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        m = _RATE_RE.fullmatch(part)
        if m is None:
            raise ValueError(part)
        whole, frac = m.groups()
        value = Decimal(f"{whole}.{frac}") if frac else Decimal(whole)
        if value > 100:
            raise ValueError(part)
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))
        rates.append(value)
    if not rates:
        raise ValueError(text)
    lowest = min(rates)
    return None if lowest == 0 else lowest


def parse_price(text: str) -> Decimal | None:
    """A price in euros with two places, None when empty; ValueError if unreadable."""
    compact = text.translate(_SPACES)
    if not compact:
        return None
    m = _PRICE_RE.fullmatch(compact)
    if m is None:
        raise ValueError(text)
    whole, cents = m.groups()
    if cents is None and ("," in whole or "." in whole):
        # "1,234" or "1.234": a thousands group or three decimals? Refuse to guess.
        raise ValueError(text)
    digits = whole.replace(",", "").replace(".", "")
    return Decimal(f"{digits}.{cents or '0'}").quantize(_CENT)


def prestation_code(rate: Decimal | None) -> str:
    """The Assurance Maladie prestation code for a rate (PHN when not reimbursed)."""
    if rate is None:
        return NOT_REIMBURSED
    code = PRESTATION_BY_RATE.get(int(rate)) if rate == rate.to_integral_value() else None
    if code is None:
        raise ValueError(str(rate))
    return code


def is_valid_cip13(code: str) -> bool:
    """13 digits, the French prefix 34009 and a valid EAN-13 check digit."""
    return (
        len(code) == 13 and code.isascii() and code.isdigit() and code.startswith("34009") and bool(ean.is_valid(code))
    )


def _digits(code: str, length: int) -> bool:
    return len(code) == length and code.isascii() and code.isdigit()


def clean_text(text: str) -> str:
    """Text without HTML tags or entities, surrounding spaces, or runs of spaces."""
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = text.strip()
    if "  " in text or "\u00a0" in text:
        text = " ".join(text.split())
    return text


def _is_stopped(status: str, state: str) -> bool:
    state = state.casefold()
    return "arrêt" in state or "arret" in state or "suspension" in state or "abrog" in status.casefold()


# --------------------------------------------------------------------------- files


def _find(directory: Path, name: str) -> Path | None:
    """`name` or `name.gz` in `directory`, the plain file first, any letter case."""
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    try:
        entries = {p.name.casefold(): p for p in directory.iterdir() if p.is_file()}
    except OSError:
        return None
    for wanted in (name.casefold(), f"{name}.gz".casefold()):
        if wanted in entries:
            return entries[wanted]
    return None


def _read_text(path: Path) -> tuple[str, str]:
    """The decoded text of a (possibly gzipped) file and the encoding that was used."""
    try:
        with path.open("rb") as raw:
            gzipped = raw.read(2) == _GZIP_MAGIC
        if gzipped:
            # GzipFile (unlike gzip.decompress) notices a truncated archive.
            with gzip.open(path, "rb") as unpacked:
                data = unpacked.read()
        else:
            data = path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        raise ValidationError([Problem("bdpm.unreadable_file", {"path": str(path), "error": str(exc)})]) from exc
    try:
        text = data.decode(ENCODING_UTF8)
    except UnicodeDecodeError:
        return data.decode(ENCODING_CP1252, errors="replace"), ENCODING_CP1252
    return text.removeprefix("\ufeff"), ENCODING_UTF8


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its end) for every non-blank line."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line and not line.isspace():
            yield number, line.rstrip("\r")


def _read_names(path: Path) -> tuple[dict[str, str], str]:
    text, encoding = _read_text(path)
    names: dict[str, str] = {}
    for _, line in _lines(text):
        cis, sep, rest = line.partition("\t")
        cis = cis.strip()
        if not sep or not _digits(cis, 8) or cis in names:
            continue
        names[cis] = clean_text(rest.partition("\t")[0])
    return names, encoding


def _locate(source: Path) -> tuple[Path, Path | None]:
    """The CIS_CIP file and the CIS file (if any) for a directory or a CIS_CIP file path."""
    if source.is_file():
        return source, _find(source.parent, CIS_FILE)
    directory = source
    cip_path = _find(directory, CIS_CIP_FILE) if directory.is_dir() else None
    if cip_path is None:
        raise ValidationError(
            [
                Problem(
                    "bdpm.missing_file",
                    {"file": CIS_CIP_FILE, "where": str(directory)},
                )
            ]
        )
    return cip_path, _find(directory, CIS_FILE)


# --------------------------------------------------------------------------- parsing


def parse_bdpm(source: Path) -> ParseReport:
    """Read a BDPM download: a directory holding CIS_CIP_bdpm.txt[.gz] (and, optionally,
    CIS_bdpm.txt[.gz]), or the path of the CIS_CIP_bdpm file itself.

    Raises `ValidationError` when the CIS_CIP file is missing or unreadable, or when not a
    single presentation in it could be read.
    """
    cip_path, cis_path = _locate(Path(source))
    report = ParseReport()

    names: dict[str, str] = {}
    if cis_path is not None:
        names, report.encoding[CIS_FILE] = _read_names(cis_path)

    text, report.encoding[CIS_CIP_FILE] = _read_text(cip_path)
    records = report.records
    skipped = report.skipped
    seen: set[str] = set()
    for number, line in _lines(text):
        result = _record(line.split("\t"), names, seen)
        if isinstance(result, DrugRecord):
            seen.add(result.cip13)
            records.append(result)
        else:
            skipped.append(Skipped(CIS_CIP_FILE, number, result))

    if not records:
        raise ValidationError(
            [
                Problem(
                    "bdpm.no_records",
                    {"path": str(cip_path), "skipped": format_count(len(skipped))},
                )
            ]
        )
    return report


def _record(cols: list[str], names: dict[str, str], seen: set[str]) -> DrugRecord | str:
    """The record of one CIS_CIP line, or the reason code why it is skipped."""
    if len(cols) < MIN_COLUMNS:
        return "bdpm.short_line"
    cip13 = cols[6].strip()
    if not is_valid_cip13(cip13):
        return "bdpm.bad_cip13"
    cip7 = cols[1].strip()
    if not _digits(cip7, 7):
        return "bdpm.bad_cip7"
    cis = cols[0].strip()
    if not _digits(cis, 8):
        return "bdpm.bad_cis"
    if cip13[5:12] != cip7:
        return "bdpm.cip_mismatch"
    if cip13 in seen:
        return "bdpm.duplicate"
    try:
        rate = parse_rate(cols[8])
        code = prestation_code(rate)
    except ValueError:
        return "bdpm.bad_rate"
    try:
        price = parse_price(cols[10])
    except ValueError:
        return "bdpm.bad_price"
    fee = _fee(cols, price)
    return DrugRecord(
        cip13=cip13,
        cip7=cip7,
        cis=cis,
        name=names.get(cis, ""),
        presentation=clean_text(cols[2]),
        rate=rate,
        price=price,
        prestation_code=code,
        marketed=not _is_stopped(cols[3], cols[4]),
        fee=fee,
    )


def _fee(cols: list[str], price: Decimal | None) -> Decimal | None:
    """The dispensing fee per box included in the public price (column 12), when it is there,
    readable and less than the price; otherwise None: the line is then shown whole, never
    split on a guess."""
    if price is None or len(cols) <= 11:
        return None
    try:
        fee = parse_price(cols[11])
    except ValueError:
        return None
    if fee is None or not 0 < fee < price:
        return None
    return fee


i18n.register(
    {
        "bdpm.short_line": i18n.N_("ligne incomplète"),
        "bdpm.bad_cip13": i18n.N_("CIP13 invalide"),
        "bdpm.bad_cip7": i18n.N_("CIP7 invalide"),
        "bdpm.bad_cis": i18n.N_("code CIS invalide"),
        "bdpm.cip_mismatch": i18n.N_("CIP7 différent du CIP13"),
        "bdpm.bad_rate": i18n.N_("taux de remboursement illisible"),
        "bdpm.bad_price": i18n.N_("prix illisible"),
        "bdpm.duplicate": i18n.N_("CIP13 en double"),
        "bdpm.missing_file": i18n.N_(
            "Le fichier {file} (ou {file}.gz) de la base des médicaments est introuvable (cherché dans : {where})."
        ),
        "bdpm.unreadable_file": i18n.N_("Le fichier {path} n'a pas pu être lu ({error})."),
        "bdpm.no_records": i18n.N_(
            "Aucune présentation n'a pu être lue dans {path} (lignes ignorées : {skipped}) : est-ce bien le fichier CIS_CIP_bdpm de la base des médicaments ?"
        ),
    }
)
