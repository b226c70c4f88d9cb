"""`verifier batch|returns|report` as an administrator runs them (real subprocesses)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.integration.test_cli import demo_db, run, signed  # noqa: F401 - the module-wide demo database
from verifier.exports.bundle import Encryption, open_bundle
from verifier.location import Location


def test_batch_export_returns_and_reconciliation(demo_db: Path, tmp_path: Path) -> None:  # noqa: F811
    made = signed(tmp_path, demo_db, "batch", "create", "--insurer", "80123456")
    assert made.returncode == 0, made.stderr
    assert "Lot n° 000001 créé pour Prévoyance Fictive du Nord" in made.stdout
    batch_id = re.search(r"id=(\d+)", made.stdout).group(1)  # type: ignore[union-attr]
    out = signed(tmp_path, demo_db, "batch", "export", batch_id, "--out", str(tmp_path / "outbox"), "--plain")
    assert out.returncode == 0, out.stderr
    (bundle,) = (tmp_path / "outbox").iterdir()
    files = open_bundle(bundle)
    claim_numbers = [line.split(";")[1] for line in files["claims.csv"].decode("utf-8-sig").splitlines()[1:]]
    sealed = run(
        tmp_path,
        "--db",
        str(demo_db),
        "batch",
        "export",
        batch_id,
        "--out",
        str(tmp_path / "sealed"),
        "--encrypt-passphrase",
        "--user",
        "demo-admin",
        env={"VERIFIER_PASSWORD": "demonstration-2024", "VERIFIER_EXPORT_PASSPHRASE": "une phrase assez longue"},
    )
    assert sealed.returncode == 0, sealed.stderr
    (p7m,) = (tmp_path / "sealed").iterdir()
    assert p7m.name.endswith(".p7m") and open_bundle(p7m, Encryption(passphrase="une phrase assez longue")) == files
    no_secret = signed(
        tmp_path, demo_db, "batch", "export", batch_id, "--out", str(tmp_path / "x"), "--encrypt-passphrase"
    )
    assert no_secret.returncode == 1 and "phrase secrète" in no_secret.stderr

    answer = tmp_path / "retour.csv"
    answer.write_text(
        "claim_number;status;reason_code;reason_text;paid_amount;payment_date\n"
        f"{int(claim_numbers[0])};rejected;ADH;Adhérent inconnu;;\n",
        "utf-8",
    )
    imported = signed(tmp_path, demo_db, "returns", "import", str(answer))
    assert imported.returncode == 0 and "1 rejetée" in imported.stdout, imported.stderr
    again = signed(tmp_path, demo_db, "returns", "import", str(answer))
    assert again.returncode == 1 and "Ligne 2" in again.stderr and "Traceback" not in again.stderr

    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "r.pdf").write_bytes(b"last month's report")
    report = signed(tmp_path, demo_db, "report", "reconciliation", "--csv", "--pdf", str(reports / "r.pdf"))
    assert report.returncode == 0 and report.stdout.startswith("\ufeffamc_number;insurer;")
    assert (reports / "r.pdf").read_bytes().startswith(b"%PDF")  # replaced whole, through a temporary
    assert [p.name for p in reports.iterdir()] == ["r.pdf"]
    listed = signed(tmp_path, demo_db, "batch", "list")
    assert "80123456" in listed.stdout
    void = signed(tmp_path, demo_db, "batch", "void", batch_id, "--reason", "Essai")
    assert void.returncode == 0 and "annulé" in void.stdout


def test_batch_for_an_operator(demo_db: Path, tmp_path: Path) -> None:  # noqa: F811
    from verifier.services import auth, demo, directory

    ctx = auth.sign_in(Location(sqlite_path=demo_db), demo.DEMO_ADMIN, demo.DEMO_PASSWORD)
    try:
        sante = directory.get_insurer(ctx, "12345678")
        directory.update_insurer(
            ctx, sante.id, name=sante.name, operator_code="VIAMEDIS", hotline=None, portal=None, batch_by="operator"
        )
    finally:
        ctx.close()
    own = signed(tmp_path, demo_db, "batch", "create", "--insurer", "12345678")
    assert own.returncode == 1 and "lots de l'opérateur Viamedis" in own.stderr and "Traceback" not in own.stderr
    unknown = signed(tmp_path, demo_db, "batch", "create", "--operator", "NOPE")
    assert unknown.returncode == 1 and "Opérateur inconnu : NOPE" in unknown.stderr
    made = signed(tmp_path, demo_db, "batch", "create", "--operator", "viamedis")
    assert made.returncode == 0, made.stderr
    assert "Lot n° 000001 créé pour Viamedis" in made.stdout
    batch_id = re.search(r"id=(\d+)", made.stdout).group(1)  # type: ignore[union-attr]
    before = signed(tmp_path, demo_db, "batch", "list")
    (line,) = [row for row in before.stdout.splitlines() if row.endswith("opérateur Viamedis")]
    assert "n° 000001  créé, à exporter" in line  # no file written yet
    out = signed(tmp_path, demo_db, "batch", "export", batch_id, "--out", str(tmp_path / "outbox"), "--plain")
    assert out.returncode == 0, out.stderr
    (bundle,) = (tmp_path / "outbox").iterdir()
    assert "_op-viamedis_lot-000001_" in bundle.name
    listed = signed(tmp_path, demo_db, "batch", "list")
    assert "opérateur Viamedis" in listed.stdout
    (line,) = [row for row in listed.stdout.splitlines() if row.endswith("opérateur Viamedis")]
    assert "n° 000001  exporté" in line and "à exporter" not in line
