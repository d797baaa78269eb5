#!/usr/bin/env bash
# Install what is missing, build, and start flowrx on this machine's loopback:
# no DPDK NIC or hugepages needed. Exports sent to 127.0.0.1 UDP 2055 (also
# 9995, 9996, 4739) are stored under ./flows until you press Ctrl-C.
#
#   scripts/run.sh [flowrx options...]     e.g. scripts/run.sh --iface eth0 -w /var/lib/flowrx
#   scripts/run.sh --config FILE           everything from a config file (drivers-cfg/, docs/configuration.md)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
scripts/build.sh

for a in "$@"; do
	case "$a" in
	-c|--config|--config=*)
		# the file says what to collect from: no loopback defaults
		echo "flowrx: running build/app/flowrx $*  (check the settings: build/app/flowrx $* --print-config)"
		[ "$(id -u)" -eq 0 ] || exec sudo build/app/flowrx "$@"
		exec build/app/flowrx "$@" ;;
	esac
done

dir=./flows
iface=lo
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
	case "${args[$i]}" in
	-w|--dir) dir="${args[$((i + 1))]:-$dir}" ;;
	--iface) iface="${args[$((i + 1))]:-$iface}" ;;
	esac
done

cat <<MSG
flowrx: collecting NetFlow v1/v5/v6/v7/v8/v9 and IPFIX from interface '$iface' (DPDK net_pcap, incoming only), UDP ports 2055, 9995, 9996, 4739.
        Point an exporter at this machine, e.g.:  softflowd -i eth0 -v 5 -n 127.0.0.1:2055
        Flow files go to:   $dir  (a new file every 5 minutes)
        Read them:          build/app/flowrx-read -R $dir
        Follow live:        build/app/flowrx-read -R $dir -f
        As JSON lines:      build/app/flowrx-read -R $dir -o json
        Per-exporter stats: build/app/flowrx-read --stats -R $dir   (losses by sequence, drops)
        Live counters:      echo /flowrx/stats | dpdk-telemetry.py -f flowrx-<pid of flowrx>
        Stop with Ctrl-C: every record received is written before flowrx exits.
MSG
if [ "$(id -u)" -ne 0 ]; then
	echo "flowrx: DPDK's af_packet port needs root (CAP_NET_RAW); re-running with sudo" >&2
	exec sudo build/app/flowrx --iface "$iface" -w "$dir" --stats-interval 10 "$@"
fi
exec build/app/flowrx --iface "$iface" -w "$dir" --stats-interval 10 "$@"
