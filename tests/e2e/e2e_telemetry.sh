#!/usr/bin/env bash
# Telemetry and the Prometheus file of a live collector: flowrx --iface lo
# (one RX lcore, two workers, a stats lcore) receives exports sent through the
# kernel; /flowrx/ports, port, rings, ring, workers, worker answer with the
# counters the exit summary then confirms, bad parameters are refused, and the
# Prometheus file is rewritten while it runs.
. "$(dirname "$0")/lib.sh"
SEND="$4"
port=$((30000 + RANDOM % 20000))
prefix="frxe2e-$$-tel"

"$TESTGEN" clean "$WORK/clean.pcap" "$WORK/expected.jsonl"
# shellcheck disable=SC2046
"$FLOWRX" --lcores '0@0,1@1,2@0,3@1' --no-huge -m 1024 --no-pci --no-shconf --file-prefix "$prefix" \
	--log-level lib.eal:warning --vdev "net_pcap_tel0,rx_iface_in=lo,tx_pcap=/dev/null" -- \
	-p "$port" -w "$WORK/flows" --rx-lcores 1 --worker-lcores 2,3 --stats-lcore 0 --idle-sleep-us 100 \
	--prometheus-file "$WORK/flowrx.prom" --prometheus-interval 1 \
	> "$WORK/summary.txt" 2> "$WORK/stderr.txt" &
pid=$!
for _ in $(seq 100); do
	grep -q "collecting until" "$WORK/summary.txt" 2>/dev/null && break
	sleep 0.1
done
grep -q "collecting until" "$WORK/summary.txt" || { kill -9 $pid; cat "$WORK/stderr.txt"; fail "flowrx did not start"; }
sleep 0.5
"$SEND" "$WORK/clean.pcap" 127.0.0.1 "$port" > /dev/null

tel() { # COMMAND -> JSON value of the reply on stdout
	echo "$1" | timeout 10 dpdk-telemetry.py -f "$prefix" > "$WORK/tel.out" 2>&1 ||
		{ cat "$WORK/tel.out" >&2; kill -9 $pid; fail "telemetry $1 failed"; }
	python3 - "$WORK/tel.out" "$1" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
doc = json.loads(text[text.rindex('{"/'):])
print(json.dumps(doc[sys.argv[2].split(",")[0]]))
PY
}
check() { # JSON PYTHON-EXPRESSION-ON-v
	python3 -c "import json, sys; v = json.loads(sys.argv[1]); assert $2, v" "$1" ||
		{ kill -9 $pid; fail "telemetry: $2 does not hold for $1"; }
}
# lo may be busy with other programs' traffic: wait until our records are in
want=$(wc -l < "$WORK/expected.jsonl")
for _ in $(seq 60); do
	[ "$(tel /flowrx/stats | python3 -c 'import json, sys; print(json.load(sys.stdin)["records_decoded"])')" -ge "$want" ] && break
	sleep 0.25
done
ports=$(tel /flowrx/ports);            check "$ports" 'v == [0]'
p0=$(tel /flowrx/port,0);              check "$p0" 'v["driver"] == "net_pcap" and v["rx_packets"] > 0 and "rx_missed" in v and "rx_nombuf" in v'
check "$(tel /flowrx/port,7)" 'v is None'
check "$(tel /flowrx/port,x)" 'v is None'
rings=$(tel /flowrx/rings);            check "$rings" 'sorted(v) == ["frx_rx0_w0", "frx_rx0_w1", "frx_w0_stats0", "frx_w1_stats0"]'
check "$(tel /flowrx/ring,frx_rx0_w1)" 'v["capacity"] == 4096 and v["count"] + v["free"] == 4096'
check "$(tel /flowrx/ring,nosuch)" 'v is None'
check "$(tel /flowrx/workers)" 'v == [0, 1]'
w0=$(tel /flowrx/worker,0)
w1=$(tel /flowrx/worker,1)
check "$w0" 'v["lcore"] == 2 and "socket" in v'
check "$w1" 'v["lcore"] == 3'
check "$(tel /flowrx/worker,2)" 'v is None'
[ -s "$WORK/flowrx.prom" ] || { kill -9 $pid; fail "no Prometheus file while running"; }
first=$(stat -c %Y.%N "$WORK/flowrx.prom" 2>/dev/null || stat -c %Y "$WORK/flowrx.prom")
sleep 1.5
[ "$(stat -c %Y.%N "$WORK/flowrx.prom" 2>/dev/null || stat -c %Y "$WORK/flowrx.prom")" != "$first" ] ||
	{ kill -9 $pid; fail "Prometheus file not rewritten every second"; }

kill -TERM $pid
wait $pid || fail "flowrx exited $? after SIGTERM"
# What telemetry saw live agrees with the summary (lo carries other traffic
# too, dropped as wrong_port, so packet counts only grow after the query).
python3 - "$w0" "$w1" "$WORK/summary.txt" "$p0" "$WORK/expected.jsonl" <<'PY' || fail "telemetry counters differ from the summary"
import json, re, sys
w0, w1, p0 = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[4])
summary = dict(re.findall(r"^([a-z0-9_]+): (\d+)$", open(sys.argv[3]).read(), re.M))
records = sum(1 for _ in open(sys.argv[5]))
assert 0 < w0["packets"] + w1["packets"] <= int(summary["worker_packets"]), (w0, w1, summary["worker_packets"])
assert w0["records"] + w1["records"] == int(summary["records_decoded"]) == records, (w0, w1, records)
assert 0 < p0["rx_packets"] <= int(summary["rx_packets"]), (p0, summary["rx_packets"])
PY
python3 "$HERE/check_prometheus.py" "$WORK/flowrx.prom" "$WORK/summary.txt" || fail "final Prometheus file wrong"
echo "ok: telemetry ports, rings, workers and the Prometheus file of a live run"
