#!/usr/bin/env bash
# The embedded default of scripts/run.sh: flowrx --iface lo collects exports
# that an ordinary program sends to 127.0.0.1 and ::1 through the kernel.
# Each datagram must be stored exactly once (a packet socket on lo sees it
# twice), field by field, and no ICMP port unreachable may come back.
. "$(dirname "$0")/lib.sh"
SEND="$4"
port=$((30000 + RANDOM % 20000))

"$TESTGEN" clean "$WORK/clean.pcap" "$WORK/expected-orig.jsonl"
# The ACL lets both loopback families in (and exercises both LPM lookups).
"$FLOWRX" --iface lo -p "$port" -w "$WORK/flows" --allow 127.0.0.0/8 --allow ::1/128 \
	> "$WORK/summary.txt" 2> "$WORK/stderr.txt" &
pid=$!
for _ in $(seq 100); do
	grep -q "collecting until" "$WORK/summary.txt" 2>/dev/null && break
	sleep 0.1
done
grep -q "collecting until" "$WORK/summary.txt" || { kill -9 $pid; cat "$WORK/stderr.txt"; fail "flowrx did not start"; }
sleep 0.5 # the capture handle is live once the port has started; leave a margin

"$SEND" "$WORK/clean.pcap" 127.0.0.1 "$port" > /dev/null
"$SEND" "$WORK/clean.pcap" ::1 "$port" > /dev/null
sleep 1.5

# Live counters through DPDK telemetry (the private EAL prefix is flowrx-PID).
echo "/flowrx/engine,127.0.0.1 v5 0/0" | timeout 10 dpdk-telemetry.py -f "flowrx-$pid" > "$WORK/tel.json" 2>&1 ||
	{ cat "$WORK/tel.json"; kill -9 $pid; fail "telemetry query failed"; }
python3 - "$WORK/tel.json" <<'PY' || { cat "$WORK/tel.json"; kill -9 $pid; fail "telemetry counters wrong"; }
import json, sys
text = open(sys.argv[1]).read()
doc = json.loads(text[text.index("{"):])
engine = doc["/flowrx/engine"]
# 192.0.2.5's wrap PDU has engine 0/0: one per send, from 127.0.0.1 over IPv4
assert engine["packets"] == 1 and engine["records"] == 3, engine
PY
kill -TERM $pid
wait $pid || fail "flowrx exited $? after SIGTERM"

# Same records, now from 127.0.0.1 and ::1 (exporter ports are the sender's).
python3 - "$WORK/expected-orig.jsonl" "$WORK/expected.jsonl" <<'PY'
import json, sys
out = open(sys.argv[2], "w")
for line in open(sys.argv[1]):
    r = json.loads(line)
    del r["exporter_port"]
    for exporter in ("127.0.0.1", "::1"):
        r["exporter"] = exporter
        out.write(json.dumps(r) + "\n")
PY
"$FLOWRX_READ" -q -R "$WORK/flows" -o json > "$WORK/got.jsonl"
python3 "$HERE/compare_records.py" "$WORK/expected.jsonl" "$WORK/got.jsonl" || fail "records differ"
[ "$(counter pdus_v5 "$WORK/summary.txt")" -eq 6 ] || fail "v5 datagrams not seen exactly once each"
[ "$(counter drop_not_udp "$WORK/summary.txt")" -eq 0 ] || fail "ICMP came back: the sink socket is missing"
echo "ok: live collection on lo, each datagram once"
