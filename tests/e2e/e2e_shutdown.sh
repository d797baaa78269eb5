#!/usr/bin/env bash
# SIGTERM under full load loses nothing, and rotation neither loses nor
# duplicates: flowrx replays a capture forever (net_pcap infinite_rx) with a
# new file every second, a follower (flowrx-read -f) reads along across the
# rotations, then SIGTERM. Counter proof:
#   frames received = frames decoded or dropped with a reason
#   records decoded = records written = records the reader finds = records
#   the follower printed live.
. "$(dirname "$0")/lib.sh"

"$TESTGEN" bulk "$WORK/bulk.pcap" 400
flows="$WORK/flows"
# shellcheck disable=SC2046
"$FLOWRX" -l 0 $(eal) --vdev "net_pcap0,rx_pcap=$WORK/bulk.pcap,infinite_rx=1" -- \
	-w "$flows" --rotate 1 --flush-ms 100 > "$WORK/summary.txt" 2> "$WORK/stderr.txt" &
pid=$!

for _ in $(seq 100); do
	compgen -G "$flows/flowrx.*.frx" > /dev/null && break
	sleep 0.1
done
compgen -G "$flows/flowrx.*.frx" > /dev/null || { kill -9 $pid; cat "$WORK/stderr.txt"; fail "no flow file appeared"; }
"$FLOWRX_READ" -R "$flows" -f -o csv > "$WORK/follow.csv" 2> "$WORK/follow-stderr.txt" &
follower=$!

sleep 2.2
kill -TERM $pid
wait $pid || fail "flowrx exited $? after SIGTERM"

rx=$(counter rx_packets "$WORK/summary.txt")
worker=$(counter worker_packets "$WORK/summary.txt")
ring_full=$(counter drop_ring_full "$WORK/summary.txt")
pdus=$(counter pdus_v5 "$WORK/summary.txt")
decoded=$(counter records_decoded "$WORK/summary.txt")
written=$(counter records_written "$WORK/summary.txt")
no_block=$(counter records_lost_no_block "$WORK/summary.txt")
write_err=$(counter records_lost_write_error "$WORK/summary.txt")
files=$(counter files "$WORK/summary.txt")
echo "rx $rx, ring_full $ring_full, decoded $decoded, written $written, files $files"

[ "$rx" -gt 1000 ] || fail "too little traffic to prove anything ($rx frames)"
[ "$rx" -eq $((worker + ring_full)) ] || fail "frames: rx $rx != worker $worker + ring_full $ring_full"
[ "$worker" -eq "$pdus" ] || fail "every bulk frame is a good v5 PDU: $worker frames, $pdus PDUs"
[ $((pdus * 30)) -eq $((decoded + no_block)) ] || fail "records: $pdus PDUs x 30 != $decoded + $no_block"
[ "$decoded" -eq "$written" ] || fail "decoded $decoded != written $written"
[ "$write_err" -eq 0 ] || fail "write errors"
[ "$files" -ge 2 ] || fail "expected a rotation, got $files file(s)"

"$FLOWRX_READ" -q -R "$flows" -o json > "$WORK/all.jsonl" 2> "$WORK/read-stderr.txt"
stored=$(wc -l < "$WORK/all.jsonl")
[ "$stored" -eq "$written" ] || fail "reader found $stored records, flowrx wrote $written"
if [ -s "$WORK/read-stderr.txt" ]; then
	cat "$WORK/read-stderr.txt"
	fail "clean shutdown left a damaged file"
fi

# The follower has seen the END block of the last file; give it a moment.
for _ in $(seq 50); do
	[ $(($(wc -l < "$WORK/follow.csv") - 1)) -ge "$written" ] && break
	sleep 0.1
done
kill -TERM $follower
wait $follower || true
followed=$(($(wc -l < "$WORK/follow.csv") - 1))
[ "$followed" -eq "$written" ] || fail "follower printed $followed records, flowrx wrote $written"
echo "ok: shutdown and rotation lost nothing ($written records in $files files, followed live)"
