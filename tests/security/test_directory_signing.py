"""Issue 12: the insurer directory, the site settings and the tariffs are signed too, and each
insurer's entry says how its batches are protected.

A counter holds the database key. With it they could swap an insurer's certificate for their
own (the next batch would be encrypted for them), give a hotline number of their choosing,
raise the per-claim ceiling or a tariff. Those rows are now signed with the administrators'
key (services.authority): a changed row is named, its batches refused, the settings and
tariffs fall back to what an administrator last signed (the defaults, the shipped values).
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from tests.factories import AMC, PASSWORD, line, make_check, make_site, patient_input, queued_claim
from tests.integration.test_cli import run
from tests.integration.test_directory import audit_events
from tests.security.test_role_forgery import _sql
from tests.unit.test_bundle_crypto import make_certificate, usage
from verifier.domain.errors import ValidationError
from verifier.exports.bundle import open_bundle
from verifier.services import audit, auth, authority, batches, ceilings, claims, directory, patients, settings, tariffs
from verifier.store.engine import Location

COUNTER_PASSWORD = "grenier ardoise tulipe 47"
FIXTURES = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def insurer_cert() -> tuple[bytes, bytes]:
    return make_certificate(key_usage=usage(True))


@pytest.fixture(scope="module")
def attacker_cert() -> tuple[bytes, bytes]:
    return make_certificate(key_usage=usage(True))


def _site(location: Location) -> None:
    with make_site(location) as admin:
        auth.add_user(admin, "comptoir", "Comptoir", "counter", COUNTER_PASSWORD)
        queued_claim(admin)


def test_an_insurer_certificate_swapped_by_sql_is_refused(
    location: Location, tmp_path: Path, insurer_cert: tuple[bytes, bytes], attacker_cert: tuple[bytes, bytes]
) -> None:
    _site(location)
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        ins = directory.get_insurer(admin, AMC)
        assert ins.export_protection == directory.PASSPHRASE and ins.trusted  # the default
        set_to = directory.set_export_protection(
            admin, insurer_id=ins.id, protection=directory.CERTIFICATE, certificate_pem=insurer_cert[0]
        )
        assert set_to.certificate is not None and set_to.certificate.subject.startswith("Mutuelle Fictive")
        batch = batches.create_batch(admin, ins.id).batch
        wanted = batches.protection(admin, batch.id)
        assert (wanted.kind, wanted.trusted) == (directory.CERTIFICATE, True)
        # The default export is encrypted for the certificate on record, which opens it.
        path = batches.export_with(admin, batch.id, tmp_path / "out", None, None, stored_certificate=True)
        assert path.suffix == ".p7m"
        assert open_bundle(path, private_key_pem=insurer_cert[1])
    # The counter puts their own certificate in the entry.
    with auth.sign_in(location, "comptoir", COUNTER_PASSWORD) as counter:
        _sql(
            counter,
            "UPDATE insurers SET export_certificate = :pem WHERE amc_number = :amc",
            pem=attacker_cert[0].decode(),
            amc=AMC,
        )
        assert not directory.get_insurer(counter, AMC).trusted
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        ins = directory.get_insurer(admin, AMC)
        assert not ins.trusted  # named in the directory
        for attempt in (
            lambda: batches.export_with(admin, batch.id, tmp_path / "again", None, None, stored_certificate=True),
            lambda: batches.export_batch(admin, batch.id, tmp_path / "again"),
        ):
            with pytest.raises(ValidationError) as caught:
                attempt()
            assert caught.value.problems[0].code == "batch.recipient_untrusted"
        assert not (tmp_path / "again").exists() or not any((tmp_path / "again").iterdir())
        assert not batches.protection(admin, batch.id).trusted
        # The administrator sets the right certificate again: signed, exported.
        directory.set_export_protection(
            admin, insurer_id=ins.id, protection=directory.CERTIFICATE, certificate_pem=insurer_cert[0]
        )
        assert directory.get_insurer(admin, AMC).trusted
        path = batches.export_with(admin, batch.id, tmp_path / "again", None, None, stored_certificate=True)
        assert open_bundle(path, private_key_pem=insurer_cert[1])


def test_a_hotline_changed_by_sql_is_named_until_an_administrator_saves_the_entry(location: Location) -> None:
    _site(location)
    with auth.sign_in(location, "comptoir", COUNTER_PASSWORD) as counter:
        _sql(counter, "UPDATE insurers SET hotline = '08 99 00 00 00' WHERE amc_number = :amc", amc=AMC)
        _sql(counter, "UPDATE operators SET health_url = 'https://example.invalid/' WHERE code = 'VIAMEDIS'")
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        ins = directory.get_insurer(admin, AMC)
        assert not ins.trusted and not directory.get_operator(admin, "VIAMEDIS").trusted
        # Deactivating and reactivating vouches for nothing else: still named.
        directory.set_insurer_active(admin, ins.id, False)
        assert not directory.set_insurer_active(admin, ins.id, True).trusted
        # A batch for it is refused with the sentence.
        with pytest.raises(ValidationError) as caught:
            batches.create_batch(admin, ins.id)
        assert "modifiée en dehors de verifier" in caught.value.problems[0].message()
        # Saved from the form that shows every field: trusted again, and on record.
        saved = directory.update_insurer(
            admin,
            ins.id,
            name=ins.name,
            operator_code="VIAMEDIS",
            hotline="01 40 00 00 00",
            portal=None,
            batch_by="insurer",
        )
        assert saved.trusted and directory.get_insurer(admin, AMC).trusted
        assert audit_events(admin, "insurer.updated")[-1][1].get("signed_again") is True


def test_settings_raised_by_sql_give_way_to_the_defaults(location: Location) -> None:
    _site(location)
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        settings.save(admin, settings.SiteSettings(claim_amc_ceiling=Decimal("400.00")))
        assert settings.load(admin).claim_amc_ceiling == Decimal("400.00") and not settings.tampered(admin)
    with auth.sign_in(location, "comptoir", COUNTER_PASSWORD) as counter:
        forged = settings.SiteSettings(claim_amc_ceiling=Decimal("99999.00")).to_json()
        _sql(counter, "UPDATE settings SET value = :v WHERE key = :k", v=forged, k=settings.KEY)
        assert settings.tampered(counter)
        assert settings.load(counter).claim_amc_ceiling == settings.SiteSettings().claim_amc_ceiling
        # The queue reads the settings with each claim: the forged ceiling does not apply.
        p, _ = patients.save(counter, patient_input(surname="PLAFONDE", order=404))
        check = make_check(counter, p.id)
        with pytest.raises(ceilings.CeilingExceeded):
            claims.create(counter, check.id, [line("1000.00", "65", 1)], queue_now=True)
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        settings.save(admin, settings.load(admin))  # the administrator saves them again
        assert not settings.tampered(admin)


def test_a_tariff_added_by_sql_is_ignored(location: Location) -> None:
    from datetime import date

    _site(location)
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        code = tariffs.every_value(admin)[0].code
        tariffs.add(admin, code, date(2031, 1, 1), Decimal("99.00"), "décret fictif")
        assert any(v.since == date(2031, 1, 1) for v in tariffs.every_value(admin))
    with auth.sign_in(location, "comptoir", COUNTER_PASSWORD) as counter:
        raised = json.dumps(
            [{"code": code, "since": "2031-01-01", "amount": "9999.00", "source": "décret fictif"}],
            ensure_ascii=False,
            sort_keys=True,
        )
        _sql(counter, "UPDATE settings SET value = :v WHERE key = 'tariffs'", v=raised)
        assert not any(v.since == date(2031, 1, 1) for v in tariffs.every_value(counter))


def test_garbage_certificates_are_refused_with_a_sentence(location: Location, tmp_path: Path) -> None:
    with make_site(location) as admin:
        ins = directory.get_insurer(admin, AMC)
        for pem, code in (
            (b"\x00\x81garbage" * 100, "export.certificate_unreadable"),
            (
                "-----BEGIN CERTIFICATE-----\nMIIé\n-----END CERTIFICATE-----\n".encode(),
                "export.certificate_unreadable",
            ),
            (make_certificate(key_usage=usage(False))[0], "export.certificate_usage"),
            (None, "directory.certificate_missing"),
        ):
            with pytest.raises(ValidationError) as caught:
                directory.set_export_protection(
                    admin, insurer_id=ins.id, protection=directory.CERTIFICATE, certificate_pem=pem
                )
            assert caught.value.problems[0].code == code, pem
        with pytest.raises(ValidationError):
            directory.set_export_protection(admin, insurer_id=ins.id, protection="plain")
        after = directory.get_insurer(admin, AMC)
        assert (after.export_protection, after.certificate, after.trusted) == (directory.PASSPHRASE, None, True)


def test_the_command_line_exports_as_the_entry_says(
    tmp_path: Path, insurer_cert: tuple[bytes, bytes], attacker_cert: tuple[bytes, bytes]
) -> None:
    from verifier.services import demo

    db = tmp_path / "demo.db"
    assert run(tmp_path, "--db", str(db), "demo").returncode == 0
    env = {"VERIFIER_PASSWORD": demo.DEMO_PASSWORD}
    base = ("--db", str(db), "--user", demo.DEMO_ADMIN)
    with auth.sign_in(Location(sqlite_path=db), demo.DEMO_ADMIN, demo.DEMO_PASSWORD) as admin:
        amc = next(b for b in batches.list_batches(admin) if b.insurer_id is not None)
        insurer = directory.get_insurer(admin, amc.insurer_id)
        batch_id = amc.id
    # Passphrase (the default): without one, the sentence says how to give it.
    out = run(tmp_path, *base, "batch", "export", str(batch_id), "--out", str(tmp_path / "o"), env=env)
    assert out.returncode == 1 and "phrase secrète" in out.stderr and "Traceback" not in out.stderr
    cert_file = tmp_path / "mutuelle.pem"
    cert_file.write_bytes(insurer_cert[0])
    setp = run(
        tmp_path,
        *base,
        "directory",
        "protection",
        "--insurer",
        insurer.amc_number,
        "--certificate",
        str(cert_file),
        env=env,
    )
    assert setp.returncode == 0, setp.stderr
    assert "Mutuelle Fictive" in setp.stdout
    listing = run(tmp_path, *base, "directory", "list", env=env)
    assert insurer.amc_number in listing.stdout and "Mutuelle Fictive" in listing.stdout
    out = run(tmp_path, *base, "batch", "export", str(batch_id), "--out", str(tmp_path / "o"), env=env)
    assert out.returncode == 0, out.stderr
    (written,) = (tmp_path / "o").glob("*.p7m")
    assert open_bundle(written, private_key_pem=insurer_cert[1])
    # The counter swaps the certificate: the export is refused, the listing names the entry.
    with auth.sign_in(Location(sqlite_path=db), demo.DEMO_COUNTER, demo.DEMO_PASSWORD) as counter:
        _sql(
            counter,
            "UPDATE insurers SET export_certificate = :pem WHERE id = :id",
            pem=attacker_cert[0].decode(),
            id=insurer.id,
        )
    shutil.rmtree(tmp_path / "o")
    out = run(tmp_path, *base, "batch", "export", str(batch_id), "--out", str(tmp_path / "o"), env=env)
    assert out.returncode == 1 and "modifiée en dehors de verifier" in out.stderr
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").glob("*.p7m"))
    assert "MODIFIÉ EN DEHORS DE VERIFIER" in run(tmp_path, *base, "directory", "list", env=env).stdout


def test_an_upgraded_site_is_signed_once_at_the_first_administrator_sign_in(tmp_path: Path) -> None:
    """Schema 0012 → 0013: entries unsigned; taken as they are until an administrator signs
    in (a clinic's settings keep working meanwhile), signed then, once: an entry whose
    signature is removed afterwards is not signed again at the next sign-in."""
    from verifier.services import demo

    db = tmp_path / "old.db"
    shutil.copy2(FIXTURES / "schema-0012.db", db)
    shutil.copy2(FIXTURES / "schema-0012.db.keys", tmp_path / "old.db.keys")
    location = Location(sqlite_path=db)
    with auth.sign_in(location, demo.DEMO_COUNTER, demo.DEMO_PASSWORD) as counter:
        assert all(i.trusted for i in directory.list_insurers(counter))  # not signed yet: as before
        assert not settings.tampered(counter)
    with auth.sign_in(location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD) as admin:
        assert all(i.trusted for i in directory.list_insurers(admin))
        signed = audit_events(admin, authority.DIRECTORY_SIGNED)
        assert len(signed) == 1 and signed[0][1]["signed"]["insurers"] >= 1  # type: ignore[index]
        amc = directory.list_insurers(admin)[0].amc_number
    with auth.sign_in(location, demo.DEMO_COUNTER, demo.DEMO_PASSWORD) as counter:
        _sql(counter, "UPDATE insurers SET signature = NULL, hotline = '08 99 00 00 00' WHERE amc_number = :a", a=amc)
    with auth.sign_in(location, demo.DEMO_ADMIN, demo.DEMO_PASSWORD) as admin:
        assert not directory.get_insurer(admin, amc).trusted  # not taken on trust a second time
        assert len(audit_events(admin, authority.DIRECTORY_SIGNED)) == 1
        assert audit.verify(admin).broken_at is None


def test_entries_changed_by_sql_stay_refused_when_the_signing_key_is_replaced(location: Location) -> None:
    _site(location)
    with auth.sign_in(location, "admin", PASSWORD) as admin:
        auth.add_user(admin, "second", "Second", "admin", COUNTER_PASSWORD)
        second_id = directory.add_insurer(admin, "99100012", "Mutuelle Seconde").id
    with auth.sign_in(location, "comptoir", COUNTER_PASSWORD) as counter:
        _sql(counter, "UPDATE insurers SET name = 'Mutuelle Pirate' WHERE amc_number = :amc", amc=AMC)
    with auth.sign_in(location, "second", COUNTER_PASSWORD) as second:
        from verifier.services import users

        users.set_role(second, "admin", "counter")  # the signing key is replaced
        assert not directory.get_insurer(second, AMC).trusted
        assert directory.get_insurer(second, second_id).trusted
