#!/usr/bin/env bash
# The config file (docs/configuration.md): every drivers-cfg/ file parses and
# --print-config gives a file that reads back to the same settings; bad keys
# and values are refused with FILE:LINE, [section] key and the reason;
# command-line flags override the file; a whole --pcap run driven by a config
# file ([eal] included) decodes everything and writes a valid Prometheus file
# whose counters match the exit summary.
. "$(dirname "$0")/lib.sh"
SRC="$(cd "$HERE/../.." && pwd)"

# print_config FILE OUT: flowrx --config FILE --print-config, minus the first
# comment line (it names the file)
print_config() {
	"$FLOWRX" --config "$1" --print-config > "$2.full" 2> "$2.err" ||
		{ cat "$2.err" >&2; fail "$1 does not parse"; }
	tail -n +2 "$2.full" > "$2"
}

# 1. drivers-cfg/ and the installed example: parse, and print a config that
#    reads back to itself.
n=0
for f in "$SRC"/drivers-cfg/*.conf "$SRC"/dist/flowrx.conf; do
	b=$(basename "$f")
	print_config "$f" "$WORK/$b.printed"
	print_config "$WORK/$b.printed.full" "$WORK/$b.again"
	cmp -s "$WORK/$b.printed" "$WORK/$b.again" || { diff "$WORK/$b.printed" "$WORK/$b.again" >&2; fail "$b: --print-config does not read back"; }
	n=$((n + 1))
done
[ "$n" -ge 8 ] || fail "expected 7 drivers-cfg files and dist/flowrx.conf, found $n"
grep -q '^allow = 0000:5e:00.0$' "$WORK/i40e.conf.printed" || fail "i40e.conf: [eal] allow not kept"
grep -q '^rss = ip-udp$' "$WORK/i40e.conf.printed" || fail "i40e.conf: rss not kept"
grep -q '^workers = 3,4,5,6,7$' "$WORK/i40e.conf.printed" || fail "i40e.conf: worker lcores not kept"
echo "ok: $n config files parse and round-trip"

# 2. Defaults: every section is printed, and the defaults read back.
"$FLOWRX" --print-config > "$WORK/defaults.conf" || fail "--print-config failed"
for s in eal input lcores output exporters netflow syslog telemetry resources rules; do
	grep -q "^\[$s\]$" "$WORK/defaults.conf" || fail "--print-config lacks [$s]"
done
grep -q '^compression = none$' "$WORK/defaults.conf" || fail "[output] compression not printed"
print_config "$WORK/defaults.conf" "$WORK/defaults.again"
tail -n +2 "$WORK/defaults.conf" | cmp -s - "$WORK/defaults.again" || fail "defaults do not read back"

# 3. Errors: one line naming FILE:LINE, [section] key and the reason; exit 1.
# expect_error NAME 'FILE CONTENT' 'EXPECTED MESSAGE (grep -F)'
expect_error() {
	printf '%b' "$2" > "$WORK/$1.conf"
	if "$FLOWRX" --config "$WORK/$1.conf" --print-config > "$WORK/$1.out" 2> "$WORK/$1.err"; then
		fail "$1: accepted"
	fi
	grep -qF -- "$3" "$WORK/$1.err" || { cat "$WORK/$1.err" >&2; fail "$1: expected '$3'"; }
	[ "$(wc -l < "$WORK/$1.err")" -eq 1 ] || { cat "$WORK/$1.err" >&2; fail "$1: more than one error line"; }
}
expect_error unknown-key '[output]\ndir = /tmp\nrotat = 60\n' "$WORK/unknown-key.conf:3: [output] rotat: unknown key"
expect_error unknown-section '[outptu]\ndir = /tmp\n' "unknown-section.conf:2: [outptu] dir: unknown section"
expect_error bad-number '[output]\nrotate = 5m\n' "bad-number.conf:2: [output] rotate: '5m' is not a number in [0, 86400]"
expect_error bad-bool '[input]\nverify_udp_checksum = maybe\n' "[input] verify_udp_checksum: 'maybe' is not yes or no"
expect_error bad-prefix '[exporters]\nallow = 10.0.0.0/33\n' "bad-prefix.conf:2: [exporters] allow: '10.0.0.0/33' is not an IPv4/IPv6 prefix"
expect_error bad-exporter '; comment\n[exporter 10.0.0.300]\nsampling = 10\n' "bad-exporter.conf:3: [exporter 10.0.0.300] sampling: section [exporter 10.0.0.300]: '10.0.0.300' is not an IPv4 or IPv6 address"
expect_error bad-engines '[exporter 192.0.2.1]\nengines = 1/2,x\n' "[exporter 192.0.2.1] engines: 'x' is neither TYPE/ID nor domain:N"
expect_error bad-eal '[eal]\nlcore = 0-3\n' "bad-eal.conf:2: [eal] lcore: unknown key in [eal]"
expect_error compression '[output]\ncompression = zstd\n' "[output] compression: 'zstd': only none is supported so far"
expect_error no-section 'dir = /tmp\n' "no-section.conf:1: [] dir: a key before any [section]"
expect_error not-ini '[input]\nports 2055\n' "not-ini.conf:2: not a [section] or key = value line"
expect_error both-inputs '[input]\npcap = /tmp/a.pcap\niface = lo\n' "choose one input"
python3 -c "print('[eal]\nvdev = ' + 'x' * 2000)" > "$WORK/long.conf"
"$FLOWRX" --config "$WORK/long.conf" --print-config > /dev/null 2> "$WORK/long.err" && fail "long line accepted"
grep -qF "long.conf:2: line longer than" "$WORK/long.err" || fail "long line: $(cat "$WORK/long.err")"
"$FLOWRX" --config "$WORK/missing.conf" 2> "$WORK/missing.err" && fail "missing file accepted"
grep -qF -- "--config $WORK/missing.conf: No such file" "$WORK/missing.err" || fail "missing file: $(cat "$WORK/missing.err")"
echo "ok: bad files refused with FILE:LINE [section] key"

# 4. Command-line flags override the file; the command line's --allow list
#    replaces the file's; an [exporter] section and --exporter merge by address.
cat > "$WORK/base.conf" <<CONF
[output]
rotate = 60
dir = $WORK/from-file
[exporters]
allow = 192.0.2.0/24
allow = 198.51.100.0/24
[exporter 192.0.2.1]
sampling = 100
engines = 0/1,0/2
CONF
"$FLOWRX" --config "$WORK/base.conf" --print-config > "$WORK/file-only.conf" || fail "base.conf"
grep -q '^rotate = 60$' "$WORK/file-only.conf" || fail "file's rotate not applied"
[ "$(grep -c '^allow = ' "$WORK/file-only.conf")" -eq 2 ] || fail "file's allow list not applied"
"$FLOWRX" -c "$WORK/base.conf" --rotate 120 --allow 10.0.0.0/8 --exporter 192.0.2.1,sampling=7 \
	--print-config > "$WORK/override.conf" || fail "override"
grep -q '^rotate = 120$' "$WORK/override.conf" || fail "--rotate did not override the file"
grep -q "^dir = $WORK/from-file$" "$WORK/override.conf" || fail "the file's dir was lost"
[ "$(grep -c '^allow = ' "$WORK/override.conf")" -eq 1 ] && grep -q '^allow = 10.0.0.0/8$' "$WORK/override.conf" ||
	fail "--allow did not replace the file's list"
grep -q '^sampling = 7$' "$WORK/override.conf" || fail "--exporter did not override [exporter 192.0.2.1]"
[ "$(grep -c '^\[exporter 192.0.2.1\]$' "$WORK/override.conf")" -eq 1 ] || fail "exporter 192.0.2.1 listed twice"
grep -q '^engines = 0/1,0/2$' "$WORK/override.conf" || fail "engine pins of the file lost"
"$FLOWRX" -c "$WORK/base.conf" --rotate 99999 2> "$WORK/cli.err" && fail "bad flag after a good file accepted"
grep -qF -- "--rotate: '99999'" "$WORK/cli.err" || fail "bad flag not named: $(cat "$WORK/cli.err")"
echo "ok: flags override the file"

# 5. A whole run from a config file: EAL settings, input, output and the
#    Prometheus file come from it; only --config is on the command line.
"$TESTGEN" mixed "$WORK/mixed.pcap" "$WORK/expected.jsonl" "$WORK/counters.txt"
cat > "$WORK/run.conf" <<CONF
; everything a --pcap run needs, no command-line settings
[eal]
lcores = 0-1
no_huge = yes
memory = 1024
no_pci = yes
no_shconf = yes
file_prefix = frxe2e-$$-cfg
log_level = lib.eal:warning
[input]
pcap = $WORK/mixed.pcap
[lcores]
rx = 0
workers = 1
stats = 0
idle_sleep_us = 50
[output]
dir = $WORK/run/flows
[telemetry]
prometheus_file = $WORK/run/flowrx.prom
prometheus_interval = 1
CONF
mkdir -p "$WORK/run"
"$FLOWRX" --config "$WORK/run.conf" > "$WORK/run/summary.txt" 2> "$WORK/run/stderr.txt" ||
	{ cat "$WORK/run/stderr.txt" >&2; fail "run from a config file: flowrx exited $?"; }
grep -q "lcore 1 (cpu [0-9]*): worker0" "$WORK/run/summary.txt" || fail "[lcores] from the file not used"
expect_counters "$WORK/counters.txt" "$WORK/run/summary.txt"
"$FLOWRX_READ" -R "$WORK/run/flows" -o json > "$WORK/run/got.jsonl" || fail "flowrx-read exited $?"
python3 "$HERE/compare_records.py" "$WORK/expected.jsonl" "$WORK/run/got.jsonl" || fail "records differ"
[ ! -e "$WORK/run/flowrx.prom.tmp" ] || fail "Prometheus temporary file left behind"
python3 "$HERE/check_prometheus.py" "$WORK/run/flowrx.prom" "$WORK/run/summary.txt" ||
	fail "Prometheus file wrong"
echo "ok: a run configured by file, Prometheus counters match the summary"
