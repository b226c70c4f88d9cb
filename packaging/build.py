"""Freeze verifier with PyInstaller, smoke-test the frozen program, and pack it.

    python packaging/build.py                 # freeze, smoke-test, pack (Linux: the tarball)
    python packaging/build.py --skip-freeze   # only the smoke test, on the existing dist/verifier

The freeze runs PyInstaller (packaging/verifier.spec) with the project's .venv Python if
there is one, else with the Python running this script; it needs the `package` extra
(`pip install -e .[package]`). Output: dist/verifier/ (one folder), then on Linux
dist/verifier-<version>-linux-x86_64.tar.gz, and on Windows the installer
dist/verifier-<version>-windows-x64-setup.exe made by Inno Setup 6 with
/DAppVersion=<version> (or, if Inno Setup is not installed, the command to run).
The version is verifier.__version__, read from verifier/__init__.py.

The smoke test runs the frozen program as a user would, in a throw-away home folder
(HOME, XDG_* and, on Windows, VERIFIER_DATA_DIR point into it, so no real data is
touched): --version, init, db status, a drug look-up from the bundled snapshot, demo, a
claim search, a batch created and exported (zip with its PDF slip), the audit chain, the
PostgreSQL driver, and the GUI started offscreen on set-up and on sign-in. Any failure
exits with status 1 and one sentence saying which step failed and why.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
DIST = ROOT / "dist"
WORK = ROOT / "build"
FROZEN = DIST / "verifier"
APP_ID = "fr.verifier.Verifier"
WINDOWS = sys.platform == "win32"
EXE_SUFFIX = ".exe" if WINDOWS else ""
# Each run of the frozen program gets this long; the slowest (demo) takes a few seconds.
STEP_TIMEOUT_S = 300
SMOKE_PASSWORD = "fumee sur le port de Brest"  # the smoke test's throw-away site, never a real one
DEMO_USER, DEMO_PASSWORD = "demo-admin", "demonstration-2024"  # verifier.services.demo
ICON_SIZES = (16, 32, 48, 64, 128, 256)


class BuildError(Exception):
    """A step failed; the message says which and why."""


def version() -> str:
    """verifier.__version__, read from verifier/__init__.py (the one place it is written)."""
    text = (ROOT / "verifier" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if not found:
        raise BuildError('verifier/__init__.py has no __version__ = "..." line: add one.')
    return found.group(1)


def venv_python() -> Path:
    for candidate in (ROOT / ".venv" / "bin" / "python", ROOT / ".venv" / "Scripts" / "python.exe"):
        if candidate.exists():
            return candidate
    return Path(sys.executable)


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def check_metainfo(ver: str) -> None:
    """The AppStream file must list this version: a release is described before it ships."""
    text = (PACKAGING / "linux" / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    if f'<release version="{ver}"' not in text:
        raise BuildError(
            f'packaging/linux/{APP_ID}.metainfo.xml has no <release version="{ver}">: add one for this version.'
        )


# --- freeze ---------------------------------------------------------------------------


def freeze(python: Path) -> float:
    probe = subprocess.run([str(python), "-c", "import PyInstaller"], capture_output=True, text=True)
    if probe.returncode != 0:
        raise BuildError(
            f"PyInstaller is not installed for {python}: run "
            f'`{python} -m pip install -e ".[package]"` in {ROOT}, then build again.'
        )
    # the .mo files the frozen program reads, from the .po files of this checkout
    subprocess.run([str(python), str(ROOT / "scripts" / "catalogs.py"), "compile"], check=True)
    WORK.mkdir(exist_ok=True)
    log_path = WORK / "pyinstaller.log"
    started = time.perf_counter()
    with log_path.open("w", encoding="utf-8") as log:
        result = subprocess.run(
            [
                str(python),
                "-m",
                "PyInstaller",
                "--noconfirm",
                "--log-level",
                "WARN",
                "--distpath",
                str(DIST),
                "--workpath",
                str(WORK),
                str(PACKAGING / "verifier.spec"),
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-25:]
        print("\n".join(tail), file=sys.stderr)
        raise BuildError(f"PyInstaller failed (exit {result.returncode}); the full log is {log_path}.")
    return elapsed


# --- smoke test -------------------------------------------------------------------------


@dataclass
class Run:
    code: int
    out: str
    err: str


class Smoke:
    """Runs the frozen program in a throw-away home folder and checks what it does."""

    def __init__(self, frozen: Path, home: Path) -> None:
        self.cli = frozen / f"verifier-cli{EXE_SUFFIX}" if WINDOWS else frozen / "verifier"
        self.gui = frozen / f"verifier{EXE_SUFFIX}"
        self.home = home
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("VERIFIER_", "XDG_", "PG", "PYTHON")) and k != "QT_QPA_PLATFORM"
        }
        self.env.update(
            {
                "HOME": str(home),
                "USERPROFILE": str(home),
                "XDG_DATA_HOME": str(home / "data"),
                "XDG_CONFIG_HOME": str(home / "config"),
                "XDG_STATE_HOME": str(home / "state"),
                "XDG_CACHE_HOME": str(home / "cache"),
                "QT_QPA_PLATFORM": "offscreen",
                "LANG": "C.UTF-8",
                "PYTHONIOENCODING": "utf-8",
            }
        )
        if WINDOWS:  # platformdirs asks Windows for the known folders: move them all at once
            self.env["VERIFIER_DATA_DIR"] = str(home / "verifier")
        self.data = home / "verifier" if WINDOWS else home / "data" / "verifier"
        self.steps = 0

    def run(
        self,
        step: str,
        args: Sequence[str],
        *,
        password: str | None = None,
        gui: bool = False,
        expect_code: int = 0,
        env: dict[str, str] | None = None,
    ) -> Run:
        exe = self.gui if gui else self.cli
        full_env = dict(self.env, **(env or {}))
        if password is not None:
            full_env["VERIFIER_PASSWORD"] = password
        try:
            done = subprocess.run(
                [str(exe), *args],
                env=full_env,
                cwd=self.home,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=STEP_TIMEOUT_S,
            )
        except subprocess.TimeoutExpired:
            raise BuildError(
                f"smoke test, {step}: the frozen program did not finish within "
                f"{STEP_TIMEOUT_S} s; run it by hand to see where it stops."
            ) from None
        self.steps += 1
        if done.returncode != expect_code:
            raise BuildError(
                f"smoke test, {step}: `{exe.name} {' '.join(args)}` exited with {done.returncode} "
                f"(expected {expect_code}); it said: {(done.stderr or done.stdout).strip()[-800:]}"
                f"{self.log_tail()}"
            )
        print(f"  ok  {step}")
        return Run(done.returncode, done.stdout, done.stderr)

    def log_tail(self) -> str:
        logs = sorted(self.home.rglob("verifier.log"))
        if not logs:
            return ""
        return "\n--- end of the program's log ---\n" + "\n".join(
            logs[0].read_text(encoding="utf-8", errors="replace").splitlines()[-30:]
        )

    def log_text(self) -> str:
        return "".join(p.read_text(encoding="utf-8", errors="replace") for p in self.home.rglob("verifier.log"))


def snapshot_drug() -> tuple[str, str]:
    """The first presentation of the shipped BDPM snapshot: (CIP13, CIP7)."""
    path = ROOT / "verifier" / "resources" / "data" / "bdpm" / "CIS_CIP_bdpm.txt.gz"
    with gzip.open(path, "rt", encoding="cp1252") as lines:
        for line in lines:
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) > 6 and len(fields[6]) == 13 and fields[6].isdigit():
                return fields[6], fields[1]
    raise BuildError(f"{path} holds no CIP13: the shipped snapshot is damaged.")


def smoke_test(frozen: Path, ver: str) -> float:
    if not (frozen / f"verifier{EXE_SUFFIX}").exists():
        raise BuildError(f"{frozen} has no verifier{EXE_SUFFIX}: freeze first (run without --skip-freeze).")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="verifier-smoke-") as tmp:
        s = Smoke(frozen, Path(tmp))
        out = s.run("--version", ["--version"]).out.strip()
        if out != f"verifier {ver}":
            raise BuildError(f"smoke test, --version: printed {out!r}, expected 'verifier {ver}'.")

        site_db = s.data / "verifier.db"
        admin = ["--user", "essai-admin"]
        init = s.run(
            "init (new encrypted database, migrations, drug snapshot)",
            ["--lang", "en", "init", "--site-name", "Pharmacie d'essai", *admin],
            password=SMOKE_PASSWORD,
        )
        expected_drugs = json.loads((ROOT / "verifier/resources/data/bdpm/snapshot.json").read_text("utf-8"))
        lines = expected_drugs["files"][0]["lines"]
        if not site_db.exists() or str(lines) not in init.out:
            raise BuildError(f"smoke test, init: expected {site_db} and {lines} drugs loaded; it said: {init.out}")
        if site_db.read_bytes()[:16] == b"SQLite format 3\x00":
            raise BuildError(f"smoke test, init: {site_db} is not encrypted: SQLCipher is missing from the bundle.")
        s.run("db status", ["db", "status", *admin], password=SMOKE_PASSWORD)
        cip13, cip7 = snapshot_drug()
        shown = s.run(
            f"drugs show {cip13} (bundled snapshot)", ["drugs", "show", cip13, *admin], password=SMOKE_PASSWORD
        ).out
        if cip13 not in shown or cip7 not in shown:
            raise BuildError(f"smoke test, drugs show: expected {cip13} and CIP7 {cip7}; it printed: {shown}")

        s.run("demo", ["demo"])
        demo = ["--db", str(s.data / "demo.db"), "--user", DEMO_USER]
        listing = json.loads(
            s.run(
                "claims list --json (demo)",
                [*demo, "claims", "list", "--status", "queued", "--json"],
                password=DEMO_PASSWORD,
            ).out
        )
        if not listing["claims"]:
            raise BuildError("smoke test, claims list: the demonstration database has no queued claim.")
        insurer = listing["claims"][0]["insurer"]
        created = s.run(
            f"batch create --insurer {insurer}",
            [*demo, "batch", "create", "--insurer", insurer],
            password=DEMO_PASSWORD,
        ).out
        batch = re.search(r"^id=(\d+)$", created, re.MULTILINE)
        if not batch:
            raise BuildError(f"smoke test, batch create: no 'id=N' line in: {created}")
        outbox = s.home / "outbox"
        outbox.mkdir()
        s.run(
            "batch export (zip: CSV, JSON, PDF slip)",
            [*demo, "batch", "export", batch.group(1), "--out", str(outbox), "--plain"],  # read back below
            password=DEMO_PASSWORD,
        )
        bundles = list(outbox.glob("*.zip"))
        if len(bundles) != 1:
            raise BuildError(f"smoke test, batch export: expected one zip in {outbox}, found {len(bundles)}.")
        with zipfile.ZipFile(bundles[0]) as bundle:
            pdfs = [n for n in bundle.namelist() if n.endswith(".pdf")]
            if not pdfs or not bundle.read(pdfs[0]).startswith(b"%PDF"):
                raise BuildError(f"smoke test, batch export: {bundles[0].name} has no PDF slip.")
        s.run("audit verify (demo)", [*demo, "audit", "verify"], password=DEMO_PASSWORD)

        # The driver loads: a refused connection is reported as such, never as an unexpected
        # error (which would send the user to the log, as a missing module does).
        pg = s.run(
            "PostgreSQL driver (psycopg binary)",
            ["--db", "postgresql://verifier@127.0.0.1:1/none", "db", "status", "--user", "x"],
            password="x",
            expect_code=1,
            env={"PSYCOPG_IMPL": "binary", "PGCONNECT_TIMEOUT": "5"},
        )
        if "verifier.log" in pg.err:
            raise BuildError(f"smoke test, PostgreSQL driver: an unexpected error: {pg.err.strip()}{s.log_tail()}")

        for step, db, window in (
            ("GUI offscreen, first run", s.home / "fresh.db", "SetupWizard"),
            ("GUI offscreen, sign-in", site_db, "SignInDialog"),
        ):
            gui = s.run(step, ["--db", str(db)], gui=True, env={"VERIFIER_SMOKE_QUIT_AFTER_MS": "1500"})
            icons = f"window icon in {len(ICON_SIZES)} sizes"
            said = f"smoke test: quitting with {window} on screen, {icons}"
            if said not in s.log_text() or (not WINDOWS and f"smoke test: {window} shown, {icons}" not in gui.out):
                raise BuildError(
                    f"smoke test, {step}: expected the {window} window on screen with its icon; "
                    f"it said: {(gui.out + gui.err).strip()[-800:]}{s.log_tail()}"
                )
        steps = s.steps
    elapsed = time.perf_counter() - started
    print(f"smoke test passed: {steps} runs of the frozen program in {elapsed:.1f} s")
    return elapsed


# --- Linux tarball ----------------------------------------------------------------------


def appdir(frozen: Path, ver: str) -> Path:
    """An AppImage-style folder: AppRun, the desktop entry and icon at the top, a usr/ tree."""
    name = f"verifier-{ver}-linux-x86_64"
    root = WORK / "appdir" / name
    if root.exists():
        shutil.rmtree(root)
    usr = root / "usr"
    shutil.copytree(frozen, usr / "lib" / "verifier", symlinks=True)
    (usr / "bin").mkdir(parents=True)
    (usr / "bin" / "verifier").symlink_to("../lib/verifier/verifier")
    (root / "AppRun").symlink_to("usr/bin/verifier")
    linux = PACKAGING / "linux"
    share = usr / "share"
    for src, dest in (
        (linux / f"{APP_ID}.desktop", share / "applications"),
        (linux / f"{APP_ID}.metainfo.xml", share / "metainfo"),
        (linux / f"{APP_ID}.desktop", root),
        (linux / "install.sh", root),
    ):
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / src.name)
    icons = ROOT / "verifier" / "resources" / "icons"
    for size in ICON_SIZES:
        folder = share / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True)
        shutil.copy2(icons / f"verifier-{size}.png", folder / f"{APP_ID}.png")
    scalable = share / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True)
    shutil.copy2(icons / "verifier.svg", scalable / f"{APP_ID}.svg")
    shutil.copy2(icons / "verifier-256.png", root / f"{APP_ID}.png")
    (root / ".DirIcon").symlink_to(f"{APP_ID}.png")
    return root


def _anonymous(member: tarfile.TarInfo) -> tarfile.TarInfo:
    """Files owned by root, not by whoever built: extracted by a user, they become theirs."""
    member.uid = member.gid = 0
    member.uname = member.gname = "root"
    return member


def tarball(frozen: Path, ver: str) -> Path:
    root = appdir(frozen, ver)
    target = DIST / f"{root.name}.tar.gz"
    partial = target.with_name(target.name + ".partial")
    with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
        tar.add(root, arcname=root.name, filter=_anonymous)
    os.replace(partial, target)
    shutil.rmtree(root)  # a second copy of the frozen folder: only the tarball is kept
    # What a user gets after extracting it: the links resolve and the program starts.
    with tempfile.TemporaryDirectory(prefix="verifier-tarball-") as tmp:
        with tarfile.open(target) as tar:
            tar.extractall(tmp, filter="tar")
        for launcher in ("AppRun", "usr/bin/verifier"):
            done = subprocess.run(
                [str(Path(tmp) / root.name / launcher), "--version"],
                capture_output=True,
                text=True,
                timeout=STEP_TIMEOUT_S,
            )
            if done.returncode != 0 or done.stdout.strip() != f"verifier {ver}":
                raise BuildError(
                    f"{target.name}: {launcher} --version from the extracted tarball failed: "
                    f"{(done.stderr or done.stdout).strip()}"
                )
    print("  ok  tarball extracted, AppRun and usr/bin/verifier start")
    return target


# --- Windows installer --------------------------------------------------------------------


def inno_compiler() -> Path | None:
    """Inno Setup's command-line compiler: on PATH, or where its installer puts it."""
    found = shutil.which("iscc")
    if found:
        return Path(found)
    for base in (
        os.environ.get("ProgramFiles(x86)"),
        os.environ.get("ProgramFiles"),
        os.path.join(os.environ.get("LOCALAPPDATA", ""), "Programs"),
    ):
        if base and (Path(base) / "Inno Setup 6" / "ISCC.exe").exists():
            return Path(base) / "Inno Setup 6" / "ISCC.exe"
    return None


def installer(ver: str) -> Path | None:
    script = PACKAGING / "windows" / "verifier.iss"
    command = f"iscc /DAppVersion={ver} {script.relative_to(ROOT)}"
    iscc = inno_compiler()
    if iscc is None:
        print(f"Inno Setup 6 not found: install it (https://jrsoftware.org/isdl.php), then run: {command}")
        return None
    print(f"making the installer: {command}")
    done = subprocess.run(
        [str(iscc), f"/DAppVersion={ver}", str(script)], cwd=ROOT, capture_output=True, text=True, errors="replace"
    )
    if done.returncode != 0:
        print(done.stdout[-3000:], file=sys.stderr)
        raise BuildError(f"Inno Setup failed (exit {done.returncode}) on {script.name}; its output is above.")
    target = DIST / f"verifier-{ver}-windows-x64-setup.exe"
    print(f"installer size: {megabytes(target.stat().st_size)} ({target})")
    return target


# --- main ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-freeze", action="store_true", help="only run the smoke test on dist/verifier")
    parser.add_argument("--python", type=Path, default=None, help="Python that runs PyInstaller (default: .venv's)")
    args = parser.parse_args(argv)
    try:
        ver = version()
        check_metainfo(ver)
        print(f"verifier {ver} on {sys.platform}")
        if not args.skip_freeze:
            python = args.python or venv_python()
            print(f"freezing with {python} (PyInstaller, packaging/verifier.spec)...")
            print(f"build time: {freeze(python):.1f} s")
        smoke_test(FROZEN, ver)
        print(f"frozen folder size: {megabytes(folder_size(FROZEN))} ({FROZEN})")
        target = DIST / f"verifier-{ver}-linux-x86_64.tar.gz"
        if sys.platform.startswith("linux") and not args.skip_freeze:
            started = time.perf_counter()
            target = tarball(FROZEN, ver)
            print(f"tarball time: {time.perf_counter() - started:.1f} s")
        if target.exists():
            print(f"tarball size: {megabytes(target.stat().st_size)} ({target})")
        if WINDOWS and not args.skip_freeze:
            installer(ver)
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
