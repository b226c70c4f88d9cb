"""Issue 12 points 5 and 7: `verifier returns import FILE` on hostile or mistaken files.

Each file seen to end in "Erreur inattendue" (or to be imported across insurers) is refused with
one French sentence naming the line or JSON path, exit status 1, and the database unchanged.
The real command runs as a subprocess on a copy of the demo database with three batches (one
per insurer): batch 1 (Mutuelle Exemple des Alpes, claim 22 still exported), batch 2
(Prévoyance Fictive du Nord, claims 5, 8…), batch 3 (Complémentaire Démo Santé, claims 3, 6…).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.integration.test_cli import run, signed

HEADER = "claim_number;status;reason_code;reason_text;paid_amount;payment_date\n"


@pytest.fixture(scope="module")
def three_batches(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database with a batch for each of its three insurers (made once, copied per test)."""
    tmp = tmp_path_factory.mktemp("returns-demo")
    db = tmp / "demo.db"
    made = run(tmp, "demo", "--db", str(db))
    assert made.returncode == 0, made.stderr
    for amc in ("80123456", "12345678"):
        r = signed(tmp, db, "batch", "create", "--insurer", amc)
        assert r.returncode == 0, r.stderr
    return db


@pytest.fixture
def db(three_batches: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "db" / "demo.db"
    copy.parent.mkdir()
    for f in three_batches.parent.glob(three_batches.name + "*"):  # the database and its key slots
        shutil.copy(f, copy.parent / f.name)
    return copy


def _state(tmp_path: Path, db: Path) -> tuple[object, object]:
    claims = signed(tmp_path, db, "claims", "list", "--json")
    batches = signed(tmp_path, db, "batch", "list")
    assert claims.returncode == 0 and batches.returncode == 0, claims.stderr + batches.stderr
    return json.loads(claims.stdout), batches.stdout


def _status(state: tuple[object, object], number: int) -> str:
    claims = state[0]
    assert isinstance(claims, dict)
    return str(next(c["status"] for c in claims["claims"] if c["number"] == number))


def _refused(tmp_path: Path, db: Path, file: Path | str, *options: str) -> str:
    """Import `file`; assert it is refused in one sentence and nothing changed; the sentence."""
    before = _state(tmp_path, db)
    r = signed(tmp_path, db, "returns", "import", str(file), *options)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    err = r.stderr.strip()
    assert err and "Traceback" not in err and "Erreur inattendue" not in err and "Unexpected" not in err, err
    assert r.stdout == ""
    assert _state(tmp_path, db) == before
    return err


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, "utf-8")
    return path


def test_random_bytes(db: Path, tmp_path: Path) -> None:
    err = _refused(tmp_path, db, _write(tmp_path, "retour.csv", os.urandom(4096)))
    assert "n'est pas un fichier de retour" in err


def test_random_bytes_without_a_nul_byte(db: Path, tmp_path: Path) -> None:
    junk = bytes(b for b in os.urandom(8192) if b not in (0, 10, 13))[:4096]
    err = _refused(tmp_path, db, _write(tmp_path, "retour.csv", b"x\n" + junk + b"\x81"))
    assert "Ligne 2" in err and "UTF-8" in err


def test_a_0x81_byte(db: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "retour.csv", HEADER.encode() + b"22;rejected;DRO;Droits ferm\x81s;;\n")
    err = _refused(tmp_path, db, path)
    assert "Ligne 2" in err and "0x81" in err and "UTF-8" in err


def test_a_utf16_file(db: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "retour.csv", (HEADER + "22;accepted;;;;\n").encode("utf-16"))
    assert "UTF-16" in _refused(tmp_path, db, path)
    no_mark = _write(tmp_path, "retour2.csv", (HEADER + "22;accepted;;;;\n").encode("utf-16-le"))
    assert "UTF-16" in _refused(tmp_path, db, no_mark)


def test_json_nested_100000_deep(db: Path, tmp_path: Path) -> None:
    err = _refused(tmp_path, db, _write(tmp_path, "retour.json", "[" * 100_000 + "]" * 100_000))
    assert err.startswith("$ :") and "imbriqué" in err


def test_a_200000_character_field_csv(db: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "retour.csv", HEADER + "22;rejected;DRO;" + "a" * 200_000 + ";;\n")
    err = _refused(tmp_path, db, path)
    assert "Ligne 2" in err and "caractères" in err


def test_a_200000_character_field_quoted_over_lines(db: Path, tmp_path: Path) -> None:
    cell = '"' + ("a" * 9_000 + "\n") * 23 + '"'  # each physical line is short, the cell is not
    err = _refused(tmp_path, db, _write(tmp_path, "retour.csv", HEADER + f"22;rejected;DRO;{cell};;\n"))
    assert "Ligne" in err


def test_a_200000_character_field_json(db: Path, tmp_path: Path) -> None:
    body = [{"claim_number": 22, "status": "rejected", "reason_code": "DRO", "reason_text": "a" * 200_000}]
    err = _refused(tmp_path, db, _write(tmp_path, "retour.json", json.dumps(body)))
    assert "$[0].reason_text" in err and "200000" in err


def test_superscript_two_as_a_claim_number(db: Path, tmp_path: Path) -> None:
    err = _refused(tmp_path, db, _write(tmp_path, "retour.csv", HEADER + "²;accepted;;;;\n"))
    assert "Ligne 2" in err and "numéro de demande" in err
    body = [{"claim_number": "²", "status": "accepted"}]
    err = _refused(tmp_path, db, _write(tmp_path, "retour.json", json.dumps(body)))
    assert "$[0].claim_number" in err


def test_a_5000_digit_number_in_csv(db: Path, tmp_path: Path) -> None:
    err = _refused(tmp_path, db, _write(tmp_path, "retour.csv", HEADER + "9" * 5000 + ";accepted;;;;\n"))
    assert "Ligne 2" in err and "5000 chiffres" in err
    amount = _write(tmp_path, "montant.csv", HEADER + "22;paid;;;" + "9" * 5000 + ";2026-01-01\n")
    assert "montant payé illisible" in _refused(tmp_path, db, amount)


def test_a_5000_digit_number_in_json(db: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "retour.json", '[{"claim_number": ' + "9" * 5000 + ', "status": "accepted"}]')
    err = _refused(tmp_path, db, path)
    assert "$[0].claim_number" in err and "5000 chiffres" in err
    amount = '[{"claim_number": 22, "status": "paid", "paid_amount": ' + "9" * 5000 + ', "payment_date": "2026-01-01"}]'
    assert "$[0].paid_amount" in _refused(tmp_path, db, _write(tmp_path, "montant.json", amount))


def test_a_claim_number_too_big_for_the_database(db: Path, tmp_path: Path) -> None:
    err = _refused(tmp_path, db, _write(tmp_path, "retour.csv", HEADER + "99999999999999999999;accepted;;;;\n"))
    assert "Ligne 2" in err and "20 chiffres" in err


# `returns import` writes no file (it has no --out option): the paths that can go wrong are the
# input's. A full disk would hit the database commit, which these tests cannot simulate without root
# mounts; it is not covered here.


def test_the_file_is_a_directory(db: Path, tmp_path: Path) -> None:
    (tmp_path / "dossier").mkdir()
    assert "Impossible de lire" in _refused(tmp_path, db, tmp_path / "dossier")


def test_the_file_is_a_device(db: Path, tmp_path: Path) -> None:
    assert "Impossible de lire" in _refused(tmp_path, db, "/dev/full")


def test_there_is_no_output_option(db: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "retour.csv", HEADER + "22;accepted;;;;\n")
    before = _state(tmp_path, db)
    r = signed(tmp_path, db, "returns", "import", str(path), "--out", str(tmp_path / "existing"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert _state(tmp_path, db) == before


# Point 5: a return file answers one batch, of one insurer (or one operator).


def test_two_insurers_none_of_them_the_first_batchs(db: Path, tmp_path: Path) -> None:
    """Today's main imported this file: claim 22 (batch 1) accepted with claims of batches 2 and 3."""
    path = _write(tmp_path, "retour.csv", HEADER + "22;accepted;;;;\n5;accepted;;;;\n3;accepted;;;;\n")
    err = _refused(tmp_path, db, path)
    assert "un seul lot" in err and "Mutuelle Exemple des Alpes" in err and "ligne 2" in err
    assert "ligne 3 (demande n° 5" in err and "ligne 4 (demande n° 3" in err
    assert "Prévoyance Fictive du Nord" in err and "Complémentaire Démo Santé" in err


def test_two_other_insurers_in_one_file(db: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "retour.csv", HEADER + "5;accepted;;;;\n8;accepted;;;;\n3;paid;;;1.00;2026-01-02\n")
    err = _refused(tmp_path, db, path)
    assert "Prévoyance Fictive du Nord" in err and "ligne 4 (demande n° 3" in err and "ligne 3 (" not in err


def test_two_insurers_none_of_them_the_named_batch(db: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "retour.csv", HEADER + "5;accepted;;;;\n3;accepted;;;;\n")
    err = _refused(tmp_path, db, path, "--batch", "1")
    assert "Mutuelle Exemple des Alpes" in err and "choisi" in err
    assert "ligne 2 (demande n° 5" in err and "ligne 3 (demande n° 3" in err


def test_two_insurers_in_json(db: Path, tmp_path: Path) -> None:
    body = [{"claim_number": 5, "status": "accepted"}, {"claim_number": 22, "status": "accepted"}]
    err = _refused(tmp_path, db, _write(tmp_path, "retour.json", json.dumps(body)))
    assert "$[1] (demande n° 22" in err and "en $[0]" in err


def test_a_batch_that_does_not_exist(db: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "retour.csv", HEADER + "22;accepted;;;;\n")
    assert "Le lot 99 n'existe pas" in _refused(tmp_path, db, path, "--batch", "99")
    assert "n'existe pas" in _refused(tmp_path, db, path, "--batch", "9" * 30)


def test_a_file_for_one_batch_is_still_imported(db: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "retour.csv", HEADER + "5;accepted;;;;\n8;rejected;DRO;Droits fermés;;\n")
    r = signed(tmp_path, db, "returns", "import", str(path), "--batch", "2")
    assert r.returncode == 0, r.stderr
    assert "1 acceptée(s), 1 rejetée(s)" in r.stdout
    after = _state(tmp_path, db)
    assert (_status(after, 5), _status(after, 8), _status(after, 3)) == ("accepted", "rejected", "exported")
