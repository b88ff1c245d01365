#!/bin/sh
# Install MyoCase from this unpacked folder for the current user: the `myocase` command
# (~/.local/bin), the menu entry, the icon, and the .myocase file type (double-click opens MyoCase).
# Nothing is copied out of this folder but those small files: keep the folder where it is.
#   ./install-linux.sh              install (again, after moving the folder)
#   ./install-linux.sh --uninstall  take it all away (your case-series files are not touched)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
BIN=$HOME/.local/bin
ICONS=$DATA/icons/hicolor

if [ "${1:-}" = "--uninstall" ]; then
    [ "$(readlink "$BIN/myocase" 2>/dev/null || true)" = "$HERE/myocase" ] && rm -f "$BIN/myocase"
    rm -f "$DATA/applications/myocase.desktop" "$DATA/mime/packages/myocase-mime.xml"
    rm -f "$ICONS"/*/apps/myocase.png "$ICONS/scalable/apps/myocase.svg"
    echo "MyoCase's menu entry, icon and file type are removed; this folder can now be deleted."
else
    [ -x "$HERE/myocase" ] || { echo "install-linux.sh: run me from the unpacked MyoCase folder" >&2; exit 1; }
    mkdir -p "$BIN" "$DATA/applications" "$DATA/mime/packages" "$ICONS"
    ln -sf "$HERE/myocase" "$BIN/myocase"
    cp -R "$HERE/share/icons/hicolor/." "$ICONS/"
    cp "$HERE/share/mime/packages/myocase-mime.xml" "$DATA/mime/packages/"
    # The menu entry runs this folder's program: Exec gets the path in double quotes, with the desktop
    # entry's escapes (a backslash as four, " ` $ after two); both lines then escaped for sed.
    exec_path=$(printf '%s' "$HERE/myocase" | sed -e 's/\\/\\\\\\\\/g' -e 's/["`$]/\\\\&/g')
    try_path=$(printf '%s' "$HERE/myocase" | sed -e 's/\\/\\\\/g')
    exec_sed=$(printf '%s' "$exec_path" | sed -e 's/[\\&|]/\\&/g')
    try_sed=$(printf '%s' "$try_path" | sed -e 's/[\\&|]/\\&/g')
    sed -e "s|^Exec=myocase|Exec=\"$exec_sed\"|" -e "s|^TryExec=myocase|TryExec=$try_sed|" \
        "$HERE/share/applications/myocase.desktop" >"$DATA/applications/myocase.desktop"
    echo "MyoCase is installed: find it in the applications menu, or run: myocase"
    case ":$PATH:" in *":$BIN:"*) ;; *) echo "(add $BIN to your PATH to run 'myocase' in a terminal)" ;; esac
fi

# Refresh the desktop's caches when their tools are there (they are on most desktops).
if command -v update-mime-database >/dev/null 2>&1; then update-mime-database "$DATA/mime"; fi
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q "$DATA/applications"; fi
if command -v gtk-update-icon-cache >/dev/null 2>&1; then gtk-update-icon-cache -q -t -f "$ICONS" || true; fi
if [ "${1:-}" != "--uninstall" ] && command -v xdg-mime >/dev/null 2>&1; then
    xdg-mime default myocase.desktop application/x-myocase || true
fi
