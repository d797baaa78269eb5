#!/usr/bin/env bash
# NetFlow v9 and IPFIX through the real collector, checked field by field
# against the generator's description: options (sampling, interface names),
# data before its template, IPv6, variable-length and enterprise fields, a
# withdrawal, a broken set. Then a restart: a capture with data only is
# decoded at once from the templates the first run saved.
. "$(dirname "$0")/lib.sh"

"$TESTGEN" ipfix "$WORK/ipfix.pcap" "$WORK/expected.jsonl" "$WORK/counters.txt"
"$FLOWRX" --pcap "$WORK/ipfix.pcap" -w "$WORK/run1" --state-dir "$WORK/state" > "$WORK/summary1.txt" 2>&1 ||
	{ cat "$WORK/summary1.txt"; fail "flowrx exited $?"; }
expect_counters "$WORK/counters.txt" "$WORK/summary1.txt"
"$FLOWRX_READ" -q -R "$WORK/run1" -o json > "$WORK/got1.jsonl" || fail "reader failed"
python3 "$HERE/compare_records.py" "$WORK/expected.jsonl" "$WORK/got1.jsonl" || fail "records differ"
grep -q "^template 192.0.2.20 5000 9 3 256 0 0 " "$WORK/state/flowrx-templates.txt" ||
	{ cat "$WORK/state/flowrx-templates.txt"; fail "template of 192.0.2.20 not saved"; }
grep -q "^template 2001:db8::20 5002 10 9 400 " "$WORK/state/flowrx-templates.txt" &&
	fail "a withdrawn template was saved"

# Restart: data only, no template in the capture.
"$TESTGEN" ipfix-data "$WORK/data.pcap" "$WORK/expected2.jsonl"
"$FLOWRX" --pcap "$WORK/data.pcap" -w "$WORK/run2" --state-dir "$WORK/state" > "$WORK/summary2.txt" 2>&1 ||
	{ cat "$WORK/summary2.txt"; fail "flowrx exited $?"; }
grep -q "template(s) restored" "$WORK/summary2.txt" || fail "no template restored"
[ "$(counter sets_unknown_template "$WORK/summary2.txt")" -eq 0 ] || fail "data waited for templates"
"$FLOWRX_READ" -q -R "$WORK/run2" -o json > "$WORK/got2.jsonl" || fail "reader failed"
python3 "$HERE/compare_records.py" "$WORK/expected2.jsonl" "$WORK/got2.jsonl" || fail "restart records differ"

# Without the saved state the same data is only backlogged.
"$FLOWRX" --pcap "$WORK/data.pcap" -w "$WORK/run3" --state-dir "$WORK/empty" > "$WORK/summary3.txt" 2>&1 ||
	fail "flowrx exited $?"
[ "$(counter records_written "$WORK/summary3.txt")" -eq 0 ] || fail "decoded without templates?"
echo "ok: v9/IPFIX decoded field by field; templates survive a restart"
