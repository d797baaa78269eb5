#!/usr/bin/env bash
# Sequence accounting and exporter protection, by exact counts: gaps, a late
# datagram filling its gap, a duplicate, the 32-bit wrap, an exporter
# restart, v9 packet numbering, softflowd's IPFIX numbering, a spoofed
# engine, a source outside the ACL and a flooding exporter (testgen seq).
# The counts are read back from the flow files with flowrx-read --stats.
. "$(dirname "$0")/lib.sh"

"$TESTGEN" seq "$WORK/seq.pcap"
common=(--allow 192.0.2.0/24 --rate-limit 10/20 --engine 192.0.2.30=0/1 --log-stderr)

"$FLOWRX" --pcap "$WORK/seq.pcap" -w "$WORK/run1" "${common[@]}" > "$WORK/summary1.txt" 2> "$WORK/log1.txt" ||
	{ cat "$WORK/log1.txt"; fail "flowrx exited $?"; }
[ "$(counter drop_acl_denied "$WORK/summary1.txt")" -eq 3 ] || fail "acl_denied"
[ "$(counter drop_rate_limited "$WORK/summary1.txt")" -eq 30 ] || fail "rate_limited"
grep -q "192.0.2.30 v5 engine 0/1: out of sequence, gap: expected sequence 60, received 90" "$WORK/log1.txt" ||
	{ cat "$WORK/log1.txt"; fail "gap not logged"; }
grep -q "192.0.2.30 v5 engine 7/7: engine not known" "$WORK/log1.txt" || fail "new engine not logged"
grep -q "192.0.2.34 port 6004 v10 domain 1: sequence numbers count the records of their own message" \
	"$WORK/log1.txt" || fail "softflowd convention not logged"
[ "$(grep -c "192.0.2.30 v5 engine 0/1" "$WORK/log1.txt")" -eq 1 ] || fail "logging not rate-limited per engine"

"$FLOWRX_READ" --stats -R "$WORK/run1" -o json > "$WORK/stats1.jsonl" || fail "flowrx-read --stats failed"
cat > "$WORK/expect1.json" <<'JSON'
{"engine_count": 7,
 "engines": [
  {"exporter": "192.0.2.30", "version": 5, "engine_type": 0, "engine_id": 1,
   "packets": 7, "records": 210, "lost": 30, "out_of_order": 1, "duplicates": 1, "resets": 0, "rejected": 0},
  {"exporter": "192.0.2.30", "version": 5, "engine_type": 7, "engine_id": 7, "packets": 1, "new_engine": true},
  {"exporter": "192.0.2.31", "version": 5, "engine_id": 2, "packets": 4, "lost": 0, "resets": 0, "out_of_order": 0},
  {"exporter": "192.0.2.32", "version": 5, "packets": 4, "lost": 0, "resets": 1},
  {"exporter": "192.0.2.33", "version": 9, "domain": 3, "packets": 5, "lost": 1, "out_of_order": 1, "unit": "packets"},
  {"exporter": "192.0.2.34", "version": 10, "domain": 1, "packets": 6, "records": 36, "lost": 0,
   "duplicates": 0, "inclusive_seq": true, "unit": "records"},
  {"exporter": "192.0.2.40", "version": 5, "packets": 20, "records": 600, "lost": 0}
 ],
 "exporters": [
  {"exporter": "192.0.2.30", "datagrams": 8, "new_engine_pdus": 1},
  {"exporter": "192.0.2.40", "datagrams": 50, "rate_limited": 30, "drops": {"rate_limited": 30}}
 ],
 "denied": [{"source": "203.0.113.5", "datagrams": 2}, {"source": "2001:db8:bad::1", "datagrams": 1}]
}
JSON
python3 "$HERE/check_stats.py" "$WORK/stats1.jsonl" "$WORK/expect1.json" || fail "statistics differ"

# Rejecting: the duplicate and the spoofed engine are refused, not stored.
"$FLOWRX" --pcap "$WORK/seq.pcap" -w "$WORK/run2" "${common[@]}" --reject-out-of-sequence 1000 \
	--reject-new-engines > "$WORK/summary2.txt" 2> "$WORK/log2.txt" || fail "flowrx exited $?"
[ "$(counter drop_out_of_sequence "$WORK/summary2.txt")" -eq 1 ] || fail "duplicate not rejected"
[ "$(counter drop_new_engine "$WORK/summary2.txt")" -eq 1 ] || fail "new engine not rejected"
[ "$(counter records_written "$WORK/summary2.txt")" -eq $(($(counter records_written "$WORK/summary1.txt") - 60)) ] ||
	fail "rejected datagrams were stored"
"$FLOWRX_READ" --stats -R "$WORK/run2" -o json > "$WORK/stats2.jsonl" || fail "flowrx-read --stats failed"
cat > "$WORK/expect2.json" <<'JSON'
{"engines": [
  {"exporter": "192.0.2.30", "version": 5, "engine_type": 0, "engine_id": 1,
   "packets": 6, "lost": 30, "out_of_order": 1, "duplicates": 0, "rejected": 1},
  {"exporter": "192.0.2.32", "version": 5, "resets": 1, "rejected": 0}
 ]}
JSON
python3 "$HERE/check_stats.py" "$WORK/stats2.jsonl" "$WORK/expect2.json" || fail "statistics differ (reject)"
echo "ok: sequence accounting, ACL, engine pinning and rate limits counted exactly"
