#!/usr/bin/env bash
# Flow rules (docs/rules.md) on a capture: records dropped and tagged by
# every kind of condition (prefixes v4/v6, ports, protocol, ToS, TCP flags,
# interfaces, AS numbers, exporter, application name by regex and literal,
# interface names from options data), overlapping rules with priorities.
# An independent model (rules_model.py) applies the same rules to the
# generator's description of the records; the stored records, the
# collector's per-rule counters and flowrx-read --stats must agree with it
# record by record. Then bad rules files must stop the start with FILE:LINE.
. "$(dirname "$0")/lib.sh"

"$TESTGEN" rules "$WORK/rules.pcap" "$WORK/generated.jsonl"
cat > "$WORK/rules.ini" <<'RULES'
# drop, keep and tag; overlapping on purpose
[rule drop-blackhole]
priority = 100
dst = 10.255.0.0/16
action = drop

[rule streaming]
priority = 50
application = ~ /netflix|youtube/i
action = class 7

[rule dns-exact]
priority = 40
application = dns
dst_port = 53
action = class 8

[rule customer-narrow]
priority = 35
src = 10.1.2.0/24
action = keep

[rule web-customers]
priority = 30
src = 10.0.0.0/8, 172.16.0.0/12
dst_port = 443
proto = tcp
action = class 3

[rule syn-only]
priority = 20
tcp_flags = S/SA
action = class 4

[rule v6-docs]
priority = 10
src = 2001:db8::/32
dst_port = 1024-65535
action = class 6

[rule v6-drop-ula]
priority = 10
src = fd00::/8
action = drop

[rule uplink-name]
priority = 5
in_if_name = ~ /^xe-/
action = class 9

[rule as-and-tos]
priority = 4
src_as = 64500-64509
tos = 0x40/0xe0
action = class 11

[rule exporter6-icmp]
priority = 3
exporter = 2001:db8::/64
proto = icmp
action = class 12

[rule out-lo0]
priority = 2
out_if = 4
out_if_name = lo0
action = class 13
RULES

"$FLOWRX" --pcap "$WORK/rules.pcap" -w "$WORK/flows" --rules "$WORK/rules.ini" > "$WORK/summary.txt" 2>&1 ||
	{ cat "$WORK/summary.txt"; fail "flowrx exited $?"; }
grep -q "rules: loaded .*: 12 rules (4 with strings)" "$WORK/summary.txt" || { cat "$WORK/summary.txt"; fail "rules not loaded"; }
"$FLOWRX_READ" -q -R "$WORK/flows" -o json > "$WORK/got.jsonl" || fail "reader failed"
"$FLOWRX_READ" -q -R "$WORK/flows" --stats -o json > "$WORK/stats.jsonl" || fail "reader --stats failed"
python3 "$HERE/rules_model.py" "$WORK/rules.ini" "$WORK/generated.jsonl" "$WORK/got.jsonl" "$WORK/summary.txt" \
	"$WORK/stats.jsonl" || fail "records or counters differ from the model"
decoded=$(counter records_decoded "$WORK/summary.txt")
written=$(counter records_written "$WORK/summary.txt")
dropped=$(counter records_dropped_by_rules "$WORK/summary.txt")
[ "$decoded" -eq $((written + dropped)) ] || fail "decoded $decoded != written $written + dropped $dropped"
[ "$dropped" -gt 0 ] || fail "nothing dropped"
# the reader's filter sees the classes
[ "$("$FLOWRX_READ" -q -R "$WORK/flows" -o json 'class 7' | wc -l)" -eq \
  "$(grep -c '"class":7' "$WORK/got.jsonl")" ] || fail "filter 'class 7' disagrees"

# The same rules inline in the configuration file ([rule NAME] sections
# between the settings): the same records stored.
{
	printf '[output]\nrotate = 0\n\n'
	cat "$WORK/rules.ini"
	printf '\n[netflow]\ntemplate_timeout = 3600\n'
} > "$WORK/flowrx.conf"
"$FLOWRX" --pcap "$WORK/rules.pcap" -w "$WORK/flows-inline" -c "$WORK/flowrx.conf" > "$WORK/summary-inline.txt" 2>&1 ||
	{ cat "$WORK/summary-inline.txt"; fail "flowrx with rules in its config exited $?"; }
grep -q "rules: loaded .*flowrx.conf: 12 rules (4 with strings)" "$WORK/summary-inline.txt" ||
	{ cat "$WORK/summary-inline.txt"; fail "inline rules not loaded"; }
"$FLOWRX_READ" -q -R "$WORK/flows-inline" -o json > "$WORK/got-inline.jsonl" || fail "reader failed"
cmp -s "$WORK/got.jsonl" "$WORK/got-inline.jsonl" || fail "rules in the config file give other records"
printf '[rules]\nfile = %s\n\n[rule x]\naction = drop\n' "$WORK/rules.ini" > "$WORK/both.conf"
"$FLOWRX" --pcap "$WORK/rules.pcap" -w "$WORK/badflows" -c "$WORK/both.conf" > "$WORK/bad.txt" 2>&1 &&
	fail "flowrx started with rules in two places"
grep -q "keep them in one place" "$WORK/bad.txt" || { cat "$WORK/bad.txt"; fail "rules in two places not named"; }

# A bad rules file stops the start and names file and line.
bad() { # bad EXPECTED-MESSAGE-PART: rules text on stdin
	cat > "$WORK/bad.ini"
	if "$FLOWRX" --pcap "$WORK/rules.pcap" -w "$WORK/badflows" --rules "$WORK/bad.ini" > "$WORK/bad.txt" 2>&1; then
		fail "flowrx started with a bad rules file ($1)"
	fi
	grep -qF -- "$1" "$WORK/bad.txt" || { cat "$WORK/bad.txt"; fail "no '$1' in the error"; }
}
printf '[rule a]\naction = drop\n\n[rule b]\nsrc = 10.0.0.0/33\naction = keep\n' |
	bad "--rules: $WORK/bad.ini:5: src: '10.0.0.0/33': prefix length must be 0-32"
printf '[rule a]\napplication = ~ /(open/\naction = drop\n' | bad "$WORK/bad.ini:2: rule 'a': application regex '(open'"
printf '[rule a]\ndst_port = 80\n' | bad "$WORK/bad.ini:1: rule 'a' has no action"
"$FLOWRX" --pcap "$WORK/rules.pcap" -w "$WORK/badflows" --rules "$WORK/missing.ini" > "$WORK/bad.txt" 2>&1 &&
	fail "flowrx started without its rules file"
grep -qF "$WORK/missing.ini: No such file or directory" "$WORK/bad.txt" || fail "missing file not named"
echo "ok: rules drop and tag records as the model says; per-rule counters agree; bad files refused"
