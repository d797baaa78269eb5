#!/usr/bin/env bash
# SIGKILL while writing: the reader recovers every complete block of the
# file left without an END block, never fails on it, and a restarted flowrx
# starts a new file beside it without any repair.
. "$(dirname "$0")/lib.sh"

"$TESTGEN" bulk "$WORK/bulk.pcap" 200
flows="$WORK/flows"
# shellcheck disable=SC2046
"$FLOWRX" -l 0 $(eal) --vdev "net_pcap0,rx_pcap=$WORK/bulk.pcap,infinite_rx=1" -- \
	-w "$flows" --rotate 0 --flush-ms 50 > "$WORK/summary.txt" 2> "$WORK/stderr.txt" &
pid=$!
for _ in $(seq 100); do
	[ "$(cat "$flows"/*.frx 2>/dev/null | wc -c)" -gt 2000000 ] && break
	sleep 0.05
done
kill -KILL $pid
wait $pid 2>/dev/null || true

"$FLOWRX_READ" -R "$flows" -o csv > "$WORK/after-crash.csv" 2> "$WORK/read1.txt" ||
	{ cat "$WORK/read1.txt"; fail "reader failed on a crashed file"; }
n1=$(($(wc -l < "$WORK/after-crash.csv") - 1))
[ "$n1" -gt 0 ] || fail "no record recovered"
grep -q "^Summary: $n1 records" "$WORK/read1.txt" || fail "summary disagrees with the records printed"
echo "recovered $n1 records after SIGKILL"

# Restart on the same directory: a new file, the old one still readable.
"$TESTGEN" clean "$WORK/clean.pcap" "$WORK/expected.jsonl"
"$FLOWRX" --pcap "$WORK/clean.pcap" -w "$flows" > "$WORK/summary2.txt" 2>&1 || fail "restart failed"
[ "$(ls "$flows"/*.frx | wc -l)" -eq 2 ] || fail "restart did not start a second file"
"$FLOWRX_READ" -q -R "$flows" -o csv > "$WORK/after-restart.csv" || fail "reader failed after restart"
n2=$(($(wc -l < "$WORK/after-restart.csv") - 1))
[ "$n2" -eq $((n1 + $(wc -l < "$WORK/expected.jsonl"))) ] || fail "after restart: $n2 records, expected $n1 + new"
echo "ok: crash recovery and restart"
