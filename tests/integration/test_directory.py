"""The administrators' services: the directory (insurers, operators, CSV import) and users.

Every test runs on encrypted SQLite and on PostgreSQL (the `location` fixture).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.factories import AMC, make_site
from verifier.domain.errors import NotFound, PermissionDenied, ValidationError
from verifier.services import auth, directory, drugs, settings, users
from verifier.services.context import Context
from verifier.store.engine import Location
from verifier.store.schema import AuditEvent

SAMPLE = Path(str(resources.files("verifier.resources").joinpath("data", "insurers-sample.csv")))
COUNTER_PASSWORD = "anne's long password"


@pytest.fixture
def admin(location: Location) -> Iterator[Context]:
    ctx = make_site(location)
    yield ctx
    ctx.close()


@pytest.fixture
def counter(admin: Context) -> Iterator[Context]:
    auth.add_user(admin, "anne", "Anne", "counter", COUNTER_PASSWORD)
    ctx = auth.sign_in(admin.store.location, "anne", COUNTER_PASSWORD)
    yield ctx
    ctx.close()


def audit_events(ctx: Context, prefix: str) -> list[tuple[str, dict[str, object]]]:
    with ctx.store.read() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.action.startswith(prefix)).order_by(AuditEvent.seq))
        return [(e.action, json.loads(e.details)) for e in rows]


def snapshot(ctx: Context) -> tuple[list[directory.InsurerInfo], list[directory.OperatorInfo]]:
    return (directory.list_insurers(ctx, include_inactive=True), directory.list_operators(ctx, include_inactive=True))


# --------------------------------------------------------------------------- insurers


def test_edit_and_deactivate_an_insurer(admin: Context) -> None:
    directory.add_operator(admin, "ALMERYS", "Almerys")
    ins = directory.get_insurer(admin, AMC)
    edited = directory.update_insurer(
        admin,
        ins.id,
        name="  Mutuelle Test Renommée ",
        operator_code="almerys",
        hotline="01 99 00 00 01",
        portal="",
        batch_by="operator",
    )
    assert (edited.amc_number, edited.name, edited.operator_code, edited.hotline, edited.portal, edited.batch_by) == (
        AMC,
        "Mutuelle Test Renommée",
        "ALMERYS",
        "01 99 00 00 01",
        None,
        "operator",
    )
    assert directory.get_insurer(admin, ins.id) == edited
    # nothing changed: nothing logged
    directory.update_insurer(
        admin,
        ins.id,
        name="Mutuelle Test Renommée",
        operator_code="ALMERYS",
        hotline="01 99 00 00 01",
        portal=None,
        batch_by="operator",
    )
    updates = [d for a, d in audit_events(admin, "insurer.updated")]
    assert updates == [{"amc": AMC, "fields": ["batch_by", "hotline", "name", "operator"]}]

    off = directory.set_insurer_active(admin, ins.id, False)
    assert not off.active
    assert directory.list_insurers(admin) == []
    assert [i.id for i in directory.list_insurers(admin, include_inactive=True)] == [ins.id]
    assert directory.set_insurer_active(admin, ins.id, True).active
    assert [a for a, _ in audit_events(admin, "insurer.")][-2:] == ["insurer.deactivated", "insurer.activated"]


def test_adding_an_insurer_of_a_known_operator_creates_the_operator(admin: Context) -> None:
    """The set-up assistant offers the known operators before any is in the directory."""
    assert "ITELIS" not in {op.code for op in directory.list_operators(admin)}
    info = directory.add_insurer(admin, "99100057", "Mutuelle B", "itelis")
    assert info.operator_code == "ITELIS"
    assert directory.get_operator(admin, "ITELIS").name == "Itelis"
    assert audit_events(admin, "operator.created")[-1] == ("operator.created", {"code": "ITELIS"})
    before = snapshot(admin)
    with pytest.raises(ValidationError) as refused:
        directory.add_insurer(admin, "99100065", "Mutuelle C", "NOPE")
    assert [p.code for p in refused.value.problems] == ["operator.unknown"]
    assert snapshot(admin) == before


def test_insurer_edit_is_refused_with_every_problem(admin: Context) -> None:
    ins = directory.get_insurer(admin, AMC)
    with pytest.raises(ValidationError) as err:
        directory.update_insurer(
            admin, ins.id, name=" ", operator_code="NOPE", hotline="0" * 41, portal=None, batch_by="weekly"
        )
    fields = {p.field for p in err.value.problems}
    assert fields == {"name", "operator", "hotline", "batch_by"}
    assert directory.get_insurer(admin, ins.id) == ins
    with pytest.raises(NotFound):
        directory.update_insurer(
            admin, 9999, name="X", operator_code=None, hotline=None, portal=None, batch_by="insurer"
        )
    with pytest.raises(NotFound):
        directory.set_insurer_active(admin, 9999, False)


def test_edit_and_deactivate_an_operator(admin: Context) -> None:
    op = directory.list_operators(admin)[0]
    edited = directory.update_operator(
        admin, op.id, name="Viamedis (tiers payant)", health_url=" https://status.example.invalid/viamedis "
    )
    assert (edited.code, edited.name, edited.health_url) == (
        "VIAMEDIS",
        "Viamedis (tiers payant)",
        "https://status.example.invalid/viamedis",
    )
    with pytest.raises(ValidationError) as err:
        directory.update_operator(admin, op.id, name="", health_url="status page")
    assert {p.field for p in err.value.problems} == {"name", "health_url"}
    assert not directory.set_operator_active(admin, op.id, False).active
    assert directory.list_operators(admin) == []
    assert directory.get_insurer(admin, AMC).operator_code == "VIAMEDIS"  # insurers keep it
    assert directory.set_operator_active(admin, op.id, True).active
    assert [a for a, _ in audit_events(admin, "operator.")][-3:] == [
        "operator.updated",
        "operator.deactivated",
        "operator.activated",
    ]
    with pytest.raises(NotFound):
        directory.update_operator(admin, 9999, name="X", health_url=None)


# --------------------------------------------------------------------------- CSV import


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "annuaire.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_import_the_shipped_sample(admin: Context) -> None:
    report = directory.import_insurers_csv(admin, SAMPLE)
    assert (report.created, report.updated, report.encoding, report.separator) == (12, 0, "utf-8", ";")
    # VIAMEDIS existed; the other known operators are created with their usual names
    assert set(report.operators_created) == set(directory.KNOWN_OPERATORS) - {"VIAMEDIS"}
    quoted = directory.get_insurer(admin, "99100011")
    assert quoted.name == "Mutuelle Exemple ; Santé des Pins"
    assert directory.get_insurer(admin, "99100012").operator_code is None
    assert directory.get_insurer(admin, "991000010").operator_code == "SEVEANE"
    ops = {o.code: o.name for o in directory.list_operators(admin)}
    assert ops["SPSANTE"] == "SP Santé" and ops["VIAMEDIS"] == "Viamedis"
    assert "Organismes ajoutés : 12" in report.summary() and report.details() == []
    summary = audit_events(admin, "insurer.csv_imported")
    assert summary == [("insurer.csv_imported", {"created": 12, "updated": 0, "unchanged": 0, "operators_created": 9})]
    # importing it again changes nothing, and says so line by line
    again = directory.import_insurers_csv(admin, SAMPLE)
    assert (again.created, again.updated, again.count(directory.UNCHANGED)) == (0, 0, 12)
    assert again.details()[0] == "Ligne 2 : l'organisme 99100001 existait déjà, à l'identique."


@pytest.mark.parametrize(("encoding", "sep"), [("utf-8", ";"), ("utf-8-sig", ","), ("cp1252", ";"), ("cp1252", ",")])
def test_import_updates_existing_amc_in_both_encodings_and_separators(
    admin: Context, tmp_path: Path, encoding: str, sep: str
) -> None:
    ins = directory.get_insurer(admin, AMC)
    directory.set_insurer_active(admin, ins.id, False)
    directory.update_insurer(
        admin,
        ins.id,
        name="Mutuelle Test",
        operator_code="VIAMEDIS",
        hotline="0199000000",
        portal="https://old.example.invalid",
        batch_by="operator",
    )
    rows = [
        ["amc_number", "name", "operator", "hotline"],  # no portal column: portals are kept
        [AMC.replace("123", " 123 "), "Mutuelle Test Évolution", "", ""],
        ["99100020", "Prévoyance Œuvre Fictive", "almerys", "01 99 00 20 20"],
        [],
        ["99100021", "Mutuelle Fictive Sud", "VIAMEDIS", ""],
    ]
    text = "\r\n".join(sep.join(r) for r in rows) + "\r\n"
    report = directory.import_insurers_csv(admin, write(tmp_path, text, encoding))
    assert report.separator == sep and report.encoding == ("cp1252" if encoding == "cp1252" else "utf-8")
    assert (report.created, report.updated) == (2, 1)
    assert report.operators_created == ("ALMERYS",)
    assert report.details() == [f"Ligne 2 : l'organisme {AMC} existait déjà ; il a été mis à jour. Il reste désactivé."]
    updated = directory.get_insurer(admin, AMC)
    assert (updated.name, updated.operator_code, updated.hotline, updated.portal, updated.batch_by, updated.active) == (
        "Mutuelle Test Évolution",
        None,
        None,
        "https://old.example.invalid",
        "operator",
        False,
    )
    assert directory.get_insurer(admin, "99100020").name == "Prévoyance Œuvre Fictive"
    assert directory.get_insurer(admin, "99100021").operator_code == "VIAMEDIS"
    events = audit_events(admin, "insurer.updated")
    assert events[-1] == ("insurer.updated", {"amc": AMC, "fields": ["hotline", "name", "operator"], "source": "csv"})


def test_a_bad_file_changes_nothing_and_names_every_problem(admin: Context, tmp_path: Path) -> None:
    before = snapshot(admin)
    text = (
        "amc_number;name;operator;hotline;portal\n"
        "99100030;Mutuelle Fictive Correcte;ALMERYS;;\n"  # good, but the file is refused
        "12AB;Mutuelle Lettres;;;\n"  # 3: AMC with letters
        "99100031;;;;\n"  # 4: no name
        "99100030;Doublon;;;\n"  # 5: AMC already on line 2
        "99100032;Mutuelle Opérateur Inconnu;VIAMEDSI;;\n"  # 6: operator typo
        "99100033;Mutuelle Trop; de champs;ALMERYS;;https://x.example.invalid\n"  # 7: unquoted ";"
        f"99100034;Mutuelle Hotline;;{'1' * 41};\n"  # 8: hotline too long
        "12345678901;Mutuelle Numéro Long;;;\n"  # 9: AMC too long
    )
    with pytest.raises(ValidationError) as err:
        directory.import_insurers_csv(admin, write(tmp_path, text))
    problems = err.value.problems
    assert [p.params["line"] for p in problems] == [3, 4, 5, 6, 7, 8, 9]
    messages = [p.message() for p in problems]
    assert messages[0].startswith("Ligne 3 : Le numéro AMC ne contient que des chiffres")
    assert messages[1] == "Ligne 4 : Indiquez le nom de l'organisme complémentaire."
    assert messages[2] == "Ligne 5 : le numéro AMC 99100030 figure déjà ligne 2."
    assert "VIAMEDSI" in messages[3]
    assert "6 champs au lieu de 5" in messages[4]
    assert "40 caractères au plus" in messages[5]
    assert "Le numéro AMC compte 1 à 10 chiffres" in messages[6]
    assert snapshot(admin) == before
    assert audit_events(admin, "insurer.csv") == []


def test_bad_headers_and_unreadable_files(admin: Context, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as err:
        directory.import_insurers_csv(admin, write(tmp_path, "\nnumero_amc,nom,fax,nom\n1,A,x,y\n"))
    messages = [p.message() for p in err.value.problems]
    assert len(messages) == 2 and all(m.startswith("Ligne 2 :") for m in messages)
    assert "« fax »" in messages[0] and "deux fois" in messages[1]
    with pytest.raises(ValidationError) as err:
        directory.import_insurers_csv(admin, write(tmp_path, "name;hotline\nA;1\n"))
    assert "« amc_number » manque" in str(err.value)
    with pytest.raises(ValidationError) as err:
        directory.import_insurers_csv(admin, write(tmp_path, "  \n"))
    assert "vide" in str(err.value)
    with pytest.raises(ValidationError) as err:
        directory.import_insurers_csv(admin, write(tmp_path, "amc_number;name\n"))
    assert "aucun organisme" in str(err.value)
    with pytest.raises(ValidationError) as err:
        directory.import_insurers_csv(admin, tmp_path / "absent.csv")
    assert "absent.csv" in str(err.value)
    # French column names are accepted
    report = directory.import_insurers_csv(
        admin, write(tmp_path, "Numéro AMC;Nom;Opérateur\n99100040;Mutuelle Fictive FR;ACTIL\n")
    )
    assert report.created == 1 and directory.get_insurer(admin, "99100040").operator_code == "ACTIL"
    # without an operator column, operators are left as they are
    report = directory.import_insurers_csv(admin, write(tmp_path, f"nom;numero_amc\nMutuelle Renommée;{AMC}\n"))
    assert report.updated == 1
    assert (directory.get_insurer(admin, AMC).name, directory.get_insurer(admin, AMC).operator_code) == (
        "Mutuelle Renommée",
        "VIAMEDIS",
    )


# --------------------------------------------------------------------------- users


def test_users_list_add_role_and_activation(admin: Context) -> None:
    added = users.add_user(admin, "bruno", "Bruno", "counter", "a long enough password")
    assert (added.login, added.display_name, added.role, added.active) == ("bruno", "Bruno", "counter", True)
    assert [(u.login, u.role) for u in users.list_users(admin)] == [("admin", "admin"), ("bruno", "counter")]
    with pytest.raises(ValidationError) as err:
        users.add_user(admin, "carla", "Carla", "counter", "too short")
    assert [p.field for p in err.value.problems] == ["password"]
    assert users.set_role(admin, "bruno", "admin").role == "admin"
    with pytest.raises(ValidationError):
        users.set_role(admin, "bruno", "boss")
    assert not users.set_active(admin, "bruno", False).active
    assert users.set_active(admin, "bruno", True).active
    actions = [a for a, _ in audit_events(admin, "user.")]
    assert actions[-3:] == ["user.role_changed", "user.deactivated", "user.activated"]
    assert audit_events(admin, "user.role_changed") == [("user.role_changed", {"from": "counter", "to": "admin"})]
    with pytest.raises(NotFound):
        users.set_role(admin, "nobody", "counter")


def test_the_last_active_admin_stays(admin: Context) -> None:
    users.add_user(admin, "bruno", "Bruno", "counter", "a long enough password")
    with pytest.raises(ValidationError) as err:
        users.set_role(admin, "admin", "counter")
    assert "dernier administrateur actif" in str(err.value)
    with pytest.raises(ValidationError) as err:
        users.set_active(admin, "admin", False)
    assert err.value.problems[0].code == "user.self_deactivate"
    # with a second administrator, the first may step down...
    users.set_role(admin, "bruno", "admin")
    assert users.set_role(admin, "admin", "counter").role == "counter"
    # ...and its open session loses the rights at once (the role is read again each time)
    with pytest.raises(PermissionDenied):
        users.set_role(admin, "bruno", "counter")
    bruno = auth.sign_in(admin.store.location, "bruno", "a long enough password")
    try:
        # the remaining administrator cannot be demoted or deactivated
        with pytest.raises(ValidationError) as err:
            users.set_role(bruno, "bruno", "counter")
        assert err.value.problems[0].code == "user.last_admin_role"
        with pytest.raises(ValidationError):
            users.set_active(bruno, "bruno", False)
        # an inactive administrator does not count
        users.set_role(bruno, "admin", "admin")
        users.set_active(bruno, "admin", False)
        with pytest.raises(ValidationError) as err:
            users.set_role(bruno, "bruno", "counter")
        assert err.value.problems[0].code == "user.last_admin_role"
    finally:
        bruno.close()


# --------------------------------------------------------------------------- permissions


def test_counter_staff_cannot_administer(admin: Context, counter: Context, tmp_path: Path) -> None:
    ins = directory.get_insurer(admin, AMC)
    op = directory.list_operators(admin)[0]
    refused = [
        lambda: directory.add_insurer(counter, "99100050", "Autre"),
        lambda: directory.add_operator(counter, "ACTIL", "Actil"),
        lambda: directory.update_insurer(
            counter, ins.id, name="X", operator_code=None, hotline=None, portal=None, batch_by="insurer"
        ),
        lambda: directory.set_insurer_active(counter, ins.id, False),
        lambda: directory.update_operator(counter, op.id, name="X", health_url=None),
        lambda: directory.set_operator_active(counter, op.id, False),
        lambda: directory.import_insurers_csv(counter, SAMPLE),
        lambda: users.list_users(counter),
        lambda: users.add_user(counter, "zoe", "Zoé", "admin", "a long enough password"),
        lambda: users.set_role(counter, "anne", "admin"),
        lambda: users.set_active(counter, "admin", False),
        lambda: settings.save(counter, settings.SiteSettings()),
        lambda: drugs.import_reference(counter, tmp_path),
    ]
    before = snapshot(admin)
    for call in refused:
        with pytest.raises(PermissionDenied) as err:
            call()
        assert "Seul un administrateur peut" in str(err.value)
    assert snapshot(admin) == before
    assert [u.role for u in users.list_users(admin)] == ["admin", "counter"]
    # reading the directory stays open to the counter
    assert [i.amc_number for i in directory.list_insurers(counter)] == [AMC]
