#!/usr/bin/env bash
# bench/run.sh: flowrx against its RX ceiling (dpdk-testpmd rxonly) and against
# nfcapd (Debian nfdump), side by side in one run, on generated v5, v9 and
# IPFIX captures. Prints a table of rates and ratios and writes it, with the
# machine's description, to bench/results/<date>-<host>.md.
#
#   bench/run.sh [--quick] [--build DIR] [--out FILE] [--frames N] [--reps N]
#                [--tmpfs DIR] [--disk DIR] [--skip WHAT[,WHAT]] [--perf] [--keep]
#                [--hugepages]
#
# Default run: under 10 minutes on a 2-core machine; --quick: under 1 minute,
# the same table from shorter runs and fewer search steps. Needs the build
# (flowrx, flowrx-gen, flowrx-decode-bench, flowrx-udpsend), dpdk-testpmd and
# nfcapd/nfdump; as root it raises net.core.rmem_max for nfcapd's 64 MiB socket
# buffer (and puts it back). WHAT: decode, testpmd, flowrx, nfcapd, memory, memif.
# Set PKTGEN=/path/to/pktgen to add a Pktgen-DPDK -> memif -> flowrx run.
# --hugepages (root): reserve 600 x 2 MiB pages (and mount hugetlbfs) for the
# run, put both back after; the default plan then also runs on hugepages, as
# flowrx does in production (the other plans keep --no-huge, as the tests do).
# Never part of scripts/test.sh: it takes both cores.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$ROOT/build"
QUICK=0
OUT=""
FRAMES=2048
REPS=""
TMPFS_BASE=/dev/shm
DISK_BASE=/var/tmp
SKIP=","
PERF=0
KEEP=0
HUGE_RESERVE=0
HUGE_SAVED=""           # nr_hugepages before --hugepages changed it
HUGE_MOUNTED=""         # the hugetlbfs mount --hugepages made

usage() {
	sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
}

while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1 ;;
	--build) BUILD=$(cd "$2" && pwd); shift ;;
	--out) OUT=$2; shift ;;
	--frames) FRAMES=$2; shift ;;
	--reps) REPS=$2; shift ;;
	--tmpfs) TMPFS_BASE=$2; shift ;;
	--disk) DISK_BASE=$2; shift ;;
	--skip) SKIP=",$2,"; shift ;;
	--perf) PERF=1 ;;
	--keep) KEEP=1 ;;
	--hugepages) HUGE_RESERVE=1 ;;
	-h|--help) usage ;;
	*) echo "run.sh: unknown argument $1" >&2; usage ;;
	esac
	shift
done

# ----------------------------------------------------------------- settings
# Every length of time and size in one place; --quick scales them down.
if [ "$QUICK" = 1 ]; then
	DECODE_S=0.3          # flowrx-decode-bench seconds per capture and mode
	TESTPMD_S=4           # testpmd run, EAL start included
	RECORDS_TARGET=3000000 # records a flowrx run stores (sets --repeat)
	: "${REPS:=1}"         # runs per plan: a plan counts if none lost records, with its best run
	NF_STEP_S=1           # seconds of sending per nfcapd search step
	NF_STEPS=2            # steps after the first (full speed) one
	MEM_S=1
else
	DECODE_S=1.5
	TESTPMD_S=6
	RECORDS_TARGET=12000000
	: "${REPS:=3}"
	NF_STEP_S=3
	NF_STEPS=5
	MEM_S=3
fi
NFCAPD_BUF=67108864
SENDER_CPU=1
COLLECTOR_CPU=0
VERSIONS="5 9 10"

skipped() { case "$SKIP" in *",$1,"*) return 0 ;; esac; return 1; }
log() { printf '%s\n' "$*" >&2; }
die() { log "run.sh: $*"; exit 1; }

FLOWRX=$BUILD/app/flowrx
FLOWRX_READ=$BUILD/app/flowrx-read
GEN=$BUILD/bench/flowrx-gen
DECODE_BENCH=$BUILD/bench/flowrx-decode-bench
UDPSEND=$BUILD/bench/flowrx-udpsend
for b in "$FLOWRX" "$GEN" "$DECODE_BENCH" "$UDPSEND"; do
	[ -x "$b" ] || die "$b missing: build first (meson setup build && ninja -C build), or give --build DIR"
done
TESTPMD=$(command -v dpdk-testpmd || true)
NFCAPD=$(command -v nfcapd || true)
NFDUMP=$(command -v nfdump || true)
[ -n "$TESTPMD" ] || { log "run.sh: dpdk-testpmd not found (apt install dpdk): no RX ceiling"; SKIP="$SKIP,testpmd,"; }
[ -n "$NFCAPD" ] && [ -n "$NFDUMP" ] || { log "run.sh: nfcapd/nfdump not found (apt install nfdump): no nfcapd comparison"; SKIP="$SKIP,nfcapd,"; }

WORK=$(mktemp -d /tmp/flowrx-bench.XXXXXX)
TMPFS_DIR=$TMPFS_BASE/flowrx-bench.$$
DISK_DIR=$DISK_BASE/flowrx-bench.$$
BG_PID=""               # the one background process of ours running, if any
RMEM_SAVED=""

cleanup() {
	if [ -n "$BG_PID" ]; then
		kill "$BG_PID" 2>/dev/null || true
		wait "$BG_PID" 2>/dev/null || true
	fi
	if [ -n "$RMEM_SAVED" ]; then
		sysctl -qw net.core.rmem_max="$RMEM_SAVED" || true
	fi
	[ -z "$HUGE_MOUNTED" ] || umount "$HUGE_MOUNTED" 2>/dev/null || true
	[ -z "$HUGE_SAVED" ] || echo "$HUGE_SAVED" >/proc/sys/vm/nr_hugepages 2>/dev/null || true
	rm -rf "$TMPFS_DIR" "$DISK_DIR" /var/run/dpdk/flowrx-bench-*-"$$" /var/run/dpdk/flowrx-bench-"$$"-* 2>/dev/null || true
	if [ "$KEEP" = 1 ]; then
		log "run.sh: logs and captures kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Float arithmetic and formatting.
calc() { awk "BEGIN { printf \"%.6f\", $* }"; }
# 12345678 -> 12.35 M, 12345 -> 12.3 k
human() {
	awk -v v="$1" 'BEGIN {
		if (v == "" || v == "-") { print "-"; exit }
		if (v >= 1e6) printf "%.2f M\n", v / 1e6; else if (v >= 1e3) printf "%.1f k\n", v / 1e3; else printf "%.0f\n", v }'
}
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2fx\n", a / b }'
}
# key=value from a line of key=value pairs
kv() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p" | awk 'NR == 1'; }
# "name: value" from a flowrx summary
summary() { sed -n "s/^$2: //p" "$1" | awk 'NR == 1'; }
vname() { case "$1" in 5) echo v5 ;; 9) echo v9 ;; 10) echo IPFIX ;; esac; }
vport() { if [ "$1" = 10 ]; then echo 4739; else echo 2055; fi; }

# ------------------------------------------------------------------ machine
HOST=$(hostname -s 2>/dev/null || hostname)
DATE=$(date +%Y-%m-%d)
CPU_MODEL=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | awk 'NR == 1')
MEM_TOTAL=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
DPDK_VERSION=$(pkg-config --modversion libdpdk 2>/dev/null || echo unknown)
NFDUMP_VERSION=$( { [ -n "$NFCAPD" ] && "$NFCAPD" -V 2>&1 | awk 'NR == 1'; } || echo none)
SRC_DIR=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['directories']['source'])" \
	"$BUILD/meson-info/meson-info.json" 2>/dev/null || echo "$ROOT")
COMMIT=$(git -C "$SRC_DIR" log --oneline -1 2>/dev/null || echo "not a git tree")
DIRTY=$(git -C "$SRC_DIR" status --porcelain -- lib app 2>/dev/null | wc -l)
BUILDTYPE=$(meson introspect "$BUILD" --buildoptions 2>/dev/null |
	python3 -c "import json,sys; print(next(o['value'] for o in json.load(sys.stdin) if o['name']=='buildtype'))" 2>/dev/null || echo unknown)
HYPERVISOR=$(lscpu 2>/dev/null | sed -n 's/^Hypervisor vendor: *//p')
VIRT=$(systemd-detect-virt 2>/dev/null || true)
if [ -n "$HYPERVISOR" ]; then
	VIRT="yes, $HYPERVISOR$([ -n "$VIRT" ] && [ "$VIRT" != none ] && echo " (systemd-detect-virt: $VIRT)")"
elif [ -z "$VIRT" ] || [ "$VIRT" = none ]; then
	VIRT=no
fi
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
# CPU time of the whole machine, to tell at the end how much went to others
cpu_busy_s() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat; }
# CPU time of this script and everything it waited for: bash's times builtin,
# run in this shell (a subshell would start again from 0), e.g. times >FILE
own_cpu_s() { awk '{ for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } } END { print s }' "$1"; }
BUSY_START=$(cpu_busy_s)
WALL_START=$(date +%s.%N)
if [ -z "$OUT" ]; then
	mkdir -p "$ROOT/bench/results"
	OUT="$ROOT/bench/results/$DATE-$HOST$(if [ "$QUICK" = 1 ]; then echo -quick; fi).md"
fi

log "run.sh: $(nproc) CPUs ($CPU_MODEL), $MEM_TOTAL, kernel $(uname -r), DPDK $DPDK_VERSION"
log "run.sh: flowrx $COMMIT ($BUILDTYPE build in $BUILD), load average $LOAD_START"
[ "$DIRTY" = 0 ] || log "run.sh: note: $SRC_DIR has uncommitted changes in lib/ or app/"
busy=$(awk '{ print ($1 > 0.5) }' /proc/loadavg)
[ "$busy" = 0 ] || log "run.sh: note: the machine is not idle (load $LOAD_START); rates will be low and noisy"

# ---------------------------------------------------------------- captures
declare -A PCAP RECS_PASS FRAMES_PASS RECS_PER_DGRAM FRAME_BYTES
for v in $VERSIONS; do
	PCAP[$v]=$WORK/v$v.pcap
	line=$("$GEN" -v "$v" -n "$FRAMES" -o "${PCAP[$v]}" | tail -1)
	RECS_PASS[$v]=$(kv "$line" records)
	FRAMES_PASS[$v]=$(kv "$line" frames)
	FRAME_BYTES[$v]=$(kv "$line" frame_bytes)
	RECS_PER_DGRAM[$v]=$(calc "${RECS_PASS[$v]} / ${FRAMES_PASS[$v]}")
	log "run.sh: $(vname "$v"): $FRAMES frames, ${RECS_PASS[$v]} records a pass ($(printf '%.1f' "${RECS_PER_DGRAM[$v]}") a datagram)"
done

# ------------------------------------------------------- one-pass check
# One pass of each capture through flowrx: every record stored, and the
# generator's sequence numbers seen as consistent (nothing lost, late or
# duplicated). Replays (--repeat) restart the numbers at every pass, which
# flowrx rightly counts as duplicates or exporter restarts, never as loss.
declare -A ONEPASS
if ! skipped flowrx; then
	log "run.sh: one pass of each capture: records stored, sequence accounting"
	for v in $VERSIONS; do
		dest=$TMPFS_DIR/onepass
		rm -rf "$dest"
		mkdir -p "$TMPFS_DIR"
		olog=$WORK/onepass-v$v.log
		"$FLOWRX" --pcap "${PCAP[$v]}" -w "$dest" >"$olog" 2>&1 || true
		written=$(summary "$olog" records_written)
		seqsum=$("$FLOWRX_READ" --stats -o json -R "$dest" 2>/dev/null | python3 -c '
import json, sys
t = dict(lost=0, out_of_order=0, duplicates=0, resets=0)
for line in sys.stdin:
    try:
        d = json.loads(line)
    except ValueError:
        continue
    for k in t:
        t[k] += d.get(k, 0)
print(" ".join("%s=%d" % kv for kv in t.items()))' 2>/dev/null || echo "stats unreadable")
		drops=$(grep -E '^(drop_[a-z0-9_]+|records_lost_[a-z_]+): [1-9]' "$olog" | tr '\n' ' ' || true)
		if [ "${written:-0}" = "${RECS_PASS[$v]}" ] && [ -z "$drops" ] &&
			[ "$seqsum" = "lost=0 out_of_order=0 duplicates=0 resets=0" ]; then
			ONEPASS[$v]="ok"
		else
			ONEPASS[$v]="FAILED: written ${written:-?} of ${RECS_PASS[$v]}; $seqsum ${drops}"
		fi
		log "run.sh:   $(vname "$v"): ${ONEPASS[$v]} ($seqsum)"
		rm -rf "$dest"
	done
fi

# ---------------------------------------------------------- library decode
declare -A DEC_RPS DEC_NS DEC_CACHE_NS DEC_DGRAM_NS DECAP_NS PACK_RPS PACK_NS PACK_BYTES
DEC_SIMD=-
if ! skipped decode; then
	log "run.sh: library decode speed (flowrx-decode-bench, one core)"
	for v in $VERSIONS; do
		# as the worker decodes: into its 256-record window, which stays in cache
		line=$(taskset -c "$COLLECTOR_CPU" "$DECODE_BENCH" -s "$DECODE_S" -w 256 "${PCAP[$v]}" | tail -1)
		DEC_RPS[$v]=$(kv "$line" records_per_s)
		DEC_CACHE_NS[$v]=$(kv "$line" ns_per_record)
		DEC_DGRAM_NS[$v]=$(kv "$line" ns_per_datagram)
		DECAP_NS[$v]=$(kv "$line" decap_ns_per_frame)
		DEC_SIMD=$(kv "$line" simd)
		# into a 160 MiB array: every record lands in memory that is not cached
		line=$(taskset -c "$COLLECTOR_CPU" "$DECODE_BENCH" -s "$DECODE_S" "${PCAP[$v]}" | tail -1)
		DEC_NS[$v]=$(kv "$line" ns_per_record)
		# and packed into a pool of file blocks, as the worker does before handing them over
		line=$(taskset -c "$COLLECTOR_CPU" "$DECODE_BENCH" -s "$DECODE_S" -p "${PCAP[$v]}" | tail -1)
		PACK_RPS[$v]=$(kv "$line" records_per_s)
		PACK_NS[$v]=$(kv "$line" ns_per_record)
		PACK_BYTES[$v]=$(kv "$line" packed_bytes_per_record)
	done
fi

# --------------------------------------------------------- testpmd ceiling
declare -A TP_PPS
# net_pcap's infinite_rx holds the whole capture in mbufs: 16,384 (at -m 1024)
# leave room for 12,000 frames; more frames need more of both.
TP_MBUFS=16384 TP_MEM=1024
if [ "$FRAMES" -gt 12000 ]; then
	TP_MBUFS=$((FRAMES + 4096))
	TP_MEM=$(( (TP_MBUFS * 2304 / 1048576 + 512 + 255) / 256 * 256 ))
fi
if ! skipped testpmd; then
	log "run.sh: RX ceiling (dpdk-testpmd rxonly on net_pcap infinite_rx, one forwarding lcore)"
	for v in $VERSIONS; do
		tlog=$WORK/testpmd-v$v.log
		# Each line stamped as it arrives (stdbuf: testpmd's stdout is a pipe);
		# rate = packets between the first statistics print and the final
		# totals, over the time between them.
		timeout -s INT "$TESTPMD_S" stdbuf -oL "$TESTPMD" -l 0,1 --no-huge -m "$TP_MEM" --no-pci --no-shconf \
			--file-prefix "flowrx-bench-tp-$$" --log-level lib.eal:warning \
			--vdev "net_pcap0,rx_pcap=${PCAP[$v]},infinite_rx=1" -- \
			--forward-mode=rxonly --nb-cores=1 --total-num-mbufs="$TP_MBUFS" --stats-period 1 -a \
			</dev/null 2>&1 | while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done >"$tlog" || true
		TP_PPS[$v]=$(awk '/RX-packets:.*RX-missed:/ && !t1 { t1 = $1; c1 = $3 }
			/RX-total:/ { t2 = $1; c2 = $7 }
			END { if (t1 && t2 > t1 + 0.5) printf "%.0f\n", (c2 - c1) / (t2 - t1); else print "-" }' "$tlog")
		log "run.sh:   $(vname "$v"): $(human "${TP_PPS[$v]}") packets/s"
	done
fi

# ------------------------------------------------------- tmpfs write ceiling
# What the kernel lets one core write into tmpfs in 64 KiB writes (about a
# packed block each), best of 3: the most any collector can store per second
# here, whatever its record size (page allocation dominates on a VM).
TMPFS_BPS=""
if ! skipped flowrx; then
	mkdir -p "$TMPFS_DIR"
	for _ in 1 2 3; do
		rm -f "$TMPFS_DIR/dd"
		bps=$(taskset -c "$COLLECTOR_CPU" dd if=/dev/zero of="$TMPFS_DIR/dd" bs=64k count=12000 2>&1 |
			awk '/copied/ { for (i = 1; i <= NF; i++) if ($i == "copied,") { print $1 / $(i + 1); exit } }')
		[ -n "$bps" ] && { [ -z "$TMPFS_BPS" ] || awk -v a="$bps" -v b="$TMPFS_BPS" 'BEGIN { exit !(a > b) }'; } &&
			TMPFS_BPS=$bps
	done
	rm -f "$TMPFS_DIR/dd"
	log "run.sh: tmpfs takes $(human "${TMPFS_BPS:-0}")B/s from one core (dd, 64 KiB writes)"
fi

# ------------------------------------------------------------------ flowrx
# Plans: name|EAL lcore arguments|flowrx role arguments
PLANS=(
	"1 lcore: rx+worker+writer|-l 0|"
	"2 lcores: rx+writer / worker|-l 0,1|--rx-lcores 0 --worker-lcores 1 --stats-lcore 0"
	"2 lcores: writer / rx+worker (default)|-l 0,1|"
	"3 lcores on 2 CPUs: writer / rx, worker|--lcores 0@0,1@1,2@1|--rx-lcores 1 --worker-lcores 2 --stats-lcore 0"
)
# With hugepages (--hugepages, or already reserved, e.g. by
# scripts/setup-hugepages.sh, and a hugetlbfs mount): the default plan again
# on 2 MiB pages.
if [ "$HUGE_RESERVE" = 1 ] && ! skipped flowrx; then
	if [ "$(id -u)" != 0 ]; then
		log "run.sh: --hugepages needs root; the hugepage plan runs only if pages are already free"
	else
		HUGE_SAVED=$(cat /proc/sys/vm/nr_hugepages)
		echo $((HUGE_SAVED + 600)) >/proc/sys/vm/nr_hugepages
		if ! grep -q hugetlbfs /proc/mounts; then
			mkdir -p /dev/hugepages
			mount -t hugetlbfs nodev /dev/hugepages && HUGE_MOUNTED=/dev/hugepages
		fi
		log "run.sh: reserved $(( $(cat /proc/sys/vm/nr_hugepages) - HUGE_SAVED )) hugepages of 2 MiB for the run"
	fi
fi
HUGE_NOTE="not measured: no free hugepages (reserve them with scripts/setup-hugepages.sh --size 1200M to add the row)"
if awk '/^HugePages_Free:/ { exit !($2 >= 600) }' /proc/meminfo && grep -q hugetlbfs /proc/mounts; then
	PLANS+=("2 lcores, hugepages: writer / rx+worker|-l 0,1 @huge|")
	HUGE_NOTE=""
fi
declare -A BEST_RPS BEST_PPS BEST_PLAN BEST_WALL_RPS ONE_RPS
RUNS_CSV=$WORK/flowrx-runs.tsv
printf 'version\tdest\tplan\trep\tvalid\telapsed_s\tpackets_per_s\trecords_per_s\twall_s\trecords_written\texpected\tproblem\n' >"$RUNS_CSV"
RUN_NO=0
p_rps=0 p_pps=0 p_wall_rps=0 p_lossy=0   # the plan being run: best valid run, and whether any lost records

# One flowrx --pcap --repeat run. Sets R_VALID R_PPS R_RPS R_WALL R_WRITTEN R_PROBLEM.
flowrx_run() {
	local v=$1 dest=$2 eal=$3 roles=$4 repeat=$5 log=$6
	local prefix="flowrx-bench-$$-$RUN_NO" expected rc=0 drops
	expected=$(( ${RECS_PASS[$v]} * repeat ))
	# Remove the previous run's files just before this one: freshly freed
	# pages are the cheapest a writer can get (VMs hand freed memory back).
	rm -rf "$dest"
	local mem="--no-huge -m 1024"
	if [[ "$eal" == *@huge* ]]; then
		eal=${eal/@huge/}
		mem="-m 1024 --huge-unlink"
	fi
	# shellcheck disable=SC2086
	/usr/bin/time -f 'wall_s: %e\nmax_rss_kb: %M' -o "$log.time" \
		"$FLOWRX" $eal $mem --no-pci --no-shconf --file-prefix "$prefix" \
		--log-level lib.eal:warning --log-level lib.telemetry:warning -- \
		--pcap "${PCAP[$v]}" --repeat "$repeat" --mbufs $((FRAMES + 8192)) -w "$dest" $roles \
		>"$log" 2>&1 || rc=$?
	rm -rf "/var/run/dpdk/$prefix"
	R_WRITTEN=$(summary "$log" records_written)
	R_PPS=$(summary "$log" packets_per_s)
	R_RPS=$(summary "$log" records_per_s)
	R_WALL=$(summary "$log.time" wall_s)
	drops=$(grep -E '^(drop_[a-z0-9_]+|records_lost_[a-z_]+|port[0-9]+_(imissed|ierrors|rx_nombuf)): [1-9]' "$log" |
		tr '\n' ' ' || true)
	R_PROBLEM=""
	if [ "$rc" != 0 ]; then
		R_PROBLEM="exit $rc: $(grep -m1 -E 'flowrx:|Error|error' "$log" || true)"
	elif [ "${R_WRITTEN:-0}" != "$expected" ]; then
		R_PROBLEM="records_written ${R_WRITTEN:-?} != $expected"
	fi
	[ -z "$drops" ] || R_PROBLEM="$R_PROBLEM ${drops% }"
	R_PROBLEM=${R_PROBLEM# }
	R_VALID=0
	[ -n "$R_PROBLEM" ] || R_VALID=1
	: "${R_PPS:=0}" "${R_RPS:=0}" "${R_WALL:=0}" "${R_WRITTEN:=0}"
}

if ! skipped flowrx; then
	log "run.sh: flowrx --pcap --repeat, every record decoded and stored ($REPS run(s) a plan; a plan that loses a record does not count)"
	for v in $VERSIONS; do
		repeat=$(( (RECORDS_TARGET + ${RECS_PASS[$v]} - 1) / ${RECS_PASS[$v]} ))
		for dest_kind in tmpfs disk; do
			if [ "$dest_kind" = tmpfs ]; then dest=$TMPFS_DIR/out; else dest=$DISK_DIR/out; fi
			mkdir -p "$(dirname "$dest")"
			for plan in "${PLANS[@]}"; do
				IFS='|' read -r pname peal proles <<<"$plan"
				for rep in $(seq 1 "$REPS"); do
					RUN_NO=$((RUN_NO + 1))
					rlog=$WORK/flowrx-v$v-$dest_kind-$RUN_NO.log
					flowrx_run "$v" "$dest" "$peal" "$proles" "$repeat" "$rlog"
					valid=$R_VALID pps=$R_PPS rps=$R_RPS wall=$R_WALL written=$R_WRITTEN problem=$R_PROBLEM
					printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(vname "$v")" "$dest_kind" "$pname" "$rep" \
						"$valid" "$(summary "$rlog" elapsed_s)" "$pps" "$rps" "$wall" "$written" \
						"$(( ${RECS_PASS[$v]} * repeat ))" "$problem" >>"$RUNS_CSV"
					log "run.sh:   $(vname "$v") $dest_kind [$pname] #$rep: $(human "$pps") packets/s, $(human "$rps") records/s$([ "$valid" = 1 ] || echo " INVALID: $problem")"
					key="$v,$dest_kind"
					if [ "$valid" = 1 ] && awk -v a="$rps" -v b="${p_rps:-0}" 'BEGIN { exit !(a > b) }'; then
						p_rps=$rps p_pps=$pps p_wall_rps=$(calc "${written:-0} / ($wall > 0 ? $wall : 1)")
					fi
					# a plan that loses records will not stop losing them: one run is enough
					[ "$valid" = 1 ] || { p_lossy=1; break; }
				done
				# A plan counts only if none of its runs lost a record: the
				# claim is a sustained rate with every record stored.
				if [ "$p_lossy" = 0 ]; then
					[ "$pname" = "${PLANS[0]%%|*}" ] && ONE_RPS[$key]=$p_rps   # next to nfcapd's one core
					if awk -v a="$p_rps" -v b="${BEST_RPS[$key]:-0}" 'BEGIN { exit !(a > b) }'; then
						BEST_RPS[$key]=$p_rps
						BEST_PPS[$key]=$p_pps
						BEST_PLAN[$key]=$pname
						BEST_WALL_RPS[$key]=$p_wall_rps
					fi
				fi
				p_rps=0 p_pps=0 p_wall_rps=0 p_lossy=0
			done
			rm -rf "$dest"
		done
	done
fi

# ------------------------------------------------------------------ memory
MEM_RSS_KB=""; MEM_HWM_KB=""; MEM_POOLS=""
if ! skipped memory; then
	log "run.sh: flowrx memory (1 lcore, v5 replay, telemetry /mempool/info)"
	prefix="flowrx-bench-mem-$$"
	dest=$TMPFS_DIR/mem
	rm -rf "$dest"
	repeat=$(( (RECORDS_TARGET * 4 + ${RECS_PASS[5]} - 1) / ${RECS_PASS[5]} ))
	"$FLOWRX" -l 0 --no-huge -m 1024 --no-pci --file-prefix "$prefix" --log-level lib.eal:warning -- \
		--pcap "${PCAP[5]}" --repeat "$repeat" --mbufs $((FRAMES + 8192)) -w "$dest" >"$WORK/mem.log" 2>&1 &
	mpid=$!
	BG_PID=$mpid
	sleep "$MEM_S"
	MEM_POOLS=$(python3 - "/var/run/dpdk/$prefix/dpdk_telemetry.v2" <<'EOF' 2>/dev/null || true
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
s.recv(1024)
s.send(b"/mempool/list")
names = json.loads(s.recv(65536))["/mempool/list"]
for n in names:
    s.send(("/mempool/info," + n).encode())
    i = json.loads(s.recv(65536))["/mempool/info"]
    per = i["elt_size"] + i["header_size"] + i["trailer_size"]
    print("%s: %d x %d B = %.1f MiB" % (n, i["size"], i["elt_size"], i["size"] * per / 1048576.0))
EOF
)
	MEM_RSS_KB=$(awk '/^VmRSS/ { print $2 }' "/proc/$mpid/status" 2>/dev/null || true)
	MEM_HWM_KB=$(awk '/^VmHWM/ { print $2 }' "/proc/$mpid/status" 2>/dev/null || true)
	kill -INT "$mpid" 2>/dev/null || true
	wait "$mpid" 2>/dev/null || true
	BG_PID=""
	rm -rf "$dest" "/var/run/dpdk/$prefix"
	log "run.sh:   RSS $(( ${MEM_RSS_KB:-0} / 1024 )) MiB (peak $(( ${MEM_HWM_KB:-0} / 1024 )) MiB); ${MEM_POOLS//$'\n'/; }"
fi

# ------------------------------------------------------------------ nfcapd
declare -A NF_PPS NF_BOUND NF_STEPS_LOG NF_SENDER_MAX
# One step: send repeat passes at pps (0: full speed) to a fresh nfcapd.
# Sets S_ACHIEVED (datagrams/s sent) S_STORED S_EXPECTED S_SOCKDROPS.
nfcapd_step() {
	local v=$1 pps=$2 repeat=$3 port dir plog sent_line e0 e1 q
	port=$(vport "$v")
	dir=$TMPFS_DIR/nfcapd
	rm -rf "$dir"
	mkdir -p "$dir"
	plog=$WORK/nfcapd-v$v.log
	e0=$(awk '/^Udp:/ { n++; if (n == 2) print $6 }' /proc/net/snmp)
	taskset -c "$COLLECTOR_CPU" "$NFCAPD" -w "$dir" -p "$port" -b 127.0.0.1 -B "$NFCAPD_BUF" -t 3600 >"$plog" 2>&1 &
	BG_PID=$!
	for _ in $(seq 50); do
		ss -Hlun "sport = :$port" 2>/dev/null | grep -q . && break
		sleep 0.1
	done
	sent_line=$("$UDPSEND" -c "$SENDER_CPU" -R "$pps" -r "$repeat" "${PCAP[$v]}" 127.0.0.1 "$port")
	S_ACHIEVED=$(awk '{ for (i = 1; i < NF; i++) if ($(i + 1) == "datagrams/s") print $i }' <<<"$sent_line")
	# let nfcapd empty its socket before it is stopped
	for _ in $(seq 100); do
		q=$(ss -Hlun "sport = :$port" 2>/dev/null | awk '{ print $2 }' | awk 'NR == 1')
		[ "${q:-0}" = 0 ] && break
		sleep 0.1
	done
	sleep 0.2
	kill -TERM "$BG_PID" 2>/dev/null || true
	wait "$BG_PID" 2>/dev/null || true
	BG_PID=""
	e1=$(awk '/^Udp:/ { n++; if (n == 2) print $6 }' /proc/net/snmp)
	S_STORED=$(sed -n "s/.*Flows: \([0-9]*\),.*/\1/p" "$plog" | tail -1)
	[ -n "$S_STORED" ] || S_STORED=$("$NFDUMP" -R "$dir" -I 2>/dev/null | sed -n 's/^Flows: //p' | awk 'NR == 1')
	: "${S_STORED:=0}" "${S_ACHIEVED:=0}"
	S_EXPECTED=$(( ${RECS_PASS[$v]} * repeat ))
	S_SOCKDROPS=$(( ${e1:-0} - ${e0:-0} ))
	rm -rf "$dir"
}

if ! skipped nfcapd; then
	log "run.sh: nfcapd's highest zero-loss rate (pinned to cpu $COLLECTOR_CPU, sender on cpu $SENDER_CPU, -B $NFCAPD_BUF)"
	if [ "$(id -u)" = 0 ]; then
		RMEM_SAVED=$(sysctl -n net.core.rmem_max)
		sysctl -qw net.core.rmem_max=$NFCAPD_BUF
	else
		log "run.sh:   not root: net.core.rmem_max stays $(sysctl -n net.core.rmem_max), nfcapd gets at most that"
	fi
	for v in $VERSIONS; do
		steps=""
		# step 1: full speed, about NF_STEP_S seconds at 300 k datagrams/s
		repeat=$(( (300000 * NF_STEP_S + FRAMES - 1) / FRAMES ))
		nfcapd_step "$v" 0 "$repeat"
		achieved=$S_ACHIEVED stored=$S_STORED expected=$S_EXPECTED rcvbuf=$S_SOCKDROPS
		NF_SENDER_MAX[$v]=$achieved
		steps="full speed: sent $(human "$achieved")/s, stored $stored of $expected"
		log "run.sh:   $(vname "$v") full speed $(human "$achieved") packets/s: stored $stored of $expected (socket drops $rcvbuf)"
		if [ "$stored" = "$expected" ]; then
			NF_PPS[$v]=$achieved
			NF_BOUND[$v]="sender-bound: nfcapd kept up with the sender's full speed"
		else
			good=0
			short=0
			bad=$(printf '%.0f' "$achieved")
			# next guess: the rate it did keep up with, a little under
			try=$(awk -v a="$achieved" -v s="$stored" -v e="$expected" 'BEGIN { printf "%d", a * s / e * 0.95 }')
			for _ in $(seq 1 "$NF_STEPS"); do
				[ "$try" -gt 1000 ] || break
				repeat=$(( (try * NF_STEP_S + FRAMES - 1) / FRAMES ))
				nfcapd_step "$v" "$try" "$repeat"
				achieved=$S_ACHIEVED stored=$S_STORED expected=$S_EXPECTED rcvbuf=$S_SOCKDROPS
				ok=0
				[ "$stored" = "$expected" ] && ok=1
				log "run.sh:   $(vname "$v") at $(human "$try") packets/s (sent $(human "$achieved")/s): stored $stored of $expected$([ $ok = 1 ] && echo ", zero loss" || echo ", socket drops $rcvbuf")"
				steps="$steps; $(human "$try")/s (sent $(human "$achieved")/s): $([ $ok = 1 ] && echo ok || echo "lost $((expected - stored))")"
				# the rate that really reached nfcapd: the target, or less if the sender fell short
				got=$(printf '%.0f' "$achieved")
				[ "$got" -lt "$try" ] || got=$try
				if [ $ok = 1 ]; then
					[ "$got" -gt "$good" ] && good=$got
					if [ $((got * 100)) -lt $((try * 97)) ]; then
						short=1   # cannot send faster: nothing more to learn above
						break
					fi
				else
					bad=$got
				fi
				try=$(( (good + bad) / 2 ))
				[ "$good" = 0 ] && try=$(( bad * 6 / 10 ))
			done
			if [ "$good" -gt 0 ]; then NF_PPS[$v]=$good; else NF_PPS[$v]="-"; fi
			NF_BOUND[$v]="searched: zero loss at $(human "$good")/s, loss at $(human "$bad")/s"
			[ "$short" = 0 ] || NF_BOUND[$v]="sender-bound: zero loss at $(human "$good")/s, the most the sender then reached; loss at $(human "$bad")/s"
		fi
		NF_STEPS_LOG[$v]=$steps
	done
fi

# -------------------------------------------------------------------- memif
# Pktgen-DPDK (a second DPDK process) sends the v5 capture over net_memif:
# first at full speed, then at fixed offered rates (pktgen's "set 0 rate",
# a percentage of the 100 Gb/s memif reports) below what full speed reached,
# to find the highest offered rate flowrx takes with zero loss. memif applies
# backpressure (a full ring slows the sender), so loss shows as drops in
# flowrx or as a received rate short of the offered one.
MEMIF_NOTE="skipped: set PKTGEN=/path/to/pktgen (Pktgen-DPDK 23.06.1, see bench/README.md) to run it"
MEMIF_STEPS=""
# One pktgen -> memif -> flowrx run at PCT % (100: full speed). Sets M_RX,
# M_WRITTEN, M_DROPS, M_PPS (median of the whole seconds of sending), M_PEAK, M_RC.
memif_step() {
	local pct=$1 secs=$2 sock=$WORK/memif.sock cmds=$WORK/memif.pkt dest=$TMPFS_DIR/memif mlog=$WORK/memif-flowrx.log
	local mrc=""
	# pktgen quits well after flowrx is stopped: a memif client whose
	# server goes away crashed in DPDK 22.11's memif receive path
	printf 'sleep 3\nset 0 rate %s\nstart 0\nsleep %s\nstop 0\nsleep 8\nquit\n' "$pct" "$secs" >"$cmds"
	# The sender is the memif server and must be up first; its sending
	# lcore is on cpu 1, its main (display) lcore and flowrx on cpu 0.
	# pktgen wants a terminal: script(1) gives it one.
	script -qfec "$PKTGEN --no-huge -m 2048 --no-pci --file-prefix flowrx-bench-pg-$$ -l 0,1 --main-lcore 0 \
		--vdev net_memif0,role=server,socket=$sock -- -P -m '[1].0' -s 0:${PCAP[5]} -f $cmds" \
		/dev/null >"$WORK/pktgen.log" 2>&1 </dev/null &
	BG_PID=$!
	sleep 2
	rm -rf "$dest"
	timeout -s INT $((secs + 6)) "$FLOWRX" -l 0 --no-huge -m 1024 --no-pci --no-shconf \
		--file-prefix "flowrx-bench-mf-$$" --log-level lib.eal:warning \
		--vdev "net_memif0,role=client,socket=$sock" -- -w "$dest" --stats-interval 1 \
		>"$mlog" 2>&1 || mrc=$?
	wait "$BG_PID" 2>/dev/null || true
	BG_PID=""
	M_RC=${mrc:-0}
	M_RX=$(summary "$mlog" rx_packets)
	M_WRITTEN=$(summary "$mlog" records_written)
	# per-second receive counts from the once-a-second lines; the whole
	# seconds of sending are those at least half the fastest one
	awk '/^flowrx: rx [0-9]+ pkts/ { if (n++) print $3 - prev; prev = $3 }' "$mlog" >"$WORK/memif-persec"
	M_PEAK=$(sort -n "$WORK/memif-persec" | tail -1)
	M_PEAK=${M_PEAK:-0}
	M_PPS=$(awk -v m="$M_PEAK" '$1 >= m / 2 && $1 > 0' "$WORK/memif-persec" | sort -n |
		awk '{ a[n++] = $1 } END { print n ? a[int(n / 2)] : 0 }')
	M_DROPS=$(grep -E '^(drop_[a-z0-9_]+|records_lost_[a-z_]+|port[0-9]+_(imissed|ierrors|rx_nombuf)): [1-9]' \
		"$mlog" | tr '\n' ' ' || true)
	rm -rf "$dest"
}

if ! skipped memif && [ -n "${PKTGEN:-}" ]; then
	if [ ! -x "$PKTGEN" ]; then
		MEMIF_NOTE="skipped: PKTGEN=$PKTGEN is not executable"
	else
		log "run.sh: Pktgen-DPDK -> net_memif -> flowrx (two processes on the same two cores)"
		msecs=$(( QUICK == 1 ? 4 : 8 ))
		# packets/s at 100 %: 100 Gb/s over the capture's average frame plus 20 bytes of preamble and gap
		pps100=$(calc "100e9 / (((${FRAME_BYTES[5]} / ${FRAMES_PASS[5]}) + 20) * 8)")
		memif_step 100 "$msecs"
		full_pps=$M_PPS full_ok=0
		exp_rec=$(( ${M_RX:-0} * ${RECS_PER_DGRAM[5]%.*} ))
		[ -z "$M_DROPS" ] && [ "${M_WRITTEN:-x}" = "$exp_rec" ] && [ "$M_RC" = 124 ] && full_ok=1
		MEMIF_STEPS="full speed: $(human "$full_pps") packets/s received (median second), written ${M_WRITTEN:-?} of $exp_rec records, drops: ${M_DROPS:-none}$([ $full_ok = 1 ] && echo ", zero loss")"
		[ "$M_RC" = 0 ] || [ "$M_RC" = 124 ] || MEMIF_STEPS+=", flowrx exited with status $M_RC"
		best=0
		fracs="0.5 0.8 0.95"
		[ "$QUICK" = 1 ] && fracs="0.8"
		for f in $fracs; do
			offered=$(calc "$full_pps * $f")
			pct=$(awk -v o="$offered" -v h="$pps100" 'BEGIN { printf "%.2f", o / h * 100 }')
			memif_step "$pct" "$msecs"
			exp_rec=$(( ${M_RX:-0} * ${RECS_PER_DGRAM[5]%.*} ))
			ok=0
			if [ -z "$M_DROPS" ] && [ "${M_WRITTEN:-x}" = "$exp_rec" ] && [ "$M_RC" = 124 ] &&
				awk -v r="$M_PPS" -v o="$offered" 'BEGIN { exit !(r >= o * 0.97) }'; then
				ok=1
				awk -v a="$offered" -v b="$best" 'BEGIN { exit !(a > b) }' && best=$offered
			fi
			MEMIF_STEPS+="; offered $(human "$offered")/s ($pct %): received $(human "$M_PPS")/s, written ${M_WRITTEN:-?} of $exp_rec, drops: ${M_DROPS:-none}$([ $ok = 1 ] && echo ", zero loss" || echo ", LOSS or short")"
		done
		MEMIF_NOTE="Pktgen-DPDK sent the v5 capture over net_memif for ${msecs} s a step (both processes on the same two cores):"
		if [ "$best" != 0 ]; then
			MEMIF_NOTE+=" highest offered rate with zero loss $(human "$best") packets/s = $(human "$(calc "$best * ${RECS_PER_DGRAM[5]}")") records/s"
		else
			MEMIF_NOTE+=" no fixed rate passed"
		fi
		MEMIF_NOTE+=" (the sender shares flowrx's CPUs: a lower bound). Steps: $MEMIF_STEPS"
	fi
fi

# -------------------------------------------------------------------- perf
PERF_SUMMARY=""
if [ "$PERF" = 1 ] && command -v perf >/dev/null; then
	log "run.sh: perf record -g of flowrx (1 lcore, tmpfs) on v5 and IPFIX"
	for v in 5 10; do
		repeat=$(( (RECORDS_TARGET + ${RECS_PASS[$v]} - 1) / ${RECS_PASS[$v]} ))
		dest=$TMPFS_DIR/perf
		rm -rf "$dest"
		perf record -q -g -o "$WORK/perf-v$v.data" "$FLOWRX" -l 0 --no-huge -m 1024 --no-pci --no-shconf \
			--file-prefix "flowrx-bench-pf-$$" --log-level lib.eal:warning -- \
			--pcap "${PCAP[$v]}" --repeat "$repeat" --mbufs $((FRAMES + 8192)) -w "$dest" >"$WORK/perf-v$v.log" 2>&1 || true
		rm -rf "$dest"
		PERF_SUMMARY+="#### $(vname "$v"): $(summary "$WORK/perf-v$v.log" records_per_s) records/s under perf"$'\n\n```\n'
		PERF_SUMMARY+=$(perf report -i "$WORK/perf-v$v.data" --no-children --sort dso --stdio 2>/dev/null |
			grep -E '^ +[0-9.]+%' | sed -n '1,6p' || true)
		PERF_SUMMARY+=$'\n'
		PERF_SUMMARY+=$(perf report -i "$WORK/perf-v$v.data" --children --sort symbol --stdio 2>/dev/null |
			grep -E '^ +[0-9.]+% +[0-9.]+% +\[[.k]\] (pwritev64|asm_exc_page_fault)' | sed 's/ *- *- *$//' || true)
		PERF_SUMMARY+=$'\n'
		PERF_SUMMARY+=$(perf report -i "$WORK/perf-v$v.data" --no-children --sort dso,symbol --stdio 2>/dev/null |
			grep -E '^ +[0-9.]+%' | sed -n '1,20p' | sed 's/ *- *- *$//' || true)
		PERF_SUMMARY+=$'\n```\n\n'
	done
fi

# ------------------------------------------------------------------- table
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
times >"$WORK/times"
OTHERS=$(awk -v b0="$BUSY_START" -v b1="$(cpu_busy_s)" -v own="$(own_cpu_s "$WORK/times")" -v w0="$WALL_START" -v w1="$(date +%s.%N)" \
	-v n="$(nproc)" 'BEGIN { o = b1 - b0 - own; if (o < 0) o = 0
		printf "%.0f CPU-s of the %.0f the run had (%.0f %%)", o, (w1 - w0) * n, 100 * o / ((w1 - w0) * n) }')
row() {
	local title=$1; shift
	printf '| %s |' "$title"
	for v in $VERSIONS; do printf ' %s |' "$("$@" "$v")"; done
	printf '\n'
}
c_rpd() { printf '%.1f' "${RECS_PER_DGRAM[$1]}"; }
c_onepass() { echo "${ONEPASS[$1]:--}"; }
c_tp() { human "${TP_PPS[$1]:-}"; }
c_fpps() { human "${BEST_PPS[$1,tmpfs]:-}"; }
c_frps() { human "${BEST_RPS[$1,tmpfs]:-}"; }
c_fceil() { ratio "${BEST_PPS[$1,tmpfs]:-}" "${TP_PPS[$1]:-}"; }
c_fplan() { echo "${BEST_PLAN[$1,tmpfs]:--}"; }
c_drps() { human "${BEST_RPS[$1,disk]:-}"; }
c_dwall() { human "${BEST_WALL_RPS[$1,disk]:-}"; }
c_dplan() { echo "${BEST_PLAN[$1,disk]:--}"; }
c_nfpps() { local p=${NF_PPS[$1]:-}; if [ -n "$p" ] && [ "$p" != - ]; then human "$p"; else echo -; fi; }
nf_fps() { local p=${NF_PPS[$1]:-}; if [ -n "$p" ] && [ "$p" != - ]; then calc "$p * ${RECS_PER_DGRAM[$1]}"; else echo -; fi; }
c_nffps() { human "$(nf_fps "$1")"; }
c_nfbound() { local b=${NF_BOUND[$1]:-}; case "$b" in sender-bound*) echo "≥ (sender-bound)" ;; "") echo - ;; *) echo searched ;; esac; }
c_fnf() {
	local r; r=$(ratio "${BEST_RPS[$1,tmpfs]:-}" "$(nf_fps "$1")")
	case "${NF_BOUND[$1]:-}" in sender-bound*) [ "$r" = - ] || r="≤ $r" ;; esac
	echo "$r"
}
c_one() { human "${ONE_RPS[$1,tmpfs]:-}"; }
c_onenf() {
	local r; r=$(ratio "${ONE_RPS[$1,tmpfs]:-}" "$(nf_fps "$1")")
	case "${NF_BOUND[$1]:-}" in sender-bound*) [ "$r" = - ] || r="≤ $r" ;; esac
	echo "$r"
}
c_decrps() { human "${DEC_RPS[$1]:-}"; }
c_decns() { [ -n "${DEC_NS[$1]:-}" ] && printf '%.1f' "${DEC_NS[$1]}" || echo -; }
c_deccache() { [ -n "${DEC_CACHE_NS[$1]:-}" ] && printf '%.1f' "${DEC_CACHE_NS[$1]}" || echo -; }
c_decdg() { [ -n "${DEC_DGRAM_NS[$1]:-}" ] && printf '%.0f' "${DEC_DGRAM_NS[$1]}" || echo -; }
c_decap() { [ -n "${DECAP_NS[$1]:-}" ] && printf '%.1f' "${DECAP_NS[$1]}" || echo -; }
c_decvs() { ratio "${DEC_RPS[$1]:-}" "$(nf_fps "$1")"; }
c_packrps() { human "${PACK_RPS[$1]:-}"; }
c_packns() { [ -n "${PACK_NS[$1]:-}" ] && printf '%.1f' "${PACK_NS[$1]}" || echo -; }
c_packb() { [ -n "${PACK_BYTES[$1]:-}" ] && printf '%.1f' "${PACK_BYTES[$1]}" || echo -; }
c_wceil() { [ -n "${PACK_BYTES[$1]:-}" ] && [ -n "$TMPFS_BPS" ] && human "$(calc "$TMPFS_BPS / ${PACK_BYTES[$1]}")" || echo -; }
c_wceilvs() { [ -n "${PACK_BYTES[$1]:-}" ] && [ -n "$TMPFS_BPS" ] && ratio "$(calc "$TMPFS_BPS / ${PACK_BYTES[$1]}")" "$(nf_fps "$1")" || echo -; }

TABLE=$(
	printf '| | v5 | v9 | IPFIX |\n|---|---:|---:|---:|\n'
	row "records per datagram" c_rpd
	row "one pass through flowrx: all stored, 0 lost" c_onepass
	row "**RX ceiling**: testpmd rxonly, packets/s" c_tp
	row "**flowrx** → tmpfs, packets/s" c_fpps
	row "**flowrx** → tmpfs, records/s" c_frps
	row "flowrx ÷ RX ceiling (packets/s)" c_fceil
	row "fastest plan (tmpfs)" c_fplan
	row "flowrx on 1 lcore → tmpfs, records/s" c_one
	row "flowrx → disk, records/s" c_drps
	row "flowrx → disk incl. start and final fdatasync, records/s" c_dwall
	row "fastest plan (disk)" c_dplan
	row "**nfcapd** zero-loss, packets/s" c_nfpps
	row "**nfcapd** zero-loss, flows/s" c_nffps
	row "nfcapd result" c_nfbound
	row "**flowrx ÷ nfcapd** (flows/s, tmpfs)" c_fnf
	row "flowrx on 1 lcore ÷ nfcapd on 1 core" c_onenf
	row "lib decode, records/s per core (worker's 256-record window)" c_decrps
	row "lib decode, ns/record (that window, in cache)" c_deccache
	row "lib decode, ns/record (160 MiB array, fresh memory)" c_decns
	row "lib decode, ns/datagram (window)" c_decdg
	row "lib decode + pack into file blocks, records/s per core" c_packrps
	row "lib decode + pack, ns/record" c_packns
	row "packed bytes per record on disk" c_packb
	row "tmpfs write ceiling at that size (dd), records/s" c_wceil
	row "tmpfs write ceiling ÷ nfcapd" c_wceilvs
	row "decap (frx_pkt_decap), ns/frame" c_decap
	row "lib decode ÷ nfcapd (flows/s per core)" c_decvs
)

{
	echo "# flowrx benchmark, $DATE on $HOST$([ "$QUICK" = 1 ] && echo ' (--quick)')"
	echo
	echo "Written by \`bench/run.sh$([ "$QUICK" = 1 ] && echo ' --quick')\`; how to read it: bench/README.md."
	echo
	echo "## Machine"
	echo
	echo "| | |"
	echo "|---|---|"
	echo "| CPUs (nproc) | $(nproc) |"
	echo "| CPU | $CPU_MODEL |"
	echo "| memory | $MEM_TOTAL |"
	echo "| kernel | $(uname -r) |"
	echo "| DPDK | $DPDK_VERSION |"
	echo "| nfdump | $NFDUMP_VERSION |"
	echo "| flowrx | \`$COMMIT\`$([ "$DIRTY" = 0 ] || echo ' (uncommitted changes in lib/ or app/)'), $BUILDTYPE build |"
	echo "| load average | $LOAD_START at start, $LOAD_END at end |"
	echo "| CPU used by other processes during the run | $OTHERS |"
	echo "| virtualised | $VIRT |"
	echo "| tmpfs write speed, one core (dd, 64 KiB writes, best of 3) | $(awk -v b="${TMPFS_BPS:-0}" 'BEGIN { printf "%.2f GB/s", b / 1e9 }') |"
	echo "| v9/IPFIX decoding by AVX-512 VBMI permutation | $(case "$DEC_SIMD" in 1) echo yes ;; 0) echo "no (the CPU lacks it: portable stores)" ;; *) echo - ;; esac) |"
	echo
	echo "## Inputs"
	echo
	echo "\`flowrx-gen -n $FRAMES\`, 16 exporters x 2 engines, templates every 64 datagrams of an engine:"
	for v in $VERSIONS; do
		echo "- $(vname "$v"): ${FRAMES_PASS[$v]} frames, ${RECS_PASS[$v]} records a pass, ${FRAME_BYTES[$v]} frame bytes"
	done
	echo
	echo "## Results"
	echo
	echo "$TABLE"
	echo
	echo "flowrx runs store about $(human "$RECORDS_TARGET") records each (\`--repeat\`), best of $REPS run(s) a plan;"
	echo "a run is valid only if records_written = records a pass x repeat and every drop counter is 0,"
	echo "and a plan counts only if all its runs are valid (the first invalid run ends it)."
	[ -z "$HUGE_NOTE" ] || echo "Hugepages: $HUGE_NOTE."
	echo "nfcapd: Debian's nfcapd, \`-B $NFCAPD_BUF\`, on cpu $COLLECTOR_CPU, fed by \`flowrx-udpsend -c $SENDER_CPU\` over loopback, writing to tmpfs;"
	echo "zero loss = nfcapd's \"Flows:\" count equals the records sent."
	echo
	echo "### nfcapd search"
	echo
	for v in $VERSIONS; do
		echo "- $(vname "$v"): ${NF_BOUND[$v]:-not run}; ${NF_STEPS_LOG[$v]:-}"
	done
	echo
	echo "### Memory (flowrx, 1 lcore, v5 replay)"
	echo
	echo "- RSS $(( ${MEM_RSS_KB:-0} / 1024 )) MiB, peak $(( ${MEM_HWM_KB:-0} / 1024 )) MiB (\`--no-huge -m 1024\`, \`--mbufs $((FRAMES + 8192))\`: net_pcap's infinite_rx keeps the capture in mbufs)"
	while IFS= read -r l; do [ -n "$l" ] && echo "- mempool $l"; done <<<"$MEM_POOLS"
	echo
	echo "### Pktgen-DPDK over memif"
	echo
	echo "$MEMIF_NOTE"
	echo
	echo "### Every flowrx run"
	echo
	echo "| version | dest | plan | # | valid | elapsed s | packets/s | records/s | wall s | problem |"
	echo "|---|---|---|---:|---|---:|---:|---:|---:|---|"
	tail -n +2 "$RUNS_CSV" | while IFS=$'\t' read -r ver dk pl rep valid el pps rps wall wr ex prob; do
		echo "| $ver | $dk | $pl | $rep | $([ "$valid" = 1 ] && echo yes || echo NO) | $el | $(human "$pps") | $(human "$rps") | $wall | ${prob:-} |"
	done
	if [ -n "$PERF_SUMMARY" ]; then
		echo
		echo "### perf (flowrx, 1 lcore, tmpfs)"
		echo
		printf '%s' "$PERF_SUMMARY"
	fi
} >"$OUT"

echo
echo "$TABLE"
echo
echo "other processes used $OTHERS; written to $OUT"
