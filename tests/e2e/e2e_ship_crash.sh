#!/usr/bin/env bash
# Exactly once through crashes, into a private ClickHouse:
#  1. the shipper is SIGKILLed again and again while it ships files the
#     collector is still writing; a last run catches up;
#  2. ClickHouse is SIGKILLed mid-stream and stays down while the collector
#     writes more; the shipper reports its lag, retries, and catches up when
#     the server is back.
# Each time ClickHouse must hold exactly what flowrx-read reads: per
# exporter count and sum(bytes) (a batch shipped twice would add its
# records and bytes again; one lost would miss them). The killed shipper
# sends batches of one block, so that the kills land mid-stream even on a
# fast machine.
# usage: e2e_ship_crash.sh FLOWRX FLOWRX_READ TESTGEN UDPSEND FLOWRX_SHIP
. "$(dirname "$0")/lib.sh"
SHIP="$5"
. "$HERE/chlib.sh"

ch_start a
URL=$(ch_url a)
"$SHIP" --create-table -u "$URL" || fail "--create-table"
"$TESTGEN" bulk "$WORK/bulk.pcap" 2000

# ---- 1. shipper killed mid-stream
flows="$WORK/flows1"
mkdir -p "$flows"
"$FLOWRX" --pcap "$WORK/bulk.pcap" --repeat 20 -w "$flows" --collector-id 1 --rotate 1 --stats-blocks 1 \
	> "$WORK/c1.txt" 2>&1 &
collector=$!
kills=0
for delay in 0.5 0.7 0.4 0.9 0.6 0.8; do
	"$SHIP" -u "$URL" -S "$WORK/st1" --batch-rows 1400 --batch-ms 50 "$flows" 2>> "$WORK/ship1.txt" &
	ship=$!
	sleep "$delay"
	kill -0 $ship 2>/dev/null || { tail "$WORK/ship1.txt"; fail "shipper died by itself"; }
	kill -KILL $ship 2>/dev/null && kills=$((kills + 1))
	wait $ship 2>/dev/null || true
done
wait $collector || fail "collector 1 failed"
mid=$(ch_q a "SELECT count() FROM flowrx_flows")
"$SHIP" -u "$URL" -S "$WORK/st1" --batch-rows 4000 --once "$flows" 2>> "$WORK/ship1.txt" ||
	{ tail "$WORK/ship1.txt"; fail "final shipper run"; }
reader_totals "$flows" > "$WORK/want1.txt"
total1=$(awk '{n += $2} END {print n}' "$WORK/want1.txt")
echo "shipper killed $kills times; $mid of $total1 records were in ClickHouse before the last run"
[ "$kills" -ge 4 ] || fail "the shipper was not killed mid-stream"
[ "$mid" -gt 0 ] && [ "$mid" -lt "$total1" ] || fail "kills did not land mid-stream ($mid of $total1)"
diff "$WORK/want1.txt" <(ch_totals a flowrx_flows) ||
	{ grep -E "resuming|partly|differently|found|retrying" "$WORK/ship1.txt"; fail "after kills: not exactly once"; }

# ---- 2. ClickHouse killed mid-stream, down while the collector writes
flows="$WORK/flows2"
mkdir -p "$flows"
"$SHIP" -u "$URL" -S "$WORK/st2" --batch-rows 4000 --batch-ms 50 --report 1 "$flows" 2> "$WORK/ship2.txt" &
ship=$!
"$FLOWRX" --pcap "$WORK/bulk.pcap" --repeat 6 -w "$flows" --collector-id 2 --rotate 1 --stats-blocks 1 \
	> "$WORK/c2.txt" 2>&1 || fail "collector 2 failed"
for _ in $(seq 100); do
	[ "$(ch_q a "SELECT count() FROM flowrx_flows WHERE collector = 2")" -gt 0 ] && break
	sleep 0.05
done
ch_stop a KILL
echo "ClickHouse killed"
"$FLOWRX" --pcap "$WORK/bulk.pcap" --repeat 6 -w "$flows" --collector-id 2 --rotate 1 --stats-blocks 1 \
	> "$WORK/c3.txt" 2>&1 || fail "collector 3 failed while ClickHouse was down"
sleep 2
kill -USR1 $ship
sleep 0.5
grep "SIGUSR1" "$WORK/ship2.txt" | grep -qv "behind: 0 records" || { cat "$WORK/ship2.txt"; fail "no lag reported while ClickHouse was down"; }
grep -q "retrying" "$WORK/ship2.txt" || fail "shipper did not report the failure"
ch_start a
reader_totals "$flows" > "$WORK/want2.txt"
total2=$(awk '{n += $2} END {print n}' "$WORK/want2.txt")
for _ in $(seq 600); do
	[ "$(ch_q a "SELECT count() FROM flowrx_flows WHERE collector = 2")" -ge "$total2" ] && break
	sleep 0.1
done
sleep 0.5
kill -TERM $ship
wait $ship || fail "shipper exited $? on SIGTERM"
grep -q "ClickHouse is back" "$WORK/ship2.txt" || fail "shipper did not see ClickHouse back"
grep "SIGUSR1" "$WORK/ship2.txt" | head -1
diff "$WORK/want2.txt" <(ch_totals a "flowrx_flows WHERE collector = 2") ||
	{ tail "$WORK/ship2.txt"; fail "after the ClickHouse restart: not exactly once"; }

ch_stop a
echo "ok: $total1 records through $kills shipper kills, $total2 through a ClickHouse crash, each exactly once"
