#!/usr/bin/env bash
# A real exporter nobody on the team wrote: Debian's softflowd turns a
# generated traffic capture (flowrx-trafficgen: TCP, UDP, ICMP, ESP over
# IPv4 and IPv6, six minutes) into NetFlow/IPFIX exports sent to 127.0.0.1;
# tcpdump captures them on lo; flowrx --pcap stores them. The records
# flowrx-read gives back must equal, field by field, what tshark decodes from
# the same capture (tshark_records.py), the summary must show every datagram
# decoded and no drop but the canaries, and the packets and bytes must add up
# to the traffic softflowd was given.
#
# usage: e2e_softflowd.sh FLOWRX FLOWRX_READ TESTGEN UDPSEND TRAFFICGEN VERSION [SOFTFLOWD-OPTION...]
#   VERSION 1, 5, 9 or 10; extra options go to softflowd (e.g. -s 10, -A milli, -T vlan)
. "$(dirname "$0")/lib.sh"
. "$HERE/capture.sh"
TRAFFICGEN="$5"
VERSION="$6"
shift 6
trap 'stop_helpers; rm -rf "$WORK"' EXIT
need_tools softflowd tcpdump tshark

"$TRAFFICGEN" "$WORK/traffic.pcap" "$WORK/traffic.txt"
start_sink 2
port="${SINK_PORTS[0]}"
start_capture "$WORK/exports.pcap" "$port"

# -r: read the capture, export every flow still open at its end, exit.
# -a: clock from the capture's timestamps (uptime 0 at its first packet), so
#     the exports are the same on every run; without it the uptimes are taken
#     against the wall clock and the capture's old flows wrap.
# -m 100 / maxlife=60: the flow table overflows and long flows are cut, so
#     exports also leave in the middle of the capture, with other headers.
# -p: softflowd -r unlinks its pid file at exit (the default is
#     /var/run/softflowd.pid, that of a softflowd daemon).
softflowd -r "$WORK/traffic.pcap" -n "127.0.0.1:$port" -v "$VERSION" -a -m 100 -t maxlife=60 \
	-p "$WORK/softflowd.pid" "$@" > "$WORK/softflowd.txt" 2>&1 ||
	{ rc=$?; cat "$WORK/softflowd.txt" >&2; fail "softflowd exited $rc"; }
stop_capture "$WORK/exports.pcap"

# "Flows exported: 556 (556 records) in 105 packets (0 failures)"
read -r sent_records sent_datagrams failures < <(sed -n \
	's/^Flows exported: [0-9]* (\([0-9]*\) records) in \([0-9]*\) packets (\([0-9]*\) failures)$/\1 \2 \3/p' \
	"$WORK/softflowd.txt")
[ -n "${sent_records:-}" ] || { cat "$WORK/softflowd.txt" >&2; fail "no export statistics from softflowd"; }
[ "$failures" -eq 0 ] || fail "softflowd failed to send $failures datagrams"
[ "$(udp_frames "$WORK/exports.pcap" "$port")" -eq "$sent_datagrams" ] ||
	fail "softflowd sent $sent_datagrams datagrams, $(udp_frames "$WORK/exports.pcap" "$port") captured"
[ "$sent_records" -ge 100 ] || fail "only $sent_records records: too few to prove anything"
echo "softflowd -v $VERSION${*:+ $*}: $sent_records records in $sent_datagrams datagrams"

if [[ " $* " == *" -b "* ]]; then
	# Biflows (RFC 5103): tshark cannot tell the reverse fields apart, so no
	# field comparison; flowrx splits each into two records, and the totals
	# below prove every packet of both directions is in exactly one.
	"$FLOWRX" --pcap "$WORK/exports.pcap" -p "$port" -w "$WORK/flows" > "$WORK/summary.txt" \
		2> "$WORK/stderr.txt" || { rc=$?; cat "$WORK/stderr.txt" >&2; fail "flowrx exited $rc"; }
	"$FLOWRX_READ" -q -R "$WORK/flows" -o json > "$WORK/got.jsonl" || fail "flowrx-read exited $?"
	[ "$(wc -l < "$WORK/got.jsonl")" -gt "$sent_records" ] || fail "biflows were not split"
else
	python3 "$HERE/tshark_records.py" "$WORK/exports.pcap" "$port" "$WORK/expected.jsonl" \
		"$WORK/counters.txt" || fail "tshark could not decode the exports"
	[ "$(wc -l < "$WORK/expected.jsonl")" -eq "$sent_records" ] ||
		fail "tshark decoded $(wc -l < "$WORK/expected.jsonl") records, softflowd sent $sent_records"

	"$FLOWRX" --pcap "$WORK/exports.pcap" -p "$port" -w "$WORK/flows" > "$WORK/summary.txt" \
		2> "$WORK/stderr.txt" || { rc=$?; cat "$WORK/stderr.txt" >&2; fail "flowrx exited $rc"; }
	check_summary "$WORK/summary.txt" "$WORK/counters.txt" "$WORK/exports.pcap" "$port"
	"$FLOWRX_READ" -q -R "$WORK/flows" -o json > "$WORK/got.jsonl" || fail "flowrx-read exited $?"
	python3 "$HERE/compare_records.py" "$WORK/expected.jsonl" "$WORK/got.jsonl" ||
		fail "flowrx's records differ from tshark's"
fi

# Every packet of the traffic is in exactly one record (v1/v5 carry IPv4 only),
# unless softflowd was told to sample (-s N: it keeps 1 packet in N).
if [[ " $* " == *" -s "* ]]; then
	echo "sampled: packet and byte totals not checked"
elif [ "$VERSION" = 1 ] || [ "$VERSION" = 5 ]; then
	check_totals "$WORK/traffic.txt" "$WORK/got.jsonl" ipv4
else
	check_totals "$WORK/traffic.txt" "$WORK/got.jsonl" ipv4 ipv6
fi
if [[ " $* " == *" -b "* ]]; then
	echo "ok: softflowd -v $VERSION${*:+ $*}: $sent_records biflows split, every packet accounted for"
else
	echo "ok: softflowd -v $VERSION${*:+ $*}: $sent_records records, field by field as tshark decodes them"
fi
