#!/usr/bin/env bash
# flowrx --pcap on a capture of v1/v5/v6/v7 exports from five exporters, plus
# one frame per drop reason: the reader must give back exactly the records
# the generator describes, field by field, and every drop must be counted.
# Run once with all roles on one lcore, once with separate RX, 2 workers and
# stats lcores.
. "$(dirname "$0")/lib.sh"

"$TESTGEN" mixed "$WORK/mixed.pcap" "$WORK/expected.jsonl" "$WORK/counters.txt"

# run_case NAME EXPECTED.jsonl COUNTERS.txt FLOWRX-ARGS...
run_case() {
	local name="$1" expected="$2" counters="$3"; shift 3
	local out="$WORK/$name"
	mkdir -p "$out"
	"$FLOWRX" "$@" > "$out/summary.txt" 2> "$out/stderr.txt" ||
		{ cat "$out/stderr.txt" >&2; fail "$name: flowrx exited $?"; }
	expect_counters "$counters" "$out/summary.txt"
	"$FLOWRX_READ" -R "$out/flows" -o json > "$out/got.jsonl" 2> "$out/read-stderr.txt" ||
		fail "$name: flowrx-read exited $?"
	python3 "$HERE/compare_records.py" "$expected" "$out/got.jsonl" ||
		fail "$name: records differ"
	echo "ok: $name"
}

# The convenience mode: no EAL arguments at all.
run_case single-lcore "$WORK/expected.jsonl" "$WORK/counters.txt" --pcap "$WORK/mixed.pcap" -w "$WORK/single-lcore/flows"

# Separate roles: lcores 1 (rx), 2 and 3 (workers), 0 (stats) on two CPUs.
# shellcheck disable=SC2046
run_case four-lcores "$WORK/expected.jsonl" "$WORK/counters.txt" --lcores '0@0,1@1,2@0,3@1' $(eal) -- --pcap "$WORK/mixed.pcap" \
	-w "$WORK/four-lcores/flows" --rx-lcores 1 --worker-lcores 2,3 --stats-lcore 0 --idle-sleep-us 50
grep -q "lcore 1 (cpu [0-9]*): rx0" "$WORK/four-lcores/summary.txt" || fail "role plan not printed"
grep -q "lcore 3 (cpu [0-9]*): worker1" "$WORK/four-lcores/summary.txt" || fail "role plan not printed"

# NetFlow v8: every router aggregation scheme, from an IPv4 and an IPv6 exporter.
"$TESTGEN" v8 "$WORK/v8.pcap" "$WORK/v8-expected.jsonl" "$WORK/v8-counters.txt"
run_case v8 "$WORK/v8-expected.jsonl" "$WORK/v8-counters.txt" --pcap "$WORK/v8.pcap" -w "$WORK/v8/flows"

# Offline input is lossless even when the writer falls behind: a pool of 4
# blocks, RX, worker and writer on separate lcores, every record stored.
"$TESTGEN" bulk "$WORK/bulk.pcap" 2000
# shellcheck disable=SC2046
"$FLOWRX" --lcores '0@0,1@1,2@1' $(eal) -- --pcap "$WORK/bulk.pcap" --repeat 3 -w "$WORK/pressure" \
	--rx-lcores 1 --worker-lcores 2 --stats-lcore 0 --blocks 4 > "$WORK/pressure.txt" 2>&1 ||
	{ cat "$WORK/pressure.txt"; fail "flowrx exited $?"; }
[ "$(counter records_written "$WORK/pressure.txt")" -eq 180000 ] ||
	fail "offline input lost records under block pressure: $(counter records_written "$WORK/pressure.txt") of 180000"
[ "$(counter records_lost_no_block "$WORK/pressure.txt")" -eq 0 ] || fail "records lost for want of a block"
echo "ok: lossless under block pressure"
