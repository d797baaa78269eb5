#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# flowrx-read against nfdump on the same flows, side by side, in one run:
# records per second for
#   1. every record as CSV to /dev/null,
#   2. a filter (the matches as CSV to /dev/null),
#   3. a top-N statistic (-s srcip/bytes -n 10),
#   4. the same filter and top-N together (reading, filtering and
#      aggregating without the cost of printing every match).
#
# The flows: flowrx-testgen's bulk NetFlow v5 capture (30 records per
# datagram, 8 exporters), decoded by `flowrx --pcap --repeat N` into flowrx
# files, and sent N times by flowrx-udpsend, paced, to nfcapd (uncompressed
# nfdump files). The script checks that both stores hold the same number of
# records, and that both tools find the same matches and the same top 10,
# before it times anything. Each time is the best of RUNS runs with the
# files in the page cache: this measures the readers, not the disk. nfdump
# may use several threads; CPU seconds (user + system) are shown too.
#
# usage: bench/reader-bench.sh [BUILD_DIR [PACKETS [REPEAT [PPS]]]]
#   BUILD_DIR  meson build directory (default: build)
#   PACKETS    datagrams in the capture (default 20000: 600,000 records)
#   REPEAT     times the capture is replayed (default 10: 6,000,000 records)
#   PPS        datagrams/s sent to nfcapd (default 40000; lower it if nfcapd loses records)
set -euo pipefail

BUILD=${1:-build}
PACKETS=${2:-20000}
REPEAT=${3:-10}
PPS=${4:-40000}
RUNS=${RUNS:-3}
FILTER='proto tcp and dst port 443 and src net 10.0.0.0/9 and bytes > 1000000'
WORK=$(mktemp -d "${TMPDIR:-/tmp}/frx-reader-bench.XXXXXX")
NFCAPD_PID=""

cleanup() {
	[ -n "$NFCAPD_PID" ] && kill "$NFCAPD_PID" 2> /dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
die() {
	echo "reader-bench: $*" >&2
	exit 1
}

for tool in nfcapd nfdump python3; do
	command -v "$tool" > /dev/null || die "needs $tool (apt-get install nfdump python3)"
done
for prog in tests/gen/flowrx-testgen app/flowrx app/flowrx-read bench/flowrx-udpsend; do
	[ -x "$BUILD/$prog" ] || die "$BUILD/$prog is missing: build first (scripts/build.sh)"
done
READ="$BUILD/app/flowrx-read"
export TZ=UTC

# ---------------------------------------------------------------- the flows
echo "flows: $PACKETS v5 datagrams x $REPEAT..." >&2
"$BUILD/tests/gen/flowrx-testgen" bulk "$WORK/bulk.pcap" "$PACKETS" > /dev/null
# --repeat keeps the capture in mbufs (bench/README.md): one per frame, and some
"$BUILD/app/flowrx" --pcap "$WORK/bulk.pcap" --repeat "$REPEAT" --mbufs $((PACKETS + 8192)) -w "$WORK/frx" \
	> "$WORK/flowrx.txt" 2>&1 ||
	{ cat "$WORK/flowrx.txt" >&2; die "flowrx failed"; }
frx_records=$("$READ" -R "$WORK/frx" -s proto 2>&1 > /dev/null | sed -n 's/^Summary: \([0-9]*\) records.*/\1/p')

port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir "$WORK/nfcapd"
nfcapd -w "$WORK/nfcapd" -b 127.0.0.1 -p "$port" -t 3600 -B 16000000 -P "$WORK/nfcapd.pid" \
	> "$WORK/nfcapd.log" 2>&1 &
NFCAPD_PID=$!
for _ in $(seq 100); do
	grep -q "^Startup" "$WORK/nfcapd.log" && break
	sleep 0.1
done
grep -q "^Startup" "$WORK/nfcapd.log" || { cat "$WORK/nfcapd.log" >&2; die "nfcapd did not start"; }
echo "nfcapd: sending at $PPS datagrams/s..." >&2
"$BUILD/bench/flowrx-udpsend" -r "$REPEAT" -R "$PPS" "$WORK/bulk.pcap" 127.0.0.1 "$port" > "$WORK/udpsend.txt" 2>&1 ||
	{ cat "$WORK/udpsend.txt" >&2; die "flowrx-udpsend failed"; }
sleep 2 # nfcapd stores what is queued on its socket; it does not drain it on SIGTERM
kill -TERM "$NFCAPD_PID"
wait "$NFCAPD_PID" || true
NFCAPD_PID=""
nf_records=$(nfdump -R "$WORK/nfcapd" -q -o csv | grep -c '^[0-9]')
[ "$nf_records" -eq "$frx_records" ] ||
	die "nfcapd stored $nf_records records, flowrx $frx_records: nfcapd lost some; try a lower PPS (now $PPS)"

# ---------------------------------------------------------------- same answers
frx_matches=$("$READ" -R "$WORK/frx" -q -o csv "$FILTER" | tail -n +2 | wc -l)
nf_matches=$(nfdump -R "$WORK/nfcapd" -q -o csv "$FILTER" | grep -c '^[0-9]')
[ "$frx_matches" -eq "$nf_matches" ] || die "filter: flowrx-read found $frx_matches records, nfdump $nf_matches"
[ "$frx_matches" -gt 0 ] || die "the filter matches nothing: nothing measured"
"$READ" -R "$WORK/frx" -q -o csv -s srcip/bytes -n 10 | tail -n +2 | cut -d, -f3 > "$WORK/top.frx"
# nfdump's -s CSV: the address is the 5th field of each data line
nfdump -R "$WORK/nfcapd" -q -o csv -s srcip/bytes -n 10 | grep '^[0-9]' | cut -d, -f5 > "$WORK/top.nf"
diff -u "$WORK/top.nf" "$WORK/top.frx" > /dev/null || {
	diff -u "$WORK/top.nf" "$WORK/top.frx" >&2
	die "top 10 source addresses by bytes differ"
}
"$READ" -R "$WORK/frx" -q -o csv -s srcip/bytes -n 10 "$FILTER" | tail -n +2 | cut -d, -f3 > "$WORK/ftop.frx"
nfdump -R "$WORK/nfcapd" -q -o csv -s srcip/bytes -n 10 "$FILTER" | grep '^[0-9]' | cut -d, -f5 > "$WORK/ftop.nf"
diff -u "$WORK/ftop.nf" "$WORK/ftop.frx" > /dev/null || {
	diff -u "$WORK/ftop.nf" "$WORK/ftop.frx" >&2
	die "top 10 source addresses by bytes of the filter's matches differ"
}

# ---------------------------------------------------------------- timing
# best wall time of RUNS runs and the CPU time of that run, output discarded
timeit() {
	python3 - "$RUNS" "$@" << 'EOF'
import os, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
best = None
for _ in range(runs):
    c0 = os.times()
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    c1 = os.times()
    if r.returncode != 0:
        sys.exit("failed (%d): %s" % (r.returncode, " ".join(cmd)))
    cpu = (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
    if best is None or wall < best[0]:
        best = (wall, cpu)
print("%.4f %.3f" % best)
EOF
}

declare -A WALL CPU
measure() { # name tool command...
	local name=$1 tool=$2 r
	shift 2
	r=$(timeit "$@") || die "$r"
	WALL[$name.$tool]=${r% *}
	CPU[$name.$tool]=${r#* }
}

echo "timing (best of $RUNS)..." >&2
measure print frx "$READ" -R "$WORK/frx" -q -o csv
measure print nf nfdump -R "$WORK/nfcapd" -q -o csv
measure filter frx "$READ" -R "$WORK/frx" -q -o csv "$FILTER"
measure filter nf nfdump -R "$WORK/nfcapd" -q -o csv "$FILTER"
measure top frx "$READ" -R "$WORK/frx" -q -s srcip/bytes -n 10
measure top nf nfdump -R "$WORK/nfcapd" -q -s srcip/bytes -n 10
measure ftop frx "$READ" -R "$WORK/frx" -q -s srcip/bytes -n 10 "$FILTER"
measure ftop nf nfdump -R "$WORK/nfcapd" -q -s srcip/bytes -n 10 "$FILTER"

rate() { python3 -c "import sys; print('%.2f' % ($frx_records / float(sys.argv[1]) / 1e6))" "$1"; }
ratio() { python3 -c "import sys; print('%.1fx' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }

echo
nf_version=$(nfdump -V | sed -n 's/.*Version: [^0-9]*\([0-9][0-9.]*\).*/\1/p' | head -1)
echo "flowrx-read $("$READ" -V | cut -d' ' -f2) vs nfdump $nf_version, $frx_records records (the same flows in each)"
echo "on $(nproc) CPUs of $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), files in the page cache"
echo "filter: $FILTER ($frx_matches matches)"
echo
printf '%-28s | %-26s | %-26s |\n' "" "flowrx-read" "nfdump"
printf '%-28s | %8s %7s %9s | %8s %7s %9s | %7s\n' "task" "wall s" "cpu s" "Mrec/s" "wall s" "cpu s" "Mrec/s" "speed"
for task in print filter top ftop; do
	case $task in
	print) label="all records as CSV" ;;
	filter) label="filter, matches as CSV" ;;
	top) label="top 10 srcip by bytes" ;;
	ftop) label="filter + top 10 srcip" ;;
	esac
	printf '%-28s | %8s %7s %9s | %8s %7s %9s | %7s\n' "$label" \
		"${WALL[$task.frx]}" "${CPU[$task.frx]}" "$(rate "${WALL[$task.frx]}")" \
		"${WALL[$task.nf]}" "${CPU[$task.nf]}" "$(rate "${WALL[$task.nf]}")" \
		"$(ratio "${WALL[$task.nf]}" "${WALL[$task.frx]}")"
done
echo
echo "Mrec/s: records read per second of wall time (all $frx_records, whatever the task prints);"
echo "speed: nfdump's wall time / flowrx-read's."
