"""The files the installers are made from: icons, the Linux desktop entry and AppStream
file, the Windows installer script. Quick checks; the frozen build has its own test."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from verifier import __version__  # noqa: E402
from verifier.gui import start  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "verifier" / "resources" / "icons"
LINUX = ROOT / "packaging" / "linux"
ISS = ROOT / "packaging" / "windows" / "verifier.iss"
APP_ID = "fr.verifier.Verifier"
SIZES = (16, 32, 48, 64, 128, 256)


def test_every_png_has_its_size_and_the_window_icon_offers_them_all(qapp: QApplication) -> None:
    for size in SIZES:
        image = QImage(str(ICONS / f"verifier-{size}.png"))
        assert (image.width(), image.height()) == (size, size)
        assert image.hasAlphaChannel()
        assert image.pixelColor(0, 0).alpha() == 0  # transparent corners: the shield's shape shows
        assert image.pixelColor(size // 2, size // 2).alpha() == 255
    icon = start.app_icon()
    assert {s.width() for s in icon.availableSizes()} == set(SIZES)


def test_windows_icon_holds_every_size_from_16_to_256() -> None:
    data = (ICONS / "verifier.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        width, height, _, _, planes, bits, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
        assert width == height and (planes, bits) == (1, 32)
        assert offset + length <= len(data)
        sizes.append(width or 256)
        blob = data[offset : offset + length]
        if width == 0:
            assert blob.startswith(b"\x89PNG")  # the 256 px image is stored as PNG
        else:
            assert struct.unpack_from("<Iii", blob) == (40, width, 2 * width)  # a DIB, height doubled
    assert set(SIZES) <= set(sizes)


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]  # keys are case-sensitive
    parser.read(LINUX / f"{APP_ID}.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_names_the_program_in_french_and_english() -> None:
    entry = _desktop_entry()
    for key in ("Name", "Name[fr]", "Comment", "Comment[fr]", "GenericName", "GenericName[fr]"):
        assert entry.get(key, "").strip(), key
    assert entry["Comment"] != entry["Comment[fr]"]
    assert entry["Icon"] == APP_ID == start.DESKTOP_ID  # Wayland matches the window to the entry
    assert entry["Exec"] == "verifier" and entry["Type"] == "Application"
    if shutil.which("desktop-file-validate"):
        done = subprocess.run(
            ["desktop-file-validate", str(LINUX / f"{APP_ID}.desktop")], capture_output=True, text=True
        )
        assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_appstream_file_describes_this_version() -> None:
    path = LINUX / f"{APP_ID}.metainfo.xml"
    root = ET.parse(path).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    releases = [r.get("version") for r in root.iter("release")]
    assert releases and releases[0] == __version__, "add a <release> for the new version, newest first"
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert any(s.get(lang) == "fr" for s in root.findall("summary"))
    if shutil.which("appstreamcli"):
        done = subprocess.run(["appstreamcli", "validate", "--no-net", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_installer_script_keeps_its_id_and_never_deletes_user_data() -> None:
    raw = ISS.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup reads a script without a UTF-8 BOM as ANSI"
    text = raw.decode("utf-8-sig")
    assert re.search(r"^AppId=\{\{C1F1A9E5-F9EE-4571-9160-D7F37FCCEADF\}$", text, re.MULTILINE), (
        "the AppId must never change: it is how an upgrade finds the installed version"
    )
    assert re.search(r'^Name: "fr"; MessagesFile: "compiler:Languages\\French\.isl"$', text, re.MULTILINE)
    assert re.search(r'^Name: "en"; MessagesFile: "compiler:Default\.isl"$', text, re.MULTILINE)
    assert "#ifndef AppVersion" in text and "AppVersion={#AppVersion}" in text
    assert not re.search(r"^\[UninstallDelete\]", text, re.MULTILINE | re.IGNORECASE)
    deleted = re.findall(r'^Type: \w+; Name: "([^"]+)"', text, re.MULTILINE)
    assert deleted and all(name.startswith("{app}\\") for name in deleted)
    icon = re.search(r"^SetupIconFile=\{#Root\}\\(.+)$", text, re.MULTILINE)
    assert icon and (ROOT / icon.group(1).replace("\\", "/")).is_file()
    for cm in set(re.findall(r"\{cm:(\w+)", text)) - {"CreateDesktopIcon", "AdditionalIcons", "LaunchProgram"}:
        assert f"fr.{cm}=" in text and f"en.{cm}=" in text, f"{cm} needs a French and an English text"
