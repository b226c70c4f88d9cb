"""Verifying the audit log (administrators): the chain, its anchors, the amounts."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from verifier.security import signing
from verifier.security.audit import anchor_mac, anchor_message
from verifier.services import authority
from verifier.services.context import Context
from verifier.services.json_reader import load_json
from verifier.store import audit_log, claims_query, database
from verifier.store.audit_log import ChainReport

# What an anchor found: the chain ends before it (events removed from the end, or an older
# copy of the database put back), holds another event at its place (rewritten), or the
# anchor itself was not made with the site's keys (forged).
TRUNCATED = "truncated"
REWRITTEN = "rewritten"
FORGED = "forged"


@dataclass(frozen=True)
class AnchorFinding:
    source: str  # "slots" (beside the key slots) or a manifest's path
    seq: int
    kind: str  # TRUNCATED, REWRITTEN or FORGED
    head: int  # the chain's last event now


@dataclass(frozen=True)
class Witness:
    source: str
    seq: int
    digest: str
    at: str
    mac: str | None = None
    signature: str | None = None


def verify(ctx: Context) -> ChainReport:
    ctx.require_admin("verify_audit")
    with ctx.store.read() as s:
        return audit_log.verify(s, ctx.store.audit_key)


def manifest_witness(path: Path) -> Witness | None:
    """The audit witness of an export's manifest: `manifest.json` itself or a plain bundle
    (.zip). None when it carries none (bundles made before format 1.4)."""
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as zf:
            raw = zf.read("manifest.json")
    else:
        raw = path.read_bytes()
    data = load_json(raw.decode("utf-8"))  # too deep, too long a number: ImportRefused
    w = data.get("audit_witness") if isinstance(data, dict) else None
    if not isinstance(w, dict):
        return None
    return Witness(str(path), int(w["seq"]), str(w["hash"]), str(w["at"]), None, w.get("signature"))


def anchors(ctx: Context, manifests: Sequence[Path] = ()) -> list[AnchorFinding]:
    """Every anchor found (the one beside the key slots, and each manifest given) checked
    against the chain: which ones it no longer reaches or no longer matches."""
    ctx.require_admin("verify_audit")
    witnesses: list[Witness] = []
    local = database.slot_store(ctx.store.location).anchor()
    if local is not None:
        witnesses.append(
            Witness(
                "slots",
                int(str(local["seq"])),
                str(local["hash"]),
                str(local["at"]),
                str(local.get("mac")),
                str(local["signature"]) if local.get("signature") else None,
            )
        )
    witnesses += [w for w in (manifest_witness(p) for p in manifests) if w is not None]
    key = ctx.store.audit_key
    findings = []
    with ctx.store.read() as s:
        public = authority.public_key(s)
        head, _ = audit_log.head(s)
        for w in witnesses:
            made_here = w.mac is not None and key is not None and w.mac == anchor_mac(key.key, w.seq, w.digest, w.at)
            signed = (
                w.signature is not None
                and public is not None
                and signing.verifies(public, anchor_message(w.seq, w.digest, w.at), w.signature)
            )
            if not (made_here or signed):
                findings.append(AnchorFinding(w.source, w.seq, FORGED, head))
            elif w.seq > head:
                findings.append(AnchorFinding(w.source, w.seq, TRUNCATED, head))
            elif audit_log.hash_at(s, w.seq) != w.digest:
                findings.append(AnchorFinding(w.source, w.seq, REWRITTEN, head))
    return findings


@dataclass(frozen=True)
class AmountMismatch:
    """A claim whose AMC is not the one its audit events recorded: changed outside the program."""

    number: int
    stored: Decimal
    audited: Decimal


def amount_mismatches(ctx: Context) -> list[AmountMismatch]:
    """Claims whose AMC differs from what the event that set it recorded (issue 12: an amount
    changed by SQL, with no event, was not seen by `audit verify`)."""
    ctx.require_admin("verify_audit")
    with ctx.store.read() as s:
        audited = audit_log.audited_amc(s)
        rows = claims_query.amounts_by_id(s)
    found = []
    for claim_id, number, amc in rows:
        recorded = audited.get(claim_id)
        if recorded is not None and Decimal(recorded) != amc:
            found.append(AmountMismatch(number, amc, Decimal(recorded)))
    return sorted(found, key=lambda m: m.number)
