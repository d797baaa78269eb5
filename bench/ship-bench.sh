#!/usr/bin/env bash
# flowrx-ship into a local ClickHouse, side by side with clickhouse-client
# inserting the same rows from a RowBinary file (docs/scale-out.md "Speed").
#
#   bench/ship-bench.sh [--build DIR] [--records N] [--reps N] [--batch-rows N] [--out FILE]
#
# Starts a private clickhouse-server (own config, data directory and loopback
# ports in a temporary directory; no system service), writes N records
# (default 3,000,000, bulk v5 through flowrx --pcap --repeat) into flow files
# on /dev/shm, then per repetition, into an empty table:
#   flowrx-ship --once         files -> RowBinary over HTTP (what is measured)
#   clickhouse-client          the same rows as a RowBinary file, one INSERT
#   curl --data-binary         the same file as one HTTP INSERT (no client parsing)
# and prints records/s (best and median of the repetitions) as a Markdown
# result file in bench/results/. It takes both cores: numbers from a shared
# machine are noisy; the ratios of one run are the useful part.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=build
RECORDS=3000000
REPS=3
BATCH=262144
OUT=""
while [ $# -gt 0 ]; do
	case "$1" in
	--build) BUILD="$2"; shift 2 ;;
	--records) RECORDS="$2"; shift 2 ;;
	--reps) REPS="$2"; shift 2 ;;
	--batch-rows) BATCH="$2"; shift 2 ;;
	--out) OUT="$2"; shift 2 ;;
	*) echo "usage: $0 [--build DIR] [--records N] [--reps N] [--batch-rows N] [--out FILE]" >&2; exit 2 ;;
	esac
done
FLOWRX="$BUILD/app/flowrx"
FLOWRX_READ="$BUILD/app/flowrx-read"
SHIP="$BUILD/app/flowrx-ship"
TESTGEN="$BUILD/tests/gen/flowrx-testgen"
for b in "$FLOWRX" "$SHIP" "$TESTGEN"; do
	[ -x "$b" ] || { echo "$b missing: build first (ninja -C $BUILD)" >&2; exit 1; }
done
command -v clickhouse-client > /dev/null || { echo "clickhouse-client missing (scripts/deps.sh test)" >&2; exit 1; }

LOAD_BEFORE=$(cut -d" " -f1-3 /proc/loadavg)
WORK="$(mktemp -d /dev/shm/flowrx-ship-bench.XXXXXX)"
fail() { echo "ship-bench: $*" >&2; exit 1; }
HERE="$(pwd)/tests/e2e"
. tests/e2e/chlib.sh # private servers; its EXIT trap stops them and removes $WORK

ch_start bench
URL=$(ch_url bench)
PORT=$(ch_tcp_port bench)
"$SHIP" --create-table -u "$URL" > /dev/null
COLS=$("$SHIP" --print-schema | awk '/^CREATE TABLE IF NOT EXISTS flowrx_flows/ {f=1; next} f && /^\)/ {exit} f && /^    / {gsub(/,$/, ""); printf "%s%s", sep, $1; sep=", "}')
ch_q bench "CREATE TABLE ref AS flowrx_flows" > /dev/null

# the flow files: bulk v5, 60,000 records per pass of the capture
"$TESTGEN" bulk "$WORK/bulk.pcap" 2000
passes=$(( (RECORDS + 59999) / 60000 ))
"$FLOWRX" --pcap "$WORK/bulk.pcap" --repeat "$passes" -w "$WORK/flows" --rotate 0 > "$WORK/collector.txt" 2>&1 ||
	fail "collector failed"
records=$(sed -n 's/^records_written: //p' "$WORK/collector.txt")
bytes_on_disk=$(du -sb "$WORK/flows" | cut -f1)

now_ns() { date +%s%N; }
rate() { python3 -c "import sys; print(int(int(sys.argv[1]) * 1e9 / int(sys.argv[2])))" "$1" "$2"; }

ship_rates=() client_rates=() curl_rates=()
for rep in $(seq "$REPS"); do
	ch_q bench "TRUNCATE TABLE flowrx_flows" > /dev/null
	rm -rf "$WORK/state"
	t0=$(now_ns)
	"$SHIP" -q -u "$URL" -S "$WORK/state" --once --batch-rows "$BATCH" "$WORK/flows"
	t1=$(now_ns)
	got=$(ch_q bench "SELECT count() FROM flowrx_flows")
	[ "$got" = "$records" ] || fail "shipper: $got rows, expected $records"
	ship_rates+=("$(rate "$records" $((t1 - t0)))")

	if [ "$rep" = 1 ]; then
		# the same rows, as the reference inserters get them
		clickhouse-client --port "$PORT" --query "SELECT $COLS FROM flowrx_flows FORMAT RowBinary" > "$WORK/rows.bin"
	fi
	ch_q bench "TRUNCATE TABLE ref" > /dev/null
	t0=$(now_ns)
	clickhouse-client --port "$PORT" --max_insert_block_size 1048576 \
		--query "INSERT INTO ref ($COLS) FORMAT RowBinary" < "$WORK/rows.bin"
	t1=$(now_ns)
	[ "$(ch_q bench "SELECT count() FROM ref")" = "$records" ] || fail "clickhouse-client: wrong count"
	client_rates+=("$(rate "$records" $((t1 - t0)))")

	ch_q bench "TRUNCATE TABLE ref" > /dev/null
	q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "INSERT INTO ref ($COLS) FORMAT RowBinary")
	t0=$(now_ns)
	curl -sS --fail --data-binary "@$WORK/rows.bin" -H "Expect:" "${URL}?query=$q&max_insert_block_size=1048576" > /dev/null
	t1=$(now_ns)
	[ "$(ch_q bench "SELECT count() FROM ref")" = "$records" ] || fail "curl: wrong count"
	curl_rates+=("$(rate "$records" $((t1 - t0)))")
	echo "rep $rep: flowrx-ship ${ship_rates[-1]}/s, clickhouse-client ${client_rates[-1]}/s, curl ${curl_rates[-1]}/s" >&2
done
ch_stop bench

stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%d | %d", a[NR], a[int((NR+1)/2)]}'; }
[ -n "$OUT" ] || OUT="bench/results/$(date -u +%Y-%m-%d)-ship.md"
{
	echo "# flowrx-ship vs clickhouse-client, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "- machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/^Mem:/ {print $2}') GB"
	echo "- ClickHouse: $(clickhouse-client --version 2>/dev/null | head -1), private server, data on /dev/shm"
	echo "- input: $records records (bulk NetFlow v5, flowrx --pcap --repeat $passes), $((bytes_on_disk / 1000000)) MB of flow files on /dev/shm"
	echo "- flowrx-ship --batch-rows $BATCH; $REPS repetitions, each into an empty table"
	echo "- load average before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
	echo
	echo "| inserter | what it does | best records/s | median records/s |"
	echo "|---|---|---:|---:|"
	echo "| flowrx-ship | reads flow files, encodes RowBinary, HTTP inserts of $BATCH rows, checkpoints | $(stats "${ship_rates[@]}") |"
	echo "| clickhouse-client | one INSERT of a ready RowBinary file (native protocol) | $(stats "${client_rates[@]}") |"
	echo "| curl | one HTTP INSERT of the same file | $(stats "${curl_rates[@]}") |"
} > "$OUT"
cat "$OUT"
