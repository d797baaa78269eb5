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

# A crash in the middle of a write leaves part of a block: cut the crashed
# file inside its last block. The reader must say where the torn block is,
# count it, and still give every record of the blocks before it.
crashed=$(ls "$flows"/*.frx)
mkdir "$WORK/torn"
# the end of its complete blocks: the SIGKILL may already have left a torn tail
good_end=$(sed -n 's/.*torn block at end of .* offset \([0-9]*\):.*/\1/p' "$WORK/read1.txt" | head -n 1)
[ -n "$good_end" ] || good_end=$(stat -c %s "$crashed")
head -c $((good_end - 1000)) "$crashed" > "$WORK/torn/$(basename "$crashed")"
"$FLOWRX_READ" -R "$WORK/torn" -o csv > "$WORK/torn.csv" 2> "$WORK/read-torn.txt" ||
	{ cat "$WORK/read-torn.txt"; fail "reader failed on a torn file"; }
nt=$(($(wc -l < "$WORK/torn.csv") - 1))
grep -q "torn block at end of .* offset [0-9]*: incomplete write" "$WORK/read-torn.txt" ||
	{ cat "$WORK/read-torn.txt"; fail "torn tail not reported"; }
grep -q "^Summary: $nt records, [0-9]* blocks, 1 files, 1 torn/skipped blocks" "$WORK/read-torn.txt" ||
	{ cat "$WORK/read-torn.txt"; fail "torn block not counted"; }
[ "$nt" -gt 0 ] && [ "$nt" -lt "$n1" ] || fail "torn file: $nt records, crashed file $n1"
head -n $((nt + 1)) "$WORK/after-crash.csv" | cmp -s - "$WORK/torn.csv" ||
	fail "records before the torn block differ from the crashed file's"
echo "torn tail reported; the $nt records before it recovered"

# Restart on the same directory: a new file, the old one still readable.
"$TESTGEN" clean "$WORK/clean.pcap" "$WORK/expected.jsonl"
"$FLOWRX" --pcap "$WORK/clean.pcap" -w "$flows" > "$WORK/summary2.txt" 2>&1 || fail "restart failed"
[ "$(ls "$flows"/*.frx | wc -l)" -eq 2 ] || fail "restart did not start a second file"
"$FLOWRX_READ" -q -R "$flows" -o csv > "$WORK/after-restart.csv" || fail "reader failed after restart"
n2=$(($(wc -l < "$WORK/after-restart.csv") - 1))
[ "$n2" -eq $((n1 + $(wc -l < "$WORK/expected.jsonl"))) ] || fail "after restart: $n2 records, expected $n1 + new"
echo "ok: crash recovery and restart"
