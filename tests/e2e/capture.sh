# shellcheck shell=bash
# Helpers for the tests that capture a real exporter's datagrams on lo
# (sourced after lib.sh): a sink that keeps the kernel from answering with
# ICMP port unreachable, and a tcpdump capture whose start and end are
# proven by canary datagrams rather than by sleeping.
#
#   start_sink N          bind N UDP sockets on 127.0.0.1, free ports chosen by
#                         the kernel: SINK_PORTS[0..N-1]; CANARY_PORT is the last
#   start_capture PCAP P  tcpdump -i lo of UDP to P and to CANARY_PORT; returns
#                         once a canary sent after it started is in the file
#   stop_capture PCAP     sends a last canary, waits until it is in the file (so
#                         is everything sent before it on lo), stops tcpdump
#   udp_frames PCAP P     frames of PCAP sent to UDP port P
# The test's EXIT trap must call stop_helpers.

PATH="$PATH:/usr/sbin:/sbin"
SINK_PID=""
TCPDUMP_PID=""

need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" > /dev/null || fail "$t is not installed (scripts/deps.sh test installs it)"
	done
	[ "$(id -u)" -eq 0 ] || fail "capturing on lo needs root (CAP_NET_RAW)"
}

stop_helpers() {
	[ -n "$TCPDUMP_PID" ] && kill "$TCPDUMP_PID" 2> /dev/null
	[ -n "$SINK_PID" ] && kill "$SINK_PID" 2> /dev/null
	return 0
}

start_sink() {
	python3 -u -c '
import signal, socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
signal.pause()' "$1" > "$WORK/sink-ports.txt" &
	SINK_PID=$!
	for _ in $(seq 50); do
		[ -s "$WORK/sink-ports.txt" ] && break
		sleep 0.1
	done
	read -r -a SINK_PORTS < "$WORK/sink-ports.txt" || fail "UDP sink did not start"
	CANARY_PORT="${SINK_PORTS[$(($1 - 1))]}"
}

udp_frames() {
	{ tcpdump -n -r "$1" "udp dst port $2" 2> /dev/null || true; } | wc -l
}

send_canary() {
	echo canary > "/dev/udp/127.0.0.1/$CANARY_PORT"
}

start_capture() {
	# a snap length above any export datagram, a 32 MiB ring: every frame whole
	tcpdump -i lo -n -U --immediate-mode -s 4096 -B 32768 -w "$1" \
		"udp dst port $2 or udp dst port $CANARY_PORT" 2> "$1.log" &
	TCPDUMP_PID=$!
	for _ in $(seq 100); do
		send_canary
		[ "$(udp_frames "$1" "$CANARY_PORT")" -gt 0 ] && return 0
		sleep 0.1
	done
	cat "$1.log" >&2
	fail "tcpdump did not start capturing"
}

stop_capture() {
	local before
	before=$(udp_frames "$1" "$CANARY_PORT")
	send_canary
	for _ in $(seq 100); do
		[ "$(udp_frames "$1" "$CANARY_PORT")" -gt "$before" ] && break
		sleep 0.1
	done
	kill -INT "$TCPDUMP_PID"
	wait "$TCPDUMP_PID" || true
	TCPDUMP_PID=""
	[ "$(udp_frames "$1" "$CANARY_PORT")" -gt "$before" ] || fail "the last canary was not captured"
	grep -q "^0 packets dropped by kernel" "$1.log" || { cat "$1.log" >&2; fail "tcpdump dropped frames"; }
}

# check_summary SUMMARY COUNTERS PCAP PORT: the flowrx summary has the
# counters of COUNTERS, every frame of PCAP was received, the canaries are
# the only drops (drop_wrong_port) and no record was lost.
check_summary() {
	local summary="$1" canaries frames name value
	canaries=$(udp_frames "$3" "$CANARY_PORT")
	frames=$(($(udp_frames "$3" "$4") + canaries))
	{
		cat "$2"
		echo "rx_packets: $frames"
		echo "drop_wrong_port: $canaries"
		echo "records_lost_no_block: 0"
		echo "records_lost_write_error: 0"
	} > "$WORK/expected-counters.txt"
	expect_counters "$WORK/expected-counters.txt" "$summary"
	while IFS=': ' read -r name value; do
		case "$name" in
		drop_wrong_port) ;;
		drop_*) [ "$value" = 0 ] || fail "unexpected drops: $name: $value (summary in $summary)" ;;
		esac
	done < "$summary"
	[ "$(counter records_decoded "$summary")" = "$(counter records_written "$summary")" ] ||
		fail "records decoded and written differ"
}

# check_totals TRAFFIC.txt RECORDS.jsonl FAMILY...: the packets and bytes of
# the records add up to those flowrx-trafficgen wrote for the address
# families given (ipv4, ipv6): every packet is in exactly one record.
check_totals() {
	python3 - "$@" <<'PY' || fail "packet or byte totals differ"
import json, sys
totals = dict(line.split(": ") for line in open(sys.argv[1]).read().splitlines())
want = [sum(int(totals[f + "_" + k]) for f in sys.argv[3:]) for k in ("packets", "bytes")]
records = [json.loads(line) for line in open(sys.argv[2])]
got = [sum(r[k] for r in records) for k in ("packets", "bytes")]
print(f"traffic ({' '.join(sys.argv[3:])}): {want[0]} packets, {want[1]} bytes; "
      f"{len(records)} records: {got[0]} packets, {got[1]} bytes")
sys.exit(want != got)
PY
}
