#!/usr/bin/env bash
# Disk trouble: the output directory fills up, and (a second run) its file
# system turns read-only after an error, while flowrx writes under full load. flowrx must say so loudly (stderr and
# syslog), keep running and counting, resume by itself when the disk is
# usable again, and never damage what it already wrote:
#   every file reads back with no torn or skipped block,
#   records read back = records_written,
#   records_decoded = records_written + records_lost_write_error (+ no-block drops).
# Read-only: ext4 on a loop device with errors=remount-ro, and an error
# injected through /sys/fs/ext4/DEV/trigger_fs_error; Linux cannot make such
# a file system writable again, so that run checks flowrx keeps going and
# loses nothing already written, not the recovery (the full disk checks that).
# Needs root to mount; skipped (exit 77) otherwise.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root to mount a small tmpfs"
	exit 77
fi
disk="$WORK/disk"
mkdir "$disk"
mount -t tmpfs -o size=4m tmpfs "$disk" || { echo "SKIP: cannot mount tmpfs"; exit 77; }
ext="$WORK/ext"
mkdir "$ext"
pid=""
trap 'kill -9 $pid 2> /dev/null || true; umount -l "$disk" "$ext" 2> /dev/null || true; rm -rf "$WORK" /var/run/dpdk/frxe2e-$$-*' EXIT

"$TESTGEN" bulk "$WORK/bulk.pcap" 200 > /dev/null

# start_flowrx DIR: collect into DIR under full load (infinite replay)
start_flowrx() {
	flows="$1"
	: > "$WORK/stderr.txt"
	# shellcheck disable=SC2046
	"$FLOWRX" -l 0 $(eal) --vdev "net_pcap0,rx_pcap=$WORK/bulk.pcap,infinite_rx=1" -- \
		-w "$flows" --rotate 1 --flush-ms 50 \
		> "$WORK/summary.txt" 2> "$WORK/stderr.txt" &
	pid=$!
}

# wait_for PATTERN: until flowrx's stderr shows PATTERN (10 s)
wait_for() {
	for _ in $(seq 200); do
		grep -q "$1" "$WORK/stderr.txt" && return 0
		kill -0 $pid 2> /dev/null || { cat "$WORK/stderr.txt"; fail "flowrx died"; }
		sleep 0.05
	done
	cat "$WORK/stderr.txt"
	fail "flowrx never said: $1"
}

# wait_growth: the flow directory grows by 1 MB within 5 s
size() { du -sb "$flows" 2> /dev/null | cut -f1 || echo 0; }
wait_growth() {
	local before
	before=$(size)
	for _ in $(seq 100); do
		[ "$(size)" -gt $((${before:-0} + 1000000)) ] && return 0
		sleep 0.05
	done
	fail "$1"
}

# stop_and_check: SIGTERM, then the counter proof and the files read back whole
stop_and_check() {
	kill -TERM $pid
	wait $pid || fail "flowrx exited $? after SIGTERM"
	decoded=$(counter records_decoded "$WORK/summary.txt")
	written=$(counter records_written "$WORK/summary.txt")
	lost_write=$(counter records_lost_write_error "$WORK/summary.txt")
	lost_block=$(counter records_lost_no_block "$WORK/summary.txt")
	[ "$lost_write" -gt 0 ] || fail "no record counted as lost to write errors"
	[ "$decoded" -eq $((written + lost_write + lost_block)) ] ||
		fail "decoded $decoded != written $written + lost to write errors $lost_write + no block $lost_block"
	"$FLOWRX_READ" -R "$flows" -o csv > "$WORK/all.csv" 2> "$WORK/read.txt" ||
		{ cat "$WORK/read.txt"; fail "reader failed"; }
	n=$(($(wc -l < "$WORK/all.csv") - 1))
	[ "$n" -eq "$written" ] || { cat "$WORK/read.txt"; fail "reader found $n records, flowrx wrote $written"; }
	if [ "$1" = "Read-only file system" ]; then
		# A write the file system refused half way cannot be cut off
		# either (ftruncate fails too): its file may end in a torn block,
		# whose records are counted lost. Nothing before it may suffer.
		torn=$(sed -n 's/^Summary: .* files, \([0-9]*\) torn\/skipped blocks/\1/p' "$WORK/read.txt")
		files=$(ls "$flows"/*.frx | wc -l)
		[ "${torn:-x}" -le "$files" ] || { cat "$WORK/read.txt"; fail "files damaged: $torn torn or skipped blocks"; }
		[ "$(grep -c "torn block at end of" "$WORK/read.txt")" -eq "$torn" ] ||
			{ cat "$WORK/read.txt"; fail "a block was damaged before the end of a file"; }
	else
		grep -q "^Summary: $n records, [0-9]* blocks, [0-9]* files, 0 torn/skipped blocks" "$WORK/read.txt" ||
			{ cat "$WORK/read.txt"; fail "files damaged: torn or skipped blocks"; }
	fi
	grep -q "flowrx: .* failed: $1; records are being dropped" "$WORK/stderr.txt" ||
		fail "no message naming the error ($1)"
	echo "ok: $1: $written records written and read back whole, $lost_write lost to write errors and counted"
}

# 1. disk full (4 MiB fill in well under a second), then space again
start_flowrx "$disk/flows"
wait_for "No space left on device"
sleep 1.2 # across a rotation: the new file cannot be written either
kill -0 $pid || fail "flowrx exited on a full disk"
mount -o remount,size=64m "$disk"
wait_growth "writing did not resume after space was freed"
grep -q "flowrx: writing .* works again; [0-9]* records were lost meanwhile" "$WORK/stderr.txt" ||
	fail "no message that writing resumed"
stop_and_check "No space left on device"

# 2. the file system turns read-only under flowrx
truncate -s 64M "$WORK/ext.img"
mkfs.ext4 -q -F "$WORK/ext.img"
if ! mount -o loop,errors=remount-ro "$WORK/ext.img" "$ext" 2> /dev/null; then
	echo "read-only part skipped: no loop device"
	exit 0
fi
dev=$(basename "$(findmnt -n -o SOURCE "$ext")")
start_flowrx "$ext/flows"
wait_growth "flowrx did not write to the ext4 file system"
echo 1 > "/sys/fs/ext4/$dev/trigger_fs_error"
wait_for "Read-only file system"
sleep 1.2
kill -0 $pid || fail "flowrx exited on a read-only file system"
stop_and_check "Read-only file system"
