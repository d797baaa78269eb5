#!/usr/bin/env bash
# A second real exporter: nfdump's nfreplay. softflowd -v 9 exports the
# generated traffic (IPv4 and IPv6) to nfcapd, which stores it in an nfdump
# file; nfreplay sends that file again as NetFlow VERSION to a port captured
# on lo; flowrx --pcap stores the capture. flowrx's records must equal, field
# by field, both what tshark decodes from the capture and what nfdump prints
# from its file (for the keys the version carries), and their packets and
# bytes must add up to the traffic.
#
# usage: e2e_nfreplay.sh FLOWRX FLOWRX_READ TESTGEN UDPSEND TRAFFICGEN VERSION
#   VERSION 5 or 9 (nfreplay sends nothing else)
. "$(dirname "$0")/lib.sh"
. "$HERE/capture.sh"
TRAFFICGEN="$5"
VERSION="$6"
NFCAPD_PID=""
trap '[ -n "$NFCAPD_PID" ] && kill "$NFCAPD_PID" 2> /dev/null; stop_helpers; rm -rf "$WORK"' EXIT
need_tools softflowd nfcapd nfdump nfreplay tcpdump tshark
export TZ=UTC # nfdump prints local time

"$TRAFFICGEN" "$WORK/traffic.pcap" "$WORK/traffic.txt"
start_sink 2
port="${SINK_PORTS[0]}"

# 1. softflowd -> nfcapd, on a port the kernel says is free.
nfcapd_port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir "$WORK/nfcapd"
nfcapd -w "$WORK/nfcapd" -b 127.0.0.1 -p "$nfcapd_port" -t 3600 -B 4000000 \
	-P "$WORK/nfcapd.pid" > "$WORK/nfcapd.log" 2>&1 &
NFCAPD_PID=$!
for _ in $(seq 100); do
	grep -q "^Startup" "$WORK/nfcapd.log" && break
	sleep 0.1
done
grep -q "^Startup" "$WORK/nfcapd.log" || { cat "$WORK/nfcapd.log" >&2; fail "nfcapd did not start"; }
softflowd -r "$WORK/traffic.pcap" -n "127.0.0.1:$nfcapd_port" -v 9 -a -m 100 -t maxlife=60 \
	-p "$WORK/softflowd.pid" > "$WORK/softflowd.txt" 2>&1 ||
	{ rc=$?; cat "$WORK/softflowd.txt" >&2; fail "softflowd exited $rc"; }
sent_records=$(sed -n 's/^Flows exported: [0-9]* (\([0-9]*\) records).*/\1/p' "$WORK/softflowd.txt")
sleep 1 # nfcapd reads what is queued on its socket; it does not drain it on SIGTERM
kill -TERM "$NFCAPD_PID"
wait "$NFCAPD_PID" || true
NFCAPD_PID=""
# one file, even if nfcapd rotated at an hour boundary meanwhile
nfdump -R "$WORK/nfcapd" -w "$WORK/softflowd.nf" || fail "nfdump could not merge nfcapd's files"
nfdump -r "$WORK/softflowd.nf" -o json > "$WORK/nfdump.json" || fail "nfdump could not print the file"
stored=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$WORK/nfdump.json")
[ "$stored" -eq "$sent_records" ] || fail "softflowd sent $sent_records records, nfcapd stored $stored"
[ "$stored" -ge 100 ] || fail "only $stored records: too few to prove anything"

# 2. nfreplay -> lo, captured.
start_capture "$WORK/replay.pcap" "$port"
nfreplay -r "$WORK/softflowd.nf" -H 127.0.0.1 -p "$port" -v "$VERSION" -d 100 > "$WORK/nfreplay.txt" 2>&1 ||
	{ rc=$?; cat "$WORK/nfreplay.txt" >&2; fail "nfreplay exited $rc"; }
stop_capture "$WORK/replay.pcap"
echo "nfreplay -v $VERSION: $(udp_frames "$WORK/replay.pcap" "$port") datagrams"

# 3. flowrx against tshark, then against nfdump.
python3 "$HERE/tshark_records.py" "$WORK/replay.pcap" "$port" "$WORK/expected.jsonl" \
	"$WORK/counters.txt" || fail "tshark could not decode the replay"
"$FLOWRX" --pcap "$WORK/replay.pcap" -p "$port" -w "$WORK/flows" > "$WORK/summary.txt" \
	2> "$WORK/stderr.txt" || { rc=$?; cat "$WORK/stderr.txt" >&2; fail "flowrx exited $rc"; }
check_summary "$WORK/summary.txt" "$WORK/counters.txt" "$WORK/replay.pcap" "$port"
"$FLOWRX_READ" -q -R "$WORK/flows" -o json > "$WORK/got.jsonl" || fail "flowrx-read exited $?"
python3 "$HERE/compare_records.py" "$WORK/expected.jsonl" "$WORK/got.jsonl" ||
	fail "flowrx's records differ from tshark's"
python3 "$HERE/nfdump_records.py" "$WORK/nfdump.json" "$VERSION" "$WORK/nfdump.jsonl"
python3 "$HERE/compare_records.py" "$WORK/nfdump.jsonl" "$WORK/got.jsonl" ||
	fail "flowrx's records differ from nfdump's"
if [ "$VERSION" = 5 ]; then
	check_totals "$WORK/traffic.txt" "$WORK/got.jsonl" ipv4
else
	check_totals "$WORK/traffic.txt" "$WORK/got.jsonl" ipv4 ipv6
fi
echo "ok: nfreplay -v $VERSION: $(wc -l < "$WORK/got.jsonl") records, as tshark and nfdump see them"
