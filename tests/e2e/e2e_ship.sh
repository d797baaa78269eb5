#!/usr/bin/env bash
# flowrx-ship into a private ClickHouse (Debian's clickhouse-server):
# collector -> files -> shipper -> ClickHouse holds exactly what flowrx-read
# reads (per exporter count and bytes, and every record field by field);
# shipping again adds nothing; the three fates of a batch left pending by a
# crash (all there, none there, part there) each end with the batch there
# exactly once.
# usage: e2e_ship.sh FLOWRX FLOWRX_READ TESTGEN UDPSEND FLOWRX_SHIP
. "$(dirname "$0")/lib.sh"
SHIP="$5"
. "$HERE/chlib.sh"

ch_start a
URL=$(ch_url a)
"$SHIP" --create-table -u "$URL" || fail "--create-table"
"$SHIP" --create-table -u "$URL" || fail "--create-table is not idempotent"
"$SHIP" --print-schema | grep -q "PARTITION BY toDate(time)" || fail "--print-schema"

# Bad input gives a named error, not a crash.
"$SHIP" -S "$WORK/st" 2> "$WORK/err.txt" && fail "no directory accepted"
grep -q "no flow directory" "$WORK/err.txt" || fail "missing directory not named"
"$SHIP" --batch-rows 0 -S "$WORK/st" "$WORK" 2> "$WORK/err.txt" && fail "--batch-rows 0 accepted"
grep -q -- "--batch-rows" "$WORK/err.txt" || fail "--batch-rows error does not name it"
"$SHIP" -t "x;drop" --print-schema 2> "$WORK/err.txt" && fail "bad table name accepted"
grep -q -- "--table" "$WORK/err.txt" || fail "table name error does not name it"

# Two collector runs into one directory: IPFIX with interface names and
# v1/v5/v6/v7 (one exporter on IPv6), then the bulk v5 traffic with STATS.
flows="$WORK/flows"
"$TESTGEN" ipfix "$WORK/ipfix.pcap" "$WORK/ipfix.jsonl" "$WORK/ipfix-counters.txt"
"$TESTGEN" mixed "$WORK/mixed.pcap" "$WORK/mixed.jsonl" "$WORK/mixed-counters.txt"
"$TESTGEN" bulk "$WORK/bulk.pcap" 2000
"$FLOWRX" --pcap "$WORK/ipfix.pcap" -w "$flows" --collector-id 11 > "$WORK/c1.txt" 2>&1 || fail "collector 1"
"$FLOWRX" --pcap "$WORK/mixed.pcap" -w "$flows" --collector-id 11 > "$WORK/c2.txt" 2>&1 || fail "collector 2"
"$FLOWRX" --pcap "$WORK/bulk.pcap" -w "$flows" --collector-id 11 --rotate 1 --stats-blocks 1 > "$WORK/c3.txt" 2>&1 ||
	fail "collector 3"

"$SHIP" -u "$URL" -S "$WORK/st" --once "$flows" 2> "$WORK/ship1.txt" || { cat "$WORK/ship1.txt"; fail "shipper"; }
cat "$WORK/ship1.txt"
grep -q "behind: 0 records" "$WORK/ship1.txt" || fail "exit report does not say caught up"

reader_totals "$flows" > "$WORK/want.txt"
ch_totals a flowrx_flows > "$WORK/got.txt"
diff "$WORK/want.txt" "$WORK/got.txt" || fail "per-exporter count/bytes differ between flowrx-read and ClickHouse"
total=$(awk '{n += $2} END {print n}' "$WORK/want.txt")
[ "$total" -gt 60000 ] || fail "too few records to prove anything ($total)"
[ "$(ch_q a "SELECT uniqExact(collector), any(collector) FROM flowrx_flows FORMAT TSV")" = "$(printf '1\t11')" ] ||
	fail "collector id from the file headers not in the rows"

# Every field of every record.
"$FLOWRX_READ" -q -R "$flows" -o json > "$WORK/reader.jsonl"
addr() { echo "replaceRegexpOne(IPv6NumToString($1), '^::ffff:', '') AS $1"; }
ch_q a "SELECT $(addr exporter), version, engine_type, engine_id, domain, $(addr src_addr), $(addr dst_addr),
	$(addr next_hop), src_port, dst_port, proto, tos, tcp_flags, in_if, out_if, packets, bytes, first, last,
	src_as, dst_as, src_mask, dst_mask, sampling_interval, exporter_port, class, flows, direction, src_vlan,
	dst_vlan, forwarding_status, in_if_name, out_if_name FROM flowrx_flows FORMAT JSONEachRow" > "$WORK/ch.jsonl"
python3 "$HERE/ch_records.py" "$WORK/reader.jsonl" "$WORK/ch.jsonl" || fail "records differ"
[ "$(ch_q a "SELECT count() FROM flowrx_flows WHERE in_if_name != ''")" -gt 0 ] || fail "no interface names shipped"

# Engine statistics: per engine, the latest snapshot's records add up to the records written.
nstats=$(ch_q a "SELECT count() FROM flowrx_stats")
[ "$nstats" -gt 0 ] || fail "no stats rows"
written=$(ch_q a "SELECT sum(r) FROM (SELECT argMax(records, snapshot) AS r FROM flowrx_stats
	GROUP BY collector, started, pid, exporter, version, engine_type, engine_id, domain, exporter_port)")
want_written=$(cat "$WORK"/c[123].txt | sed -n 's/^records_written: //p' | awk '{n += $1} END {print n}')
[ "$written" = "$want_written" ] || fail "stats table: engines' records $written, collectors wrote $want_written"

# Shipping again finds nothing new.
"$SHIP" -u "$URL" -S "$WORK/st" --once "$flows" 2> "$WORK/ship2.txt" || fail "second run"
grep -q "shipped 0 records" "$WORK/ship2.txt" || { cat "$WORK/ship2.txt"; fail "second run shipped something"; }
diff "$WORK/want.txt" <(ch_totals a flowrx_flows) || fail "second run changed the table"

# A batch left pending by a crash, in its three possible states. The last
# checkpoint still describes the last batch: make it pending again.
ck=$(ls "$WORK"/st/*.ckpt)
read -r _ id first end rows srows < <(grep "^last " "$ck")
[ "$rows" -gt 1 ] || fail "last batch too small ($rows rows)"
grep -q "^pending 0$" "$ck" || fail "batches still pending after --once"
cp "$ck" "$WORK/ck.done"
make_pending() {
	sed -e "s/^pending .*/pending 1/" -e "s/^offset .*/offset $first/" "$WORK/ck.done" > "$ck"
	echo "batch $id $first $end $rows $srows" >> "$ck"
}
# 1. all there (the acknowledgement was lost): nothing is sent again
make_pending
"$SHIP" -u "$URL" -S "$WORK/st" --once "$flows" 2> "$WORK/ship3.txt" || fail "pending run 1"
grep -q "1 found already in ClickHouse" "$WORK/ship3.txt" || { cat "$WORK/ship3.txt"; fail "pending batch not recognised"; }
diff "$WORK/want.txt" <(ch_totals a flowrx_flows) || fail "pending batch present: duplicated"
# 2. none there (killed before the insert reached ClickHouse): sent
ch_q a "ALTER TABLE flowrx_flows DELETE WHERE batch_id = $id" > /dev/null
ch_q a "ALTER TABLE flowrx_stats DELETE WHERE batch_id = $id" > /dev/null
for _ in $(seq 100); do
	[ "$(ch_q a "SELECT count() FROM flowrx_flows WHERE batch_id = $id")" = 0 ] && break
	sleep 0.1
done
make_pending
"$SHIP" -u "$URL" -S "$WORK/st" --once "$flows" 2> "$WORK/ship4.txt" || fail "pending run 2"
diff "$WORK/want.txt" <(ch_totals a flowrx_flows) || fail "pending batch absent: not restored exactly"
# 3. part there (an insert cut short): the part is replaced by the whole
ch_q a "ALTER TABLE flowrx_flows DELETE WHERE batch_id = $id AND src_port % 2 = 0" > /dev/null
for _ in $(seq 100); do
	[ "$(ch_q a "SELECT count() FROM flowrx_flows WHERE batch_id = $id")" != "$rows" ] && break
	sleep 0.1
done
left=$(ch_q a "SELECT count() FROM flowrx_flows WHERE batch_id = $id")
[ "$left" -gt 0 ] && [ "$left" -lt "$rows" ] || fail "could not make a partial batch ($left of $rows)"
make_pending
"$SHIP" -u "$URL" -S "$WORK/st" --once "$flows" 2> "$WORK/ship5.txt" || fail "pending run 3"
grep -q "partly in flowrx_flows" "$WORK/ship5.txt" || { cat "$WORK/ship5.txt"; fail "partial batch not detected"; }
diff "$WORK/want.txt" <(ch_totals a flowrx_flows) || fail "partial batch: not exactly once"

# Other table names, and --collector-id overriding the files' id.
"$SHIP" --create-table -u "$URL" -t other_flows --stats-table other_stats || fail "--create-table -t"
"$SHIP" -u "$URL" -S "$WORK/st-other" -t other_flows --stats-table other_stats --collector-id 99 --parallel 1 \
	--batch-rows 5000 --once "$flows" 2> "$WORK/ship-other.txt" || { cat "$WORK/ship-other.txt"; fail "-t run"; }
diff "$WORK/want.txt" <(ch_totals a other_flows) || fail "-t other_flows: totals differ"
[ "$(ch_q a "SELECT uniqExact(collector), any(collector) FROM other_flows FORMAT TSV")" = "$(printf '1\t99')" ] ||
	fail "--collector-id 99 not in the rows"
[ "$(ch_q a "SELECT count() FROM other_stats")" = "$nstats" ] || fail "--stats-table: stats rows differ"

# A damaged checkpoint is refused by name.
echo garbage > "$ck"
"$SHIP" -u "$URL" -S "$WORK/st" --once "$flows" 2> "$WORK/err.txt" && fail "bad checkpoint accepted"
grep -q "not a flowrx-ship checkpoint" "$WORK/err.txt" || fail "bad checkpoint not named"

ch_stop a
echo "ok: shipper ships $total records exactly once"
