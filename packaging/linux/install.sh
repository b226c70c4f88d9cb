#!/bin/sh
# Make this extracted folder show up in the desktop's application menu, for the current user:
# a `verifier` command in ~/.local/bin, the menu entry, the icons and the AppStream file.
#     ./install.sh             install (run it again after moving the folder)
#     ./install.sh --remove    take them away again (the folder and the user's data stay)
# The program itself stays in this folder; the user's data is in ~/.local/share/verifier.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
id=fr.verifier.Verifier
data="${XDG_DATA_HOME:-$HOME/.local/share}"
bin="$HOME/.local/bin"
sizes="16 32 48 64 128 256"
if [ "${1:-}" = "--remove" ]; then
    rm -f "$bin/verifier" "$data/applications/$id.desktop" "$data/metainfo/$id.metainfo.xml" \
          "$data/icons/hicolor/scalable/apps/$id.svg"
    for s in $sizes; do rm -f "$data/icons/hicolor/${s}x${s}/apps/$id.png"; done
    echo "verifier removed from the menu; $here and your data were left in place."
    exit 0
fi
mkdir -p "$bin" "$data/applications" "$data/metainfo" "$data/icons/hicolor/scalable/apps"
ln -sf "$here/usr/bin/verifier" "$bin/verifier"
sed "s|^Exec=verifier|Exec=\"$here/usr/bin/verifier\"|" "$here/usr/share/applications/$id.desktop" \
    > "$data/applications/$id.desktop"
cp "$here/usr/share/metainfo/$id.metainfo.xml" "$data/metainfo/"
cp "$here/usr/share/icons/hicolor/scalable/apps/$id.svg" "$data/icons/hicolor/scalable/apps/"
for s in $sizes; do
    mkdir -p "$data/icons/hicolor/${s}x${s}/apps"
    cp "$here/usr/share/icons/hicolor/${s}x${s}/apps/$id.png" "$data/icons/hicolor/${s}x${s}/apps/"
done
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q "$data/icons/hicolor" 2>/dev/null || true
echo "verifier installed in the menu (program: $here; command: $bin/verifier)."
