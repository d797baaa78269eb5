#!/usr/bin/env bash
# Scale-out as docs/scale-out.md describes it: two private ClickHouse servers
# are the two shards of cluster "flowrx"; two collectors (ids 1 and 2) each
# ship into their own shard's tables; a Distributed table over both answers
# for all of them. Through it: per exporter count and bytes equal what
# flowrx-read reads from both directories; rows per collector equal each
# collector's records; the analyst queries of the docs run, and per-exporter
# loss equals flowrx-read --stats.
# usage: e2e_ship_shards.sh FLOWRX FLOWRX_READ TESTGEN UDPSEND FLOWRX_SHIP
. "$(dirname "$0")/lib.sh"
SHIP="$5"
. "$HERE/chlib.sh"

mkdir -p "$WORK/ch-s1" "$WORK/ch-s2"
echo "$(free_port) $(free_port)" > "$WORK/ch-s1/ports"
echo "$(free_port) $(free_port)" > "$WORK/ch-s2/ports"
remote="<flowrx>
  <shard><replica><host>127.0.0.1</host><port>$(ch_tcp_port s1)</port></replica></shard>
  <shard><replica><host>127.0.0.1</host><port>$(ch_tcp_port s2)</port></replica></shard>
</flowrx>"
ch_start s1 "$remote"
ch_start s2 "$remote"
for s in s1 s2; do
	"$SHIP" --create-table -u "$(ch_url $s)" || fail "--create-table on $s"
	# the Distributed tables, as in docs/scale-out.md
	ch_q $s "CREATE TABLE flowrx_flows_all AS flowrx_flows ENGINE = Distributed(flowrx, default, flowrx_flows, rand())" > /dev/null
	ch_q $s "CREATE TABLE flowrx_stats_all AS flowrx_stats ENGINE = Distributed(flowrx, default, flowrx_stats, rand())" > /dev/null
done

"$TESTGEN" bulk "$WORK/bulk.pcap" 1000
"$TESTGEN" seq "$WORK/seq.pcap"
"$FLOWRX" --pcap "$WORK/bulk.pcap" -w "$WORK/site1" --collector-id 1 --rotate 1 > "$WORK/c1.txt" 2>&1 || fail "collector 1"
"$FLOWRX" --pcap "$WORK/seq.pcap" -w "$WORK/site2" --collector-id 2 > "$WORK/c2.txt" 2>&1 || fail "collector 2"

# each collector's shipper to its nearest shard, at the same time
"$SHIP" -u "$(ch_url s1)" -S "$WORK/st1" --once "$WORK/site1" 2> "$WORK/ship1.txt" &
p1=$!
"$SHIP" -u "$(ch_url s2)" -S "$WORK/st2" --once "$WORK/site2" 2> "$WORK/ship2.txt" &
p2=$!
wait $p1 || { cat "$WORK/ship1.txt"; fail "shipper 1"; }
wait $p2 || { cat "$WORK/ship2.txt"; fail "shipper 2"; }

# rows landed on their own shard only
n1=$(ch_q s1 "SELECT count() FROM flowrx_flows WHERE collector = 1")
n2=$(ch_q s2 "SELECT count() FROM flowrx_flows WHERE collector = 2")
r1=$("$FLOWRX_READ" -q -R "$WORK/site1" -o csv | tail -n +2 | wc -l)
r2=$("$FLOWRX_READ" -q -R "$WORK/site2" -o csv | tail -n +2 | wc -l)
[ "$n1" = "$r1" ] && [ "$n2" = "$r2" ] || fail "per collector: shards hold $n1/$n2, flowrx-read $r1/$r2"
[ "$(ch_q s1 "SELECT count() FROM flowrx_flows WHERE collector != 1")" = 0 ] || fail "shard 1 holds other rows"

# the whole picture through either server's Distributed table
reader_totals "$WORK/site1" "$WORK/site2" > "$WORK/want.txt"
for s in s1 s2; do
	diff "$WORK/want.txt" <(ch_totals $s flowrx_flows_all) || fail "Distributed table on $s disagrees with flowrx-read"
done
echo "two shards: $n1 + $n2 records, equal through the Distributed table"

# analyst queries of docs/scale-out.md
ch_q s1 "SELECT IPv6NumToString(src_addr) AS src, sum(bytes) AS bytes, sum(packets) AS packets
	FROM flowrx_flows_all GROUP BY src_addr ORDER BY bytes DESC LIMIT 10 FORMAT TSV" > "$WORK/top.txt"
[ "$(wc -l < "$WORK/top.txt")" = 10 ] || fail "top talkers: $(cat "$WORK/top.txt")"
top_want=$("$FLOWRX_READ" -q -R "$WORK/site1" -R "$WORK/site2" -o json | python3 -c '
import collections, json, sys
b = collections.Counter()
for line in sys.stdin:
    r = json.loads(line)
    b[r["src_addr"]] += r["bytes"]
print(max(b.values()))')
[ "$(head -1 "$WORK/top.txt" | cut -f2)" = "$top_want" ] || fail "top talker bytes: $(head -1 "$WORK/top.txt"), want $top_want"

ch_q s2 "SELECT replaceRegexpOne(IPv6NumToString(exporter), '^::ffff:', '') AS exporter, sum(lost) AS lost
	FROM (SELECT exporter, argMax(lost, snapshot) AS lost FROM flowrx_stats_all
	      GROUP BY collector, started, pid, exporter, version, engine_type, engine_id, domain, exporter_port)
	GROUP BY exporter HAVING lost > 0 ORDER BY exporter FORMAT TSV" | tr '\t' ' ' > "$WORK/loss.txt"
"$FLOWRX_READ" --stats -R "$WORK/site1" -R "$WORK/site2" 2>&1 | python3 -c '
import collections, re, sys
lost = collections.Counter()
lines = sys.stdin.read().split("\n")
i = next(i for i, l in enumerate(lines) if l.startswith("Engines:")) + 2
while i < len(lines) and lines[i].strip():
    parts = re.split(r"\s{2,}", lines[i].strip())
    lost[parts[0]] += int(parts[6])
    i += 1
for e in sorted(lost):
    if lost[e]:
        print(e, lost[e])' > "$WORK/loss-want.txt"
[ -s "$WORK/loss-want.txt" ] || fail "the seq capture should show loss"
diff "$WORK/loss-want.txt" "$WORK/loss.txt" || fail "per-exporter loss differs from flowrx-read --stats"
cat "$WORK/loss.txt"

ch_stop s1
ch_stop s2
echo "ok: two collectors, two shards, one Distributed view"
