#!/usr/bin/env bash
# Reserve hugepages for flowrx on the NUMA node(s) of its NIC, and mount
# hugetlbfs, through DPDK's dpdk-hugepages.py (sysfs directly if it is missing).
#
#   scripts/setup-hugepages.sh [--dry-run] [--pagesize 2M|1G] --size SIZE [--node N]...
#   scripts/setup-hugepages.sh [--dry-run] [--pagesize 2M|1G] --from-config FILE [--flowrx PATH]
#
#   --size SIZE         memory to reserve on each --node (K, M or G suffix), e.g. 1G
#   --node N            NUMA node (repeatable; default: every node)
#   --from-config FILE  sizes from the flowrx config's [eal] socket_mem (MB per
#                       node, "1024,0") or memory (MB, on node 0); nothing when
#                       [eal] no_huge = yes or neither is set. What the systemd
#                       unit runs.
#   --pagesize          2M (default) or 1G (1G pages are best reserved at boot:
#                       hugepagesz=1G hugepages=N on the kernel command line)
#   --dry-run           print what would be done, change nothing
#
# Each node gets SIZE plus 64 MB of headroom (memory DPDK libraries reserve
# besides flowrx's pools), rounded up to whole pages.
# Environment (tests): FRX_SYSFS (default /sys), FRX_HUGEPAGES_PY (default dpdk-hugepages.py).
set -euo pipefail

sysfs="${FRX_SYSFS:-/sys}"
hp_py="${FRX_HUGEPAGES_PY:-dpdk-hugepages.py}"
dry=0
pagesize=2M
size=""
config=""
flowrx=""
nodes=()

die() { echo "setup-hugepages: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case "$1" in
	--dry-run) dry=1 ;;
	--pagesize) pagesize="${2:?--pagesize needs 2M or 1G}"; shift ;;
	--size) size="${2:?--size needs a value}"; shift ;;
	--node) nodes+=("${2:?--node needs a number}"); shift ;;
	--from-config) config="${2:?--from-config needs a file}"; shift ;;
	--flowrx) flowrx="${2:?--flowrx needs a path}"; shift ;;
	-h|--help) sed -n '2,20p' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
	shift
done

case "$pagesize" in
2M|2m) page_kb=2048 ;;
1G|1g) page_kb=1048576 ;;
*) die "--pagesize $pagesize: use 2M or 1G" ;;
esac

# to_mb SIZE: "1G" -> 1024, "512M" -> 512, "1048576K" -> 1024
to_mb() {
	local v="$1" n
	n="${v%[KkMmGg]}"
	[[ "$n" =~ ^[0-9]+$ ]] || die "size '$v' is not a number with K, M or G"
	case "$v" in
	*[Gg]) echo $((n * 1024)) ;;
	*[Kk]) echo $(((n + 1023) / 1024)) ;;
	*) echo "$n" ;;
	esac
}

all_nodes() {
	local d found=0
	for d in "$sysfs"/devices/system/node/node[0-9]*; do
		[ -d "$d" ] || continue
		basename "$d" | sed 's/^node//'
		found=1
	done
	[ $found -eq 1 ] || echo 0 # no NUMA: one node
}

declare -A want_mb=()
if [ -n "$config" ]; then
	[ -z "$size" ] || die "--size and --from-config: choose one"
	[ -r "$config" ] || die "--from-config $config: cannot read it"
	if [ -z "$flowrx" ]; then
		flowrx=$(command -v flowrx || true)
		[ -n "$flowrx" ] || flowrx="$(dirname "$0")/../build/app/flowrx"
	fi
	# flowrx itself reads the file: comments, defaults and errors as at start
	eal=$("$flowrx" --config "$config" --print-config | awk '/^\[/{s=$0; next} s=="[eal]" && / = /')
	no_huge=$(sed -n 's/^no_huge = //p' <<<"$eal")
	socket_mem=$(sed -n 's/^socket_mem = //p' <<<"$eal")
	memory=$(sed -n 's/^memory = //p' <<<"$eal")
	case "$no_huge" in yes|true|on|1) echo "setup-hugepages: $config: no_huge = $no_huge, nothing to reserve"; exit 0 ;; esac
	if [ -n "$socket_mem" ]; then
		i=0
		IFS=, read -ra per_node <<<"$socket_mem"
		for mb in "${per_node[@]}"; do
			[[ "$mb" =~ ^[0-9]+$ ]] || die "$config: [eal] socket_mem '$socket_mem' is not MB per node"
			[ "$mb" -gt 0 ] && want_mb[$i]=$mb
			i=$((i + 1))
		done
	elif [ -n "$memory" ]; then
		[[ "$memory" =~ ^[0-9]+$ ]] || die "$config: [eal] memory '$memory' is not MB"
		want_mb[${nodes[0]:-0}]=$memory
	else
		# the EAL then takes what hugepages there are: nothing to size here
		echo "setup-hugepages: $config: [eal] sets neither socket_mem nor memory; leaving the hugepages as they are"
		exit 0
	fi
else
	[ -n "$size" ] || die "--size SIZE or --from-config FILE is needed (see --help)"
	mb=$(to_mb "$size")
	[ ${#nodes[@]} -gt 0 ] || mapfile -t nodes < <(all_nodes)
	for n in "${nodes[@]}"; do
		[[ "$n" =~ ^[0-9]+$ ]] || die "--node $n is not a number"
		want_mb[$n]=$mb
	done
fi

run() {
	if [ $dry -eq 1 ]; then
		echo "would run: $*"
	else
		echo "running: $*"
		"$@"
	fi
}

mounted=0
grep -qs "^[^ ]* [^ ]* hugetlbfs " /proc/mounts && mounted=1
for node in $(printf '%s\n' "${!want_mb[@]}" | sort -n); do
	dir="$sysfs/devices/system/node/node$node"
	[ -d "$dir" ] || [ "$node" -eq 0 ] || die "NUMA node $node does not exist ($dir)"
	mb=$((want_mb[$node] + 64))
	pages=$(((mb * 1024 + page_kb - 1) / page_kb))
	echo "setup-hugepages: node $node: ${want_mb[$node]} MB + 64 MB headroom = $pages pages of $pagesize"
	if command -v "$hp_py" > /dev/null; then
		run "$hp_py" --pagesize "$pagesize" --node "$node" --reserve "$((pages * page_kb))K"
	else
		run sh -c "echo $pages > $dir/hugepages/hugepages-${page_kb}kB/nr_hugepages"
	fi
	if [ $dry -eq 0 ]; then
		got=$(cat "$dir/hugepages/hugepages-${page_kb}kB/nr_hugepages" 2>/dev/null || echo 0)
		[ "$got" -ge "$pages" ] || die "node $node: only $got of $pages pages reserved (memory fragmented: reserve at boot, hugepages= on the kernel command line)"
	fi
done
if [ $mounted -eq 0 ]; then
	if command -v "$hp_py" > /dev/null; then
		run "$hp_py" --pagesize "$pagesize" --mount
	else
		run mkdir -p /dev/hugepages
		run mount -t hugetlbfs -o "pagesize=$pagesize" nodev /dev/hugepages
	fi
fi
[ $dry -eq 1 ] || "$hp_py" --show 2>/dev/null || true
