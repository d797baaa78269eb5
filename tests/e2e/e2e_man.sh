#!/usr/bin/env bash
# The manual pages stay in step with the programs: every long option that
# "flowrx --help" and "flowrx-read --help" list is described in man/flowrx.1
# and man/flowrx-read.1 and the pages describe no other; both pages render
# without groff warnings; every config-file key (--print-config, [eal]
# included) is in man/flowrx.1 and docs/configuration.md.
. "$(dirname "$0")/lib.sh"
SRC="$(cd "$HERE/../.." && pwd)"

# options of a --help text: lines starting with "-x, --name" or "--name"
help_options() {
	sed -nE 's/^ +(-[a-zA-Z], )?(--[a-z][a-z0-9-]*).*/\2/p' | sort -u
}
# options an .TP paragraph of a man page defines (the line after .TP)
man_options() {
	awk 'prev == ".TP" { print } { prev = $0 }' "$1" | sed 's/\\-/-/g' |
		grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

check_page() { # PROGRAM PAGE
	local prog="$1" page="$2" name
	name=$(basename "$page")
	"$prog" --help > "$WORK/$name.help" || fail "$prog --help failed"
	help_options < "$WORK/$name.help" > "$WORK/$name.help-opts"
	man_options "$page" > "$WORK/$name.man-opts"
	[ "$(wc -l < "$WORK/$name.help-opts")" -ge 10 ] || fail "$name: too few options found in --help"
	if ! cmp -s "$WORK/$name.help-opts" "$WORK/$name.man-opts"; then
		echo "--help (<) and $name (>) differ:" >&2
		diff "$WORK/$name.help-opts" "$WORK/$name.man-opts" >&2
		fail "$name does not match --help"
	fi
	groff -man -ww -z "$page" 2> "$WORK/$name.groff" || fail "$name: groff failed"
	[ ! -s "$WORK/$name.groff" ] || { cat "$WORK/$name.groff" >&2; fail "$name: groff warnings"; }
	echo "ok: $name describes the $(wc -l < "$WORK/$name.help-opts") options of --help"
}
check_page "$FLOWRX" "$SRC/man/flowrx.1"
check_page "$FLOWRX_READ" "$SRC/man/flowrx-read.1"
check_page "$(dirname "$FLOWRX")/flowrx-ship" "$SRC/man/flowrx-ship.1"

# Every config key, [eal] ones too, is documented.
cat > "$WORK/eal.conf" <<'CONF'
[eal]
lcores = 0
main_lcore = 0
allow = 0000:01:00.0
block = 0000:01:00.1
vdev = net_null0
memory = 64
socket_mem = 64
socket_limit = 64
channels = 4
huge_dir = /dev/hugepages
file_prefix = x
iova_mode = va
log_level = lib.eal:debug
no_huge = yes
no_pci = yes
in_memory = no
no_shconf = yes
no_telemetry = no
args = --legacy-mem
CONF
"$FLOWRX" --config "$WORK/eal.conf" --print-config > "$WORK/all.conf" || fail "every [eal] key: not accepted"
awk '/^\[/ { next } / = / || / =$/ { print $1 }' "$WORK/all.conf" | sort -u > "$WORK/keys"
[ "$(wc -l < "$WORK/keys")" -ge 50 ] || fail "too few keys printed ($(wc -l < "$WORK/keys"))"
missing=0
while read -r key; do
	for doc in "$SRC/man/flowrx.1" "$SRC/docs/configuration.md"; do
		if ! grep -qw -- "$key" "$doc"; then
			echo "key $key not in $doc" >&2
			missing=1
		fi
	done
done < "$WORK/keys"
[ $missing -eq 0 ] || fail "config keys undocumented"
echo "ok: $(wc -l < "$WORK/keys") config keys documented"
