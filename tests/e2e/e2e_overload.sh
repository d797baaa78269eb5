#!/usr/bin/env bash
# Overload: a flood far above what this flowrx can store (its writer is made
# slow on purpose: a tiny block pool and an fdatasync per block) must
#   - be dropped at named places (port imissed, ring full, block pool empty),
#     every frame and record accounted for;
#   - leave flowrx answering DPDK telemetry during the flood;
#   - leave nothing behind: exports sent after the flood (from ::1, while
#     the flood came from 127.0.0.1) are stored complete, field by field;
#   - not delay SIGTERM: sent in the middle of a second flood, flowrx exits
#     cleanly within seconds.
. "$(dirname "$0")/lib.sh"
SEND="$4"
port=$((30000 + RANDOM % 20000))

"$TESTGEN" bulk "$WORK/bulk.pcap" 2000 > /dev/null
"$TESTGEN" clean "$WORK/clean.pcap" "$WORK/expected-orig.jsonl"
flows="/var/tmp/flowrx-e2e-overload.$$"
trap 'kill -9 $pid $flood 2> /dev/null || true; rm -rf "$WORK" "$flows" /var/run/dpdk/frxe2e-$$-*' EXIT
pid=""
flood=""

"$FLOWRX" --iface lo -p "$port" -w "$flows" --blocks 4 --fsync-blocks 1 --flush-ms 20 \
	> "$WORK/summary.txt" 2> "$WORK/stderr.txt" &
pid=$!
for _ in $(seq 100); do
	grep -q "collecting until" "$WORK/summary.txt" 2> /dev/null && break
	sleep 0.1
done
grep -q "collecting until" "$WORK/summary.txt" || { cat "$WORK/stderr.txt"; fail "flowrx did not start"; }
sleep 0.5

# 1. the flood, and telemetry in the middle of it
"$SEND" -r 150 "$WORK/bulk.pcap" 127.0.0.1 "$port" > "$WORK/flood.txt" &
flood=$!
sleep 1
kill -0 $flood 2> /dev/null || fail "the flood ended too soon to test anything"
t0=$(date +%s%N)
echo "/flowrx/stats" | timeout 5 dpdk-telemetry.py -f "flowrx-$pid" > "$WORK/tel.json" 2>&1 ||
	{ cat "$WORK/tel.json"; fail "no telemetry answer within 5 s under overload"; }
echo "telemetry answered in $((($(date +%s%N) - t0) / 1000000)) ms under overload"
grep -q '"records_decoded"' "$WORK/tel.json" || { cat "$WORK/tel.json"; fail "telemetry answer without counters"; }
wait $flood
flood=""

# 2. load falls: a small paced export from ::1 is stored complete
sleep 1
"$SEND" -R 2000 "$WORK/clean.pcap" ::1 "$port" > /dev/null
sleep 1.5

# 3. SIGTERM in the middle of a second flood
"$SEND" -r 50 "$WORK/bulk.pcap" 127.0.0.1 "$port" > /dev/null &
flood=$!
sleep 0.5
t0=$(date +%s)
kill -TERM $pid
for _ in $(seq 100); do
	kill -0 $pid 2> /dev/null || break
	sleep 0.1
done
kill -0 $pid 2> /dev/null && fail "flowrx still running 10 s after SIGTERM under load"
wait $pid || fail "flowrx exited $? after SIGTERM under load"
pid=""
kill $flood 2> /dev/null || true
wait $flood 2> /dev/null || true
flood=""
echo "SIGTERM under load: exited in $(($(date +%s) - t0)) s"

# Every frame and record accounted for, and drops seen at a named place.
c() { counter "$1" "$WORK/summary.txt"; }
rx=$(c rx_packets)
[ "$rx" -eq $(($(c worker_packets) + $(c drop_ring_full))) ] ||
	fail "rx_packets $rx != worker_packets + drop_ring_full"
decoded=$(c records_decoded)
[ "$decoded" -eq $(($(c records_written) + $(c records_lost_no_block) + $(c records_lost_write_error))) ] ||
	fail "records_decoded $decoded != written + lost_no_block + lost_write_error"
dropped=$(($(c port0_imissed) + $(c drop_ring_full) + $(c drop_no_block) + $(c records_lost_no_block)))
grep -E "^(port0_imissed|drop_ring_full|drop_no_block|records_lost_no_block): " "$WORK/summary.txt"
[ "$dropped" -gt 0 ] || fail "the flood was not above capacity: nothing dropped, nothing tested"

# The exports after the flood: every record, exactly.
python3 - "$WORK/expected-orig.jsonl" "$WORK/expected.jsonl" << 'PY'
import json, sys
out = open(sys.argv[2], "w")
for line in open(sys.argv[1]):
    r = json.loads(line)
    del r["exporter_port"]
    r["exporter"] = "::1"
    out.write(json.dumps(r) + "\n")
PY
"$FLOWRX_READ" -q -R "$flows" -o json | grep '"exporter":"::1"' > "$WORK/got.jsonl" || true
python3 "$HERE/compare_records.py" "$WORK/expected.jsonl" "$WORK/got.jsonl" ||
	fail "exports after the flood were not stored complete"
echo "ok: overload dropped $dropped at named places, telemetry answered, recovered, SIGTERM honoured"
