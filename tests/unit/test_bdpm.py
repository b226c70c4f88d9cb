"""The BDPM importer: the real June 2022 files, the shipped snapshot, and synthetic edge cases."""

from __future__ import annotations

import gzip
import hashlib
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean

from verifier import i18n
from verifier.domain.errors import ValidationError
from verifier.reference import bdpm
from verifier.reference.bdpm import (
    CIS_CIP_FILE,
    CIS_FILE,
    DrugRecord,
    ParseReport,
    Skipped,
    parse_bdpm,
    parse_price,
    parse_rate,
)
from verifier.reference.snapshot import shipped_snapshot_dir, shipped_snapshot_info

REAL_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "bdpm-2022-06"
REAL_ROWS = 20747
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def shipped() -> ParseReport:
    return parse_bdpm(shipped_snapshot_dir())


@pytest.fixture(scope="module")
def shipped_by_cip(shipped: ParseReport) -> dict[str, DrugRecord]:
    return {r.cip13: r for r in shipped.records}


@pytest.fixture
def language() -> Iterator[None]:
    before = i18n.language()
    yield
    i18n.set_language(before)


# --------------------------------------------------------------------------- helpers


def cip13_for(cip7: str) -> str:
    body = "34009" + cip7
    return body + ean.calc_check_digit(body)


def cip_line(
    cip7: str = "4949729",
    *,
    cis: str = "60002283",
    label: str = "plaquette(s) PVC aluminium de 30 comprimé(s)",
    status: str = "Présentation active",
    state: str = "Déclaration de commercialisation",
    cip13: str | None = None,
    rate: str = "65%",
    price: str = "31,38",
    indications: str = "",
) -> str:
    return "\t".join(
        [
            cis,
            cip7,
            label,
            status,
            state,
            "16/03/2011",
            cip13 if cip13 is not None else cip13_for(cip7),
            "oui",
            rate,
            "30,36",
            price,
            "1,02",
            indications,
        ]
    )


def cis_line(cis: str = "60002283", name: str = "ANASTROZOLE ACCORD 1 mg, comprimé pelliculé") -> str:
    rest = "comprimé pelliculé\torale\tAutorisation active\tProcédure nationale\tCommercialisée"
    return f"{cis}\t{name}\t{rest}\t09/03/2011\t\t\t ACCORD HEALTHCARE FRANCE\tNon"


def write(
    path: Path,
    lines: list[str],
    *,
    encoding: str = "cp1252",
    newline: str = "\n",
    gz: bool = False,
) -> Path:
    data = (newline.join(lines) + newline).encode(encoding)
    if gz:
        path = path.with_name(path.name + ".gz")
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def parse_lines(
    tmp_path: Path, lines: list[str], names: list[str] | None = None, encoding: str = "cp1252"
) -> ParseReport:
    write(tmp_path / CIS_CIP_FILE, lines, encoding=encoding)
    if names is not None:
        write(tmp_path / CIS_FILE, names)
    return parse_bdpm(tmp_path)


def only(report: ParseReport) -> DrugRecord:
    assert len(report.records) == 1, report.skipped
    return report.records[0]


# --------------------------------------------------------------------------- real data


def test_real_download_and_shipped_snapshot_give_the_same_records(shipped: ParseReport) -> None:
    if not (REAL_DIR / CIS_CIP_FILE).is_file():
        pytest.skip(f"the real BDPM download is not present at {REAL_DIR}")
    real = parse_bdpm(REAL_DIR)
    assert real.records == shipped.records
    assert real.skipped == shipped.skipped == []
    assert real.encoding == shipped.encoding == {CIS_FILE: "cp1252", CIS_CIP_FILE: "cp1252"}


def test_shipped_snapshot_is_read_completely(shipped: ParseReport) -> None:
    assert len(shipped.records) == REAL_ROWS
    assert shipped.skipped == []
    assert len({r.cip13 for r in shipped.records}) == REAL_ROWS
    assert all(r.price is None or r.price.as_tuple().exponent == -2 for r in shipped.records)
    assert all(isinstance(r.rate, (Decimal, type(None))) for r in shipped.records)
    # Counted with awk on the original file: rates written "65%" or "65 %", 7 760 empty.
    assert Counter(r.prestation_code for r in shipped.records) == {
        "PH7": 9792 + 845,
        "PH1": 791 + 204,
        "PH4": 916 + 109,
        "PH2": 296 + 34,
        "PHN": 7760,
    }
    assert sum(not r.marketed for r in shipped.records) == 18 + 77 + 289 + 2933 + 2
    # 8 presentations (8 CIS codes) of this snapshot have no row in CIS_bdpm (checked with comm).
    assert sum(not r.name for r in shipped.records) == 8


def test_known_rows_of_the_shipped_snapshot(shipped_by_cip: dict[str, DrugRecord]) -> None:
    assert shipped_by_cip["3400949497294"] == DrugRecord(
        cip13="3400949497294",
        cip7="4949729",
        cis="60002283",
        name="ANASTROZOLE ACCORD 1 mg, comprimé pelliculé",
        presentation="plaquette(s) PVC PVDC aluminium de 30 comprimé(s)",
        rate=Decimal(100),
        price=Decimal("31.38"),
        prestation_code="PH1",
        marketed=True,
        fee=Decimal("1.02"),  # column 12: the dispensing fee included in 31,38 (30,36 without)
    )
    stopped = shipped_by_cip["3400933208639"]
    assert stopped.fee == Decimal("1.02")
    # A 3-month box carries the larger fee (HG); a row without a price has no fee.
    assert {r.fee for r in shipped_by_cip.values() if r.fee is not None} >= {Decimal("1.02"), Decimal("2.76")}
    assert all(r.fee is None for r in shipped_by_cip.values() if r.price is None)
    assert (stopped.rate, stopped.price, stopped.prestation_code, stopped.marketed) == (
        Decimal(15),
        Decimal("8.19"),
        "PH2",
        False,
    )
    assert stopped.presentation == "tube(s) polypropylène de 30 comprimé(s)"
    # "65 %" with a space; the ABACAVIR ARROW name from the brief.
    spaced = shipped_by_cip["3400930167298"]
    assert (spaced.rate, spaced.prestation_code, spaced.price) == (
        Decimal(65),
        "PH7",
        Decimal("2.74"),
    )
    assert shipped_by_cip["3400930192214"].name == ("ABACAVIR ARROW 300 mg, comprimé pelliculé sécable")
    # ANSM writes 4 418,10 as "4,418,10".
    assert shipped_by_cip["3400930144213"].price == Decimal("4418.10")
    # Abrogated presentation, no rate and no price.
    abrogated = shipped_by_cip["3400956700998"]
    assert (abrogated.rate, abrogated.price, abrogated.prestation_code, abrogated.marketed) == (
        None,
        None,
        "PHN",
        False,
    )
    # A row whose indications hold "< 20 kg" and "<br>".
    assert shipped_by_cip["3400927946363"].rate == Decimal(100)
    # Double spaces in ANSM labels are collapsed.
    assert all("  " not in r.presentation for r in shipped_by_cip.values())


def test_shipped_snapshot_info_and_bytes() -> None:
    info = shipped_snapshot_info()
    assert info["source"] == "ANSM BDPM"
    assert info["date"] == "2022-06"
    assert info["licence"] == "Licence Ouverte / Etalab 2.0"
    files = info["files"]
    assert isinstance(files, list) and len(files) == 2
    directory = shipped_snapshot_dir()
    assert (directory / "SNAPSHOT.md").is_file()
    for entry in files:
        assert isinstance(entry, dict)
        raw = gzip.decompress((directory / entry["name"]).read_bytes())
        assert hashlib.sha256(raw).hexdigest() == entry["original_sha256"]
        assert len(raw) == entry["original_bytes"]
        assert raw.count(b"\n") == entry["lines"]


def test_utf8_copy_gives_identical_records(tmp_path: Path, shipped: ParseReport) -> None:
    for name in (CIS_FILE, CIS_CIP_FILE):
        raw = gzip.decompress((shipped_snapshot_dir() / f"{name}.gz").read_bytes())
        (tmp_path / name).write_bytes(raw.decode("cp1252").encode("utf-8"))
    copy = parse_bdpm(tmp_path)
    assert copy.encoding == {CIS_FILE: "utf-8", CIS_CIP_FILE: "utf-8"}
    assert copy.records == shipped.records
    assert copy.skipped == []


# --------------------------------------------------------------------------- synthetic files


def test_bom_is_dropped_and_crlf_accepted(tmp_path: Path) -> None:
    write(tmp_path / CIS_CIP_FILE, [cip_line()], encoding="utf-8-sig", newline="\r\n")
    write(tmp_path / CIS_FILE, [cis_line()], encoding="utf-8-sig", newline="\r\n")
    report = parse_bdpm(tmp_path)
    record = only(report)
    assert record.cis == "60002283"
    assert record.name == "ANASTROZOLE ACCORD 1 mg, comprimé pelliculé"
    assert report.encoding == {CIS_FILE: "utf-8", CIS_CIP_FILE: "utf-8"}


@pytest.mark.parametrize(
    ("text", "rate", "code"),
    [
        ("65%", Decimal(65), "PH7"),
        ("65 %", Decimal(65), "PH7"),
        ("65,00 %", Decimal(65), "PH7"),
        (f"30{NBSP}%", Decimal(30), "PH4"),
        ("100%", Decimal(100), "PH1"),
        ("15 %", Decimal(15), "PH2"),
        ("65%;30%", Decimal(30), "PH4"),
        ("100 % ; 65 %", Decimal(65), "PH7"),
        ("", None, "PHN"),
        ("0 %", None, "PHN"),
    ],
)
def test_rates(tmp_path: Path, text: str, rate: Decimal | None, code: str) -> None:
    record = only(parse_lines(tmp_path, [cip_line(rate=text)]))
    assert (record.rate, record.prestation_code) == (rate, code)


def test_spaced_and_unspaced_rates_are_the_same(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = only(parse_lines(tmp_path / "a", [cip_line(rate="65%")]))
    b = only(parse_lines(tmp_path / "b", [cip_line(rate="65 %")]))
    assert a == b


def test_missing_rate_and_missing_price(tmp_path: Path) -> None:
    report = parse_lines(tmp_path, [cip_line("1111111", rate="", price=""), cip_line("2222222", price="")])
    free, no_price = report.records
    assert (free.rate, free.price, free.prestation_code) == (None, None, "PHN")
    assert (no_price.rate, no_price.price, no_price.prestation_code) == (Decimal(65), None, "PH7")
    assert report.skipped == []


@pytest.mark.parametrize(
    ("text", "price"),
    [
        ("31,38", Decimal("31.38")),
        ("31.38", Decimal("31.38")),
        ("1 234,56", Decimal("1234.56")),
        (f"1{NBSP}234,56", Decimal("1234.56")),
        ("1\u202f234,56", Decimal("1234.56")),
        ("1234,56", Decimal("1234.56")),
        ("1.234,56", Decimal("1234.56")),
        ("4,418,10", Decimal("4418.10")),
        ("12 345 678,9", Decimal("12345678.90")),
        ("7", Decimal("7.00")),
        ("1 234", Decimal("1234.00")),
        ("0,00", Decimal("0.00")),
        ("", None),
        ("  ", None),
    ],
)
def test_prices(tmp_path: Path, text: str, price: Decimal | None) -> None:
    record = only(parse_lines(tmp_path, [cip_line(price=text)], encoding="utf-8"))
    assert record.price == price
    if price is not None:
        assert record.price is not None and record.price.as_tuple().exponent == -2


@pytest.mark.parametrize("text", ["1,234", "12.345", "3,141", "abc", "-5,00", "12,3,4", "€12"])
def test_unreadable_prices_skip_the_line(tmp_path: Path, text: str) -> None:
    report = parse_lines(tmp_path, [cip_line("1111111"), cip_line("2222222", price=text)])
    assert [r.cip7 for r in report.records] == ["1111111"]
    assert report.skipped == [Skipped(CIS_CIP_FILE, 2, "bdpm.bad_price")]


@pytest.mark.parametrize("text", ["50%", "abc", "65%;x", "120 %", "%"])
def test_unreadable_or_unknown_rates_skip_the_line(tmp_path: Path, text: str) -> None:
    report = parse_lines(tmp_path, [cip_line("1111111"), cip_line("2222222", rate=text)])
    assert report.skipped == [Skipped(CIS_CIP_FILE, 2, "bdpm.bad_rate")]


def test_bad_identifiers_and_short_lines_are_skipped_with_their_reason(tmp_path: Path) -> None:
    good = cip13_for("3333333")
    bad_key = good[:-1] + str((int(good[-1]) + 1) % 10)
    lines = [
        cip_line("1111111"),
        cip_line("3333333", cip13=bad_key),  # 2: wrong check digit
        "60002283\t4949729\tplaquette\tPrésentation active",  # 3: short
        "",  # 4: blank, silently ignored
        cip_line("444444", cip13=cip13_for("4444444")),  # 5: CIP7 of six digits
        cip_line("5555555", cis="6000228"),  # 6: CIS of seven digits
        cip_line("6666666", cip13=cip13_for("7777777")),  # 7: CIP7 not in the CIP13
        cip_line("8888888", cip13="5012345678900"),  # 8: valid EAN, not French
        "   \t  ",  # 9: blank
        cip_line("9999999"),
    ]
    report = parse_lines(tmp_path, lines)
    assert [r.cip7 for r in report.records] == ["1111111", "9999999"]
    assert report.skipped == [
        Skipped(CIS_CIP_FILE, 2, "bdpm.bad_cip13"),
        Skipped(CIS_CIP_FILE, 3, "bdpm.short_line"),
        Skipped(CIS_CIP_FILE, 5, "bdpm.bad_cip7"),
        Skipped(CIS_CIP_FILE, 6, "bdpm.bad_cis"),
        Skipped(CIS_CIP_FILE, 7, "bdpm.cip_mismatch"),
        Skipped(CIS_CIP_FILE, 8, "bdpm.bad_cip13"),
    ]
    assert report.counts_by_reason() == {
        "bdpm.bad_cip13": 2,
        "bdpm.short_line": 1,
        "bdpm.bad_cip7": 1,
        "bdpm.bad_cis": 1,
        "bdpm.cip_mismatch": 1,
    }


def test_html_is_removed_from_text_and_tolerated_in_the_last_column(tmp_path: Path) -> None:
    lines = [
        cip_line(
            "1111111",
            label="1 flacon(s) de 5&nbsp;ml<br>",
            indications="Pris en charge si &lt; 20 kg.<br><br>Voir <b>avis</b> < 20 kg<br>",
        ),
        cip_line("2222222", label="boîte < 20 comprimés"),
    ]
    names = [cis_line(name="ASPIRINE <sup>®</sup> 500 mg, comprimé")]
    first, second = parse_lines(tmp_path, lines, names).records
    assert first.presentation == "1 flacon(s) de 5 ml"
    assert first.name == "ASPIRINE ® 500 mg, comprimé"
    assert second.presentation == "boîte < 20 comprimés"


def test_duplicates_keep_the_first(tmp_path: Path) -> None:
    lines = [
        cip_line("1111111", label="first"),
        cip_line("2222222"),
        cip_line("1111111", label="second", rate="15%"),
    ]
    report = parse_lines(tmp_path, lines)
    assert [(r.cip7, r.presentation) for r in report.records] == [
        ("1111111", "first"),
        ("2222222", "plaquette(s) PVC aluminium de 30 comprimé(s)"),
    ]
    assert report.skipped == [Skipped(CIS_CIP_FILE, 3, "bdpm.duplicate")]


def test_marketing_state(tmp_path: Path) -> None:
    lines = [
        cip_line("1111111"),
        cip_line("2222222", state="Déclaration d'arrêt de commercialisation"),
        cip_line("3333333", state="Arrêt de commercialisation (le médicament n'a plus d'autorisation)"),
        cip_line("4444444", state="Déclaration de suspension de commercialisation"),
        cip_line("5555555", status="Présentation abrogée"),
    ]
    report = parse_lines(tmp_path, lines)
    assert [r.marketed for r in report.records] == [True, False, False, False, False]


def test_without_cis_bdpm_names_are_empty(tmp_path: Path) -> None:
    report = parse_lines(tmp_path, [cip_line()])
    assert only(report).name == ""
    assert only(report).presentation == "plaquette(s) PVC aluminium de 30 comprimé(s)"
    assert report.encoding == {CIS_CIP_FILE: "cp1252"}


def test_unknown_cis_gives_an_empty_name(tmp_path: Path) -> None:
    report = parse_lines(tmp_path, [cip_line(cis="61111111")], names=[cis_line(), "garbage", ""])
    assert only(report).name == ""


def test_gzipped_files_and_the_path_of_the_cip_file(tmp_path: Path) -> None:
    cip = write(tmp_path / CIS_CIP_FILE, [cip_line()], gz=True)
    write(tmp_path / CIS_FILE, [cis_line()], encoding="utf-8", gz=True)
    assert cip.name == "CIS_CIP_bdpm.txt.gz"
    from_dir = parse_bdpm(tmp_path)
    from_file = parse_bdpm(cip)
    assert from_dir.records == from_file.records
    assert only(from_file).name == "ANASTROZOLE ACCORD 1 mg, comprimé pelliculé"
    assert from_file.encoding == {CIS_FILE: "utf-8", CIS_CIP_FILE: "cp1252"}


def test_plain_cip_file_given_directly_finds_the_names_beside_it(tmp_path: Path) -> None:
    cip = write(tmp_path / CIS_CIP_FILE, [cip_line()])
    write(tmp_path / CIS_FILE, [cis_line()])
    assert only(parse_bdpm(cip)).name == "ANASTROZOLE ACCORD 1 mg, comprimé pelliculé"


def test_file_names_in_another_letter_case(tmp_path: Path) -> None:
    write(tmp_path / "cis_cip_BDPM.TXT", [cip_line()])
    write(tmp_path / "CIS_BDPM.txt", [cis_line()])
    assert only(parse_bdpm(tmp_path)).name == "ANASTROZOLE ACCORD 1 mg, comprimé pelliculé"


def test_missing_cip_file_says_which_file_and_where(tmp_path: Path, language: None) -> None:
    write(tmp_path / CIS_FILE, [cis_line()])
    with pytest.raises(ValidationError) as caught:
        parse_bdpm(tmp_path)
    assert [p.code for p in caught.value.problems] == ["bdpm.missing_file"]
    i18n.set_language("fr")
    assert str(caught.value) == (
        "Le fichier CIS_CIP_bdpm.txt (ou CIS_CIP_bdpm.txt.gz) de la base des médicaments est "
        f"introuvable (cherché dans : {tmp_path})."
    )
    i18n.set_language("en")
    assert str(caught.value) == (
        f"The drug database file CIS_CIP_bdpm.txt (or CIS_CIP_bdpm.txt.gz) was not found (looked in: {tmp_path})."
    )
    with pytest.raises(ValidationError) as nowhere:
        parse_bdpm(tmp_path / "absent")
    assert str(tmp_path / "absent") in str(nowhere.value)


def test_a_file_without_any_readable_presentation_is_refused(tmp_path: Path) -> None:
    write(tmp_path / CIS_CIP_FILE, [cis_line(), cis_line("61111111")])
    with pytest.raises(ValidationError) as caught:
        parse_bdpm(tmp_path)
    assert caught.value.problems[0].code == "bdpm.no_records"
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / CIS_CIP_FILE).write_bytes(b"")
    with pytest.raises(ValidationError):
        parse_bdpm(empty)


def test_a_corrupt_gzip_is_refused(tmp_path: Path) -> None:
    packed = gzip.compress("\n".join(cip_line(f"{i:07d}") for i in range(500)).encode())
    for damaged in (packed[: len(packed) // 2], b"\x1f\x8bnot really gzip"):
        (tmp_path / f"{CIS_CIP_FILE}.gz").write_bytes(damaged)
        with pytest.raises(ValidationError) as caught:
            parse_bdpm(tmp_path)
        assert caught.value.problems[0].code == "bdpm.unreadable_file"
        assert str(tmp_path) in str(caught.value)


def test_summary_in_french_and_english(tmp_path: Path, language: None) -> None:
    lines = [cip_line(f"{i:07d}") for i in range(1000, 3234)]
    lines += [cip_line("0000001", cip13="3400900000000")] * 8  # bad check digit
    lines += ["60002283\t4949729"] * 4
    lines.append(cip_line("0001000"))  # duplicate
    report = parse_lines(tmp_path, lines)
    assert len(report.records) == 2234
    i18n.set_language("fr")
    assert report.summary() == (
        f"2{NBSP}234 présentations importées, 13 ignorées (8 CIP13 invalide, 4 ligne incomplète, 1 CIP13 en double)."
    )
    assert report.skipped[-1].message() == (f"CIS_CIP_bdpm.txt, ligne {len(lines)} : CIP13 en double.")
    i18n.set_language("en")
    assert report.summary() == (
        "2,234 presentations imported, 13 skipped (8 invalid CIP13, 4 incomplete line, 1 duplicate CIP13)."
    )
    assert report.skipped[-1].message() == f"CIS_CIP_bdpm.txt, line {len(lines)}: duplicate CIP13."


def test_summary_singular_and_nothing_skipped(tmp_path: Path, language: None) -> None:
    one = parse_lines(tmp_path, [cip_line(), cip_line()])
    i18n.set_language("fr")
    assert one.summary() == "1 présentation importée, 1 ignorée (1 CIP13 en double)."
    clean = ParseReport(records=list(one.records))
    assert clean.summary() == "1 présentation importée, aucune ignorée."
    i18n.set_language("en")
    assert one.summary() == "1 presentation imported, 1 skipped (1 duplicate CIP13)."
    assert clean.summary() == "1 presentation imported, none skipped."


def test_every_message_exists_in_both_languages(language: None) -> None:
    codes = [
        "bdpm.short_line",
        "bdpm.bad_cip13",
        "bdpm.bad_cip7",
        "bdpm.bad_cis",
        "bdpm.cip_mismatch",
        "bdpm.bad_rate",
        "bdpm.bad_price",
        "bdpm.duplicate",
    ]
    for lang in ("fr", "en"):
        i18n.set_language(lang)
        for code in codes:
            assert i18n.say(code) != code


# --------------------------------------------------------------------------- properties


@given(
    cents=st.integers(min_value=0, max_value=10**9),
    group=st.sampled_from(["", " ", NBSP, "\u202f", ".", ","]),
    decimal=st.sampled_from([",", "."]),
)
def test_any_written_price_reads_back(cents: int, group: str, decimal: str) -> None:
    whole, frac = divmod(cents, 100)
    if group == decimal:
        group = ""
    digits = f"{whole:,}".replace(",", group)
    assert parse_price(f"{digits}{decimal}{frac:02d}") == Decimal(cents).scaleb(-2)


@given(st.sampled_from([15, 30, 65, 100]), st.sampled_from(["%", " %", ",00 %", ",0%", ""]))
def test_any_written_rate_reads_back(rate: int, suffix: str) -> None:
    assert parse_rate(f"{rate}{suffix}") == Decimal(rate)
    assert bdpm.prestation_code(parse_rate(f"{rate}{suffix}")) == bdpm.PRESTATION_BY_RATE[rate]
