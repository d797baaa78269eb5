#!/usr/bin/env bash
# "meson install" (into a DESTDIR) puts in place what running flowrx as a
# service needs: binaries, man pages, the systemd unit (checked with
# systemd-analyze verify where it exists), the example config and the config
# made from it (kept on re-install), the scripts and drivers-cfg/. The
# installed config parses with the installed flowrx.
. "$(dirname "$0")/lib.sh"
BUILD="$(cd "$(dirname "$FLOWRX")/.." && pwd)"
DEST="$WORK/dest"

meson install -C "$BUILD" --no-rebuild --destdir "$DEST" > "$WORK/install.log" 2>&1 ||
	{ tail -20 "$WORK/install.log" >&2; fail "meson install failed"; }
prefix=$(meson introspect "$BUILD" --buildoptions | python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
print(o["prefix"]); print(o["sysconfdir"]); print(o["libexecdir"]); print(o["datadir"]); print(o["mandir"]); print(o["bindir"])')
{ read -r pfx; read -r sysconf; read -r libexec; read -r data; read -r man; read -r bin; } <<<"$prefix"
abs() { case "$1" in /*) echo "$1" ;; *) echo "$pfx/$1" ;; esac; }
etc="$DEST$(abs "$sysconf")/flowrx"
for f in "$DEST$(abs "$bin")/flowrx" "$DEST$(abs "$bin")/flowrx-read" "$DEST$(abs "$bin")/flowrx-ship" \
	"$DEST$(abs "$man")/man1/flowrx.1" "$DEST$(abs "$man")/man1/flowrx-read.1" "$DEST$(abs "$man")/man1/flowrx-ship.1" \
	"$etc/flowrx.conf.example" "$etc/flowrx.conf" \
	"$DEST$(abs "$libexec")/flowrx/setup-hugepages.sh" "$DEST$(abs "$libexec")/flowrx/bind-nic.sh" \
	"$DEST$(abs "$data")/flowrx/drivers-cfg/mlx5.conf"; do
	[ -e "$f" ] || fail "not installed: $f"
done
[ -x "$DEST$(abs "$libexec")/flowrx/setup-hugepages.sh" ] || fail "setup-hugepages.sh not executable"
unit=$(find "$DEST" -name flowrx.service | head -n 1)
[ -n "$unit" ] || fail "systemd unit not installed"
grep -qx "ExecStart=$(abs "$bin")/flowrx --config $(abs "$sysconf")/flowrx/flowrx.conf" "$unit" || fail "unit ExecStart wrong"
ship_unit=$(find "$DEST" -name flowrx-ship.service | head -n 1)
[ -n "$ship_unit" ] || fail "flowrx-ship unit not installed"
grep -q "^ExecStart=$(abs "$bin")/flowrx-ship " "$ship_unit" || fail "flowrx-ship unit ExecStart wrong"
grep -q "^ExecStartPre=$(abs "$libexec")/flowrx/setup-hugepages.sh --from-config" "$unit" || fail "unit prepares no hugepages"
grep -qx "Restart=on-failure" "$unit" && grep -qx "KillSignal=SIGTERM" "$unit" && grep -q "^TimeoutStopSec=" "$unit" ||
	fail "unit: restart, stop signal or stop timeout missing"
if command -v systemd-analyze > /dev/null; then
	# the unit with its paths inside DESTDIR, so that the commands exist
	sed "s|$pfx|$DEST$pfx|g" "$unit" > "$WORK/flowrx.service"
	systemd-analyze verify --man=no "$WORK/flowrx.service" > "$WORK/verify.log" 2>&1 ||
		{ cat "$WORK/verify.log" >&2; fail "systemd-analyze verify"; }
	[ ! -s "$WORK/verify.log" ] || { cat "$WORK/verify.log" >&2; fail "systemd-analyze verify warnings"; }
fi
"$DEST$(abs "$bin")/flowrx" --config "$etc/flowrx.conf" --print-config > /dev/null || fail "installed config does not parse"

# A re-install keeps an edited config.
echo "; edited" >> "$etc/flowrx.conf"
meson install -C "$BUILD" --no-rebuild --destdir "$DEST" > "$WORK/install2.log" 2>&1 || fail "re-install failed"
tail -n 1 "$etc/flowrx.conf" | grep -qx "; edited" || fail "re-install overwrote the operator's config"
echo "ok: meson install"
