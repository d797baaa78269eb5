#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Soak: flowrx collecting for a long time (default 30 minutes) from a mix of
# NetFlow v5, v9 and IPFIX exports (16 exporters x 2 engines each, IPv4 and
# IPv6 flows), template sets that are withdrawn and redefined, malformed
# frames, new exporter sessions all the time (each send is a new UDP source
# port, so sessions and their templates must expire), file rotation every
# minute, a live follower, and SIGHUP every HUP_EVERY seconds if set. It checks at the end:
#   - memory: flowrx's RSS after warm-up does not grow (last fifth vs first
#     half, at most +5 %: a leak of a few bytes per packet fails it);
#   - counters: every datagram sent is received or counted as missed,
#     records decoded = written + counted losses, the files hold exactly
#     records_written, and the follower saw every one of them;
#   - the process is alive and exits cleanly on SIGTERM.
# Not a CI test: it takes long and wants the machine to itself (lo traffic
# of other programs shows up as foreign frames and is reported).
#
# usage: bench/soak.sh [BUILD_DIR [SECONDS]]     (needs root: --iface lo)
# The result goes to bench/results/soak-DATE.md.
set -euo pipefail

BUILD=${1:-build}
SECONDS_TOTAL=${2:-1800}
HUP_EVERY=${HUP_EVERY:-0} # seconds between SIGHUPs (rule reloads); 0: none
PPS=${PPS:-5000} # datagrams/s per send; 5000 is ~130 k records/s, ~8 MB/s of files
WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/frx-soak.XXXXXX")
HERE=$(cd "$(dirname "$0")" && pwd)
port=$((30000 + RANDOM % 20000))
pid=""
follower=""
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2> /dev/null
	[ -n "$follower" ] && kill -9 "$follower" 2> /dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
die() {
	echo "soak: $*" >&2
	exit 1
}
for prog in app/flowrx app/flowrx-read bench/flowrx-gen bench/flowrx-udpsend tests/gen/flowrx-testgen; do
	[ -x "$BUILD/$prog" ] || die "$BUILD/$prog is missing: build first (scripts/build.sh)"
done

# ---------------------------------------------------------------- inputs
"$BUILD/bench/flowrx-gen" -v 5 -n 1000 -e 16 -S 1 -o "$WORK/v5.pcap" > /dev/null
"$BUILD/bench/flowrx-gen" -v 9 -n 1000 -e 16 -t 32 -6 20 -S 2 -o "$WORK/v9.pcap" > /dev/null
"$BUILD/bench/flowrx-gen" -v 10 -n 1000 -e 16 -t 32 -S 3 -o "$WORK/ipfix.pcap" > /dev/null
# withdrawals, redefinitions, options, every timestamp form, bad sets
"$BUILD/tests/gen/flowrx-testgen" ipfix "$WORK/tmpl.pcap" "$WORK/tmpl.jsonl" "$WORK/tmpl-c.txt" > /dev/null
# one frame per drop reason
"$BUILD/tests/gen/flowrx-testgen" mixed "$WORK/mixed.pcap" "$WORK/mixed.jsonl" "$WORK/mixed-c.txt" > /dev/null
INPUTS=(v5 v9 ipfix tmpl mixed)

# ---------------------------------------------------------------- collector
"$BUILD/app/flowrx" --iface lo -p "$port" -w "$WORK/flows" --rotate 60 --template-timeout 20 \
	--backlog-timeout 5 --stats-blocks 30 --max-sessions 8192 --max-templates 16384 > "$WORK/summary.txt" 2> "$WORK/stderr.txt" &
pid=$!
for _ in $(seq 100); do
	grep -q "collecting until" "$WORK/summary.txt" 2> /dev/null && break
	sleep 0.1
done
grep -q "collecting until" "$WORK/summary.txt" || { cat "$WORK/stderr.txt"; die "flowrx did not start"; }
sleep 0.5
# the follower's lines are counted, not kept (a CSV of every record would be
# several times the flow files)
"$BUILD/app/flowrx-read" -R "$WORK/flows" -f -q -o csv 2> "$WORK/follow-stderr.txt" \
	> >(wc -l > "$WORK/followed.txt") &
follower=$!

echo "soak: $SECONDS_TOTAL s, flowrx pid $pid, port $port, sending at $PPS datagrams/s" >&2
start=$(date +%s)
next_hup=$((HUP_EVERY > 0 ? start + HUP_EVERY : 1 << 62))
sent=0
loops=0
hups=0
echo "elapsed_s,rss_kb" > "$WORK/rss.csv"
while [ $(($(date +%s) - start)) -lt "$SECONDS_TOTAL" ]; do
	for i in "${INPUTS[@]}"; do
		n=$("$BUILD/bench/flowrx-udpsend" -r 3 -R "$PPS" "$WORK/$i.pcap" 127.0.0.1 "$port" |
			sed -n 's/^sent \([0-9]*\) datagrams.*/\1/p')
		sent=$((sent + ${n:-0}))
	done
	loops=$((loops + 1))
	kill -0 "$pid" 2> /dev/null || die "flowrx died (stderr: $(tail -5 "$WORK/stderr.txt"))"
	echo "$(($(date +%s) - start)),$(sed -n 's/^VmRSS:\s*\([0-9]*\).*/\1/p' "/proc/$pid/status")" >> "$WORK/rss.csv"
	if [ "$(date +%s)" -ge "$next_hup" ]; then
		kill -HUP "$pid"
		next_hup=$(($(date +%s) + HUP_EVERY))
		hups=$((hups + 1))
	fi
done
sleep 2
kill -TERM "$pid"
wait "$pid" || die "flowrx exited $? after SIGTERM"
pid=""
sleep 2 # the follower reads the last blocks and the END block
kill -INT "$follower" 2> /dev/null || true
wait "$follower" 2> /dev/null || true
follower=""

# ---------------------------------------------------------------- checks
c() { sed -n "s/^$1: //p" "$WORK/summary.txt" | head -1; }
# records in the files, from the reader's summary (a one-line table, not every record)
stored=$("$BUILD/app/flowrx-read" -R "$WORK/flows" -s proto -n 1 2>&1 > /dev/null |
	sed -n 's/^Summary: \([0-9]*\) records.*/\1/p')
sleep 1 # wc has the follower's last lines
followed=$(($(cat "$WORK/followed.txt") - 1))
python3 - "$WORK/rss.csv" "$SECONDS_TOTAL" "$sent" "$stored" "$followed" "$loops" "$WORK/summary.txt" "$hups" \
	> "$WORK/result.md" << 'PY'
import csv, sys
rss_file, total, sent, stored, followed, loops, summary, hups = sys.argv[1:]
sent, stored, followed = int(sent), int(stored), int(followed)
cnt = {}
for line in open(summary):
    k, _, v = line.partition(": ")
    if v.strip().isdigit():
        cnt.setdefault(k, int(v))
rows = [(int(r["elapsed_s"]), int(r["rss_kb"])) for r in csv.DictReader(open(rss_file)) if r["rss_kb"]]
warm = [r for t, r in rows if t >= 60] or [r for _, r in rows]
half = warm[: max(1, len(warm) // 2)]
last = warm[-max(1, len(warm) // 5):]
growth = (max(last) - max(half)) / max(half)
received = cnt["rx_packets"] + cnt["port0_imissed"]
foreign = cnt["drop_wrong_port"] + cnt["drop_not_udp"]
losses = cnt["records_lost_no_block"] + cnt["records_lost_write_error"]
checks = [
    ("RSS growth after warm-up <= 5 %", growth <= 0.05, "%+.1f %% (first half max %d KiB, last fifth max %d KiB)" % (100 * growth, max(half), max(last))),
    ("datagrams sent = received + missed (+ foreign frames on lo)", received - foreign == sent or (foreign > 0 and received >= sent),
     "sent %d, received %d + missed %d, foreign %d" % (sent, cnt["rx_packets"], cnt["port0_imissed"], foreign)),
    ("records decoded = written + counted losses", cnt["records_decoded"] == cnt["records_written"] + losses,
     "decoded %d, written %d, lost %d" % (cnt["records_decoded"], cnt["records_written"], losses)),
    ("records in the files = records_written", stored == cnt["records_written"], "%d in files" % stored),
    ("the live follower saw every record", followed == stored, "%d followed" % followed),
]
print("# flowrx soak, %s s, %s send loops, %s SIGHUPs\n" % (total, loops, hups))
print("| check | ok | measured |\n|---|---|---|")
for name, ok, what in checks:
    print("| %s | %s | %s |" % (name, "yes" if ok else "**NO**", what))
print("\nCounters: " + ", ".join("%s %d" % (k, v) for k, v in cnt.items() if v and not k.startswith("port0_i")))
print("\nRSS (KiB) over time: " + " ".join("%d:%d" % r for r in rows[:: max(1, len(rows) // 20)]))
sys.exit(0 if all(ok for _, ok, _ in checks) else 1)
PY
rc=$?
cat "$WORK/result.md"
out="$HERE/results/soak-$(date -u +%Y-%m-%d-%H%M).md"
{
	cat "$WORK/result.md"
	echo
	echo "Machine: $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(uname -r); commit $(git -C "$HERE" rev-parse --short HEAD 2> /dev/null || echo '?')"
} > "$out"
echo "soak: result in $out" >&2
exit $rc
