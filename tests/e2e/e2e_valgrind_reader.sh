#!/usr/bin/env bash
# flowrx-read under valgrind memcheck: no invalid access, no use of
# uninitialised memory, no leak, on every kind of input and task the reader
# has: v1-v8 and IPFIX records with interface names, every output format,
# filters, time windows, aggregation and top-N, statistics, several inputs
# merged, a file cut in the middle of a block, a file with garbage in the
# middle, and follow mode stopped by SIGINT.
. "$(dirname "$0")/lib.sh"

command -v valgrind > /dev/null || fail "valgrind is not installed (scripts/deps.sh test)"

"$TESTGEN" mixed "$WORK/mixed.pcap" "$WORK/mixed.jsonl" "$WORK/mixed-counters.txt" > /dev/null
"$TESTGEN" ipfix "$WORK/ipfix.pcap" "$WORK/ipfix.jsonl" "$WORK/ipfix-counters.txt" > /dev/null
"$FLOWRX" --pcap "$WORK/mixed.pcap" -w "$WORK/a" > /dev/null 2>&1 || fail "flowrx failed on mixed"
"$FLOWRX" --pcap "$WORK/ipfix.pcap" -w "$WORK/b" > /dev/null 2>&1 || fail "flowrx failed on ipfix"

# A file torn in the middle of a block, and one with garbage over its middle.
mkdir "$WORK/bad"
a=$(ls "$WORK"/a/*.frx | head -1)
b=$(ls "$WORK"/b/*.frx | head -1)
head -c $(($(stat -c %s "$a") - 300)) "$a" > "$WORK/bad/flowrx.20200101-000000.frx"
cp "$b" "$WORK/bad/flowrx.20200101-000500.frx"
size=$(stat -c %s "$b")
dd if=/dev/urandom of="$WORK/bad/flowrx.20200101-000500.frx" bs=1 seek=$((size / 2)) count=200 conv=notrunc 2> /dev/null

VG=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible
	--errors-for-leak-kinds=definite,indirect,possible --track-origins=yes)
runs=0
# vg ARGS...: the reader under valgrind; exit 99 means valgrind found something
vg() {
	local rc=0
	"${VG[@]}" "$FLOWRX_READ" "$@" > "$WORK/out.txt" 2> "$WORK/vg.txt" || rc=$?
	if [ $rc -eq 99 ] || grep -q "^==[0-9]*== " "$WORK/vg.txt"; then
		cat "$WORK/vg.txt" >&2
		fail "valgrind: flowrx-read $*"
	fi
	[ $rc -le 1 ] || { cat "$WORK/vg.txt" >&2; fail "flowrx-read $* exited $rc"; }
	runs=$((runs + 1))
}

for fmt in text csv json; do
	vg -R "$WORK/a" -R "$WORK/b" -o "$fmt"
done
[ "$(wc -l < "$WORK/out.txt")" -eq $(($(wc -l < "$WORK/mixed.jsonl") + $(wc -l < "$WORK/ipfix.jsonl"))) ] ||
	fail "valgrind run printed the wrong number of records"
vg -R "$WORK/a" -R "$WORK/b" --no-merge -o csv 'proto tcp and (src net 10.0.0.0/8 or dst port 443) and bytes > 100'
vg -R "$WORK/a" -R "$WORK/b" -o json -F 'not (ip 192.0.2.1 or in if 3) and packets < 1000000000'
vg -R "$WORK/b" -t '2000-01-01 00:00-2100-01-01 00:00' -o csv
vg -R "$WORK/a" -R "$WORK/b" -A srcip4/24,srcip6/48,proto -O bytes -o json
vg -R "$WORK/a" -R "$WORK/b" -s srcip/bytes -s dstport -s proto/packets -n 3 -o csv
vg -R "$WORK/a" -R "$WORK/b" -s exporter --scale
vg -R "$WORK/a" -R "$WORK/b" --stats
vg -R "$WORK/a" -R "$WORK/b" --stats -o json
vg -R "$WORK/bad" -o csv
vg -R "$WORK/bad" -s srcip
vg -R "$WORK/a" -o csv 'this is not a filter'
vg -r "$WORK/nonexistent.frx"

# follow mode: started, then interrupted as a user does
"${VG[@]}" "$FLOWRX_READ" -R "$WORK/a" -f -o csv > "$WORK/follow.txt" 2> "$WORK/vg-follow.txt" &
pid=$!
sleep 3
kill -INT $pid
rc=0
wait $pid || rc=$?
if [ $rc -eq 99 ] || grep -q "^==[0-9]*== " "$WORK/vg-follow.txt"; then
	cat "$WORK/vg-follow.txt" >&2
	fail "valgrind: flowrx-read -f"
fi
echo "ok: flowrx-read clean under valgrind memcheck in $((runs + 1)) runs"
