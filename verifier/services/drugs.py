"""The drug reference: look-ups by code or scan, and importing a newer ANSM download."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from verifier import i18n
from verifier.domain.errors import NotFound, Problem, ValidationError
from verifier.domain.identifiers import check_cip
from verifier.domain.scanner import ScanResult, parse_scan
from verifier.reference.bdpm import CIS_CIP_FILE as CIS_CIP_FILE  # re-exported for the drugs page
from verifier.reference.bdpm import ParseReport as ParseReport
from verifier.reference.bdpm import parse_bdpm
from verifier.reference.snapshot import shipped_snapshot_dir, shipped_snapshot_info
from verifier.services.context import Context
from verifier.store import audit_log
from verifier.store import drugs as drug_store
from verifier.store.engine import Store
from verifier.store.schema import Drug
from verifier.store.types import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DrugInfo:
    cip13: str
    cip7: str
    name: str
    presentation: str
    rate: Decimal | None
    price: Decimal | None
    prestation_code: str
    marketed: bool
    fee: Decimal | None = None  # the dispensing fee per box included in `price`
    specific: bool = False  # brings the HDE fee (an administrator's flag or imported list)

    @property
    def label(self) -> str:
        return f"{self.name} – {self.presentation}" if self.name else self.presentation


@dataclass(frozen=True)
class ReferenceInfo:
    source: str
    snapshot_date: str
    imported_at: datetime
    count: int
    skipped: int


@dataclass(frozen=True)
class Lookup:
    """What a scan or typed code gave: the CIP13, the drug if known, and the box's data."""

    cip13: str
    drug: DrugInfo | None
    scan: ScanResult | None


def _info(d: Drug, specific: bool = False) -> DrugInfo:
    return DrugInfo(
        d.cip13, d.cip7, d.name, d.presentation, d.rate, d.price, d.prestation_code, d.marketed, d.fee, specific
    )


def lookup(ctx: Context, code: str, separator: str = "auto") -> Lookup:
    """Find a box from a CIP13, a CIP7 or whatever a scanner typed (GS1 DataMatrix included).

    A valid code that is not in the reference gives `drug=None`: the caller says so and lets
    the user enter the line by hand. An invalid code raises ValidationError. `separator`: the
    site's `scan_separator` setting.
    """
    scanned = parse_scan(code, separator=separator)
    if scanned.ok:
        scan = scanned.unwrap()
        cip13 = scan.cip13
    else:
        checked = check_cip(code)
        if not checked.ok:
            raise ValidationError(list(scanned.problems))
        scan, cip13 = None, checked.unwrap()
    with ctx.store.read() as s:
        drug = drug_store.by_cip13(s, cip13)
        return Lookup(cip13, _info(drug, drug_store.is_specific(s, cip13)) if drug else None, scan)


def get(ctx: Context, cip13: str) -> DrugInfo:
    with ctx.store.read() as s:
        drug = drug_store.by_cip13(s, cip13)
        if drug is None:
            raise NotFound("drug.unknown")
        return _info(drug, drug_store.is_specific(s, cip13))


def reference(ctx: Context) -> ReferenceInfo | None:
    with ctx.store.read() as s:
        ref = drug_store.reference_info(s)
        if ref is None:
            return None
        return ReferenceInfo(ref.source, ref.snapshot_date, ref.imported_at, ref.count, ref.skipped)


# A download with fewer presentations than this share of the current reference is refused
# unless the administrator says it is complete: a truncated file (a download cut short) kept
# 10 presentations of 20,747.
SHRINK_FLOOR = Decimal("0.80")


def _import(
    store: Store,
    actor_login: str,
    actor_id: int | None,
    report: ParseReport,
    source: str,
    date: str,
    allow_shrink: bool = True,
) -> int:
    with store.write() as s:
        current = drug_store.reference_info(s)
        new = len(report.records)
        if not allow_shrink and current is not None and current.count and new < current.count * SHRINK_FLOOR:
            raise ValidationError(
                [
                    Problem(
                        "drug.import_shrink",
                        {"new": new, "current": current.count, "percent": int(new * 100 / current.count)},
                    )
                ]
            )
        count = drug_store.replace_reference(s, report.records, source, date, utcnow(), actor_id, len(report.skipped))
        audit_log.append(
            s,
            actor_login,
            "drugs.imported",
            "drug_reference",
            "1",
            {"source": source, "snapshot": date, "count": count, "skipped": len(report.skipped)},
        )
    return count


def import_reference(
    ctx: Context,
    path: Path,
    snapshot_date: str | None = None,
    progress: Callable[[str], None] | None = None,
    allow_shrink: bool = False,
) -> ParseReport:
    """Replace the reference with an ANSM download (directory or CIS_CIP_bdpm file).

    `progress`, if given, is called with the phase starting: "reading" (reading and
    checking the files), then "writing" (replacing the table, in one transaction). A file with
    fewer than 80 % of the current presentations is refused (drug.import_shrink) unless
    `allow_shrink`: nothing is replaced.
    """
    ctx.require_admin("import_drugs")
    if progress is not None:
        progress("reading")
    report = parse_bdpm(path)
    if not report.records:
        raise ValidationError([Problem("drug.import_empty")])
    date = snapshot_date or datetime.now().strftime("%Y-%m-%d")
    if progress is not None:
        progress("writing")
    _import(ctx.store, ctx.actor.login, ctx.actor.user_id, report, f"ANSM BDPM ({path.name})", date, allow_shrink)
    log.info("drug reference imported: %d rows, %d skipped", len(report.records), len(report.skipped))
    return report


def load_shipped_snapshot(store: Store, actor_login: str, actor_id: int | None) -> int:
    """Load the snapshot shipped with the application (done once, when a site is set up)."""
    info = shipped_snapshot_info()
    report = parse_bdpm(shipped_snapshot_dir())
    return _import(
        store, actor_login, actor_id, report, str(info.get("source", "ANSM BDPM")), str(info.get("date", ""))
    )


def specific_list(ctx: Context) -> list[str]:
    """The CIP13 of the presentations that bring the HDE fee (issue 13)."""
    with ctx.store.read() as s:
        return drug_store.specific_codes(s)


def set_specific(ctx: Context, codes: list[str], on: bool = True, lines: list[int] | None = None) -> int:
    """Flag presentations as specific drugs (HDE), or unflag them; administrators only,
    audited. Each code is a CIP13 or CIP7 of the reference; an unknown or invalid one refuses
    the whole list with its line number (`lines`: each code's line in its file), and nothing
    changes. Returns how many changed."""
    ctx.require_admin("specific_drugs")
    problems: list[Problem] = []
    cip13s: list[str] = []
    with ctx.store.write() as s:
        for number, code in zip(lines or range(1, len(codes) + 1), codes, strict=True):
            text = code.strip()
            checked = check_cip(text)
            if not checked.ok:
                problems.append(Problem("drug.specific_bad_code", {"line": number, "code": text[:20]}))
                continue
            cip13 = checked.unwrap()
            # Flagging needs the presentation in the reference; unflagging never does (a drug
            # that left the reference must still come off the list).
            if on and drug_store.by_cip13(s, cip13) is None:
                problems.append(Problem("drug.specific_unknown", {"line": number, "code": cip13}))
                continue
            cip13s.append(cip13)
        if problems:
            raise ValidationError(problems)
        if not cip13s:
            raise ValidationError([Problem("drug.specific_empty")])
        changed = drug_store.set_specific(s, cip13s, on, ctx.actor.user_id, utcnow())
        audit_log.append(
            s,
            ctx.actor.login,
            "drugs.specific_set" if on else "drugs.specific_unset",
            "drug_reference",
            "1",
            {"count": changed, "codes": cip13s[:50]},
        )
    return changed


def read_code_list(path: Path) -> list[tuple[int, str]]:
    """The codes of a list file with their line numbers: one CIP13 (or CIP7) per line, or the
    first column of a CSV (comma or semicolon); blank lines, '#' comments and a first line
    whose first cell starts with a letter (a header: "cip13;libellé") are skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        # Excel's French CSV; a byte cp1252 leaves undefined reads as U+FFFD, so that line's
        # code is refused with its number rather than the whole file with a traceback.
        text = path.read_bytes().decode("cp1252", errors="replace")
    codes: list[tuple[int, str]] = []
    first_line = True
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        first = line.replace(";", ",").split(",")[0].strip().strip('"')
        header = first_line and first[:1].isalpha()  # "cip13;libellé", never "34009X..."
        first_line = False
        if header:
            continue  # "cip13;libellé": a mistyped code such as 34009X... is kept, and refused
        codes.append((number, first))
    return codes


i18n.register(
    {
        "drug.specific_bad_code": i18n.N_(
            "Ligne {line} : « {code} » n'est pas un code CIP13 ou CIP7 valide. Corrigez la liste ; rien n'a été changé."
        ),
        "drug.specific_unknown": i18n.N_(
            "Ligne {line} : le code {code} n'est pas dans la base des médicaments. Retirez-le de la liste ou importez une base plus récente ; rien n'a été changé."
        ),
        "drug.specific_empty": i18n.N_("La liste ne contient aucun code : rien n'a été changé."),
        "drug.unknown": i18n.N_(
            "Ce code n'est pas dans la base des médicaments. Saisissez la ligne à la main (libellé, prix, taux)."
        ),
        "drug.import_shrink": i18n.N_(
            "Ce fichier ne contient que {new} présentations, {percent} % des {current} du référentiel actuel : il est sans doute tronqué (téléchargement interrompu). Rien n'a été remplacé. Téléchargez-le à nouveau ; s'il est bien complet, importez-le avec « verifier drugs import --allow-shrink »."
        ),
        "drug.import_empty": i18n.N_(
            "Le fichier ne contient aucune présentation lisible : vérifiez qu'il s'agit bien de CIS_CIP_bdpm.txt téléchargé sur le site de l'ANSM."
        ),
    }
)
