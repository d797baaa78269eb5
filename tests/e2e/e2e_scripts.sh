#!/usr/bin/env bash
# Deployment scripts without a NIC: scripts/bind-nic.sh on a fake sysfs tree
# and a fake `ip` (dry run shows the commands and the undo; the default-route
# port, a bifurcated mlx5 port and virtual interfaces are refused; a real run
# calls dpdk-devbind.py), then on this machine's own lo and default-route
# interface; scripts/setup-hugepages.sh dry runs per NUMA node, from --size
# and from config files.
. "$(dirname "$0")/lib.sh"
SRC="$(cd "$HERE/../.." && pwd)"
BIND="$SRC/scripts/bind-nic.sh"
HUGE="$SRC/scripts/setup-hugepages.sh"

# A machine with: eth0 (ixgbe, 0000:01:00.0, default route), eth1 (ixgbe,
# 0000:01:00.1, the collector port), ens5 (virtio-net behind 0000:00:05.0,
# default IPv6 route), ens1f0 (mlx5_core, 0000:3b:00.0), and NUMA nodes 0, 1.
S="$WORK/sys"
mkdir -p "$S/bus/pci/drivers/ixgbe" "$S/bus/pci/drivers/virtio-pci" "$S/bus/pci/drivers/mlx5_core" \
	"$S/class/net" "$S/kernel/iommu_groups/7" "$S/module" "$S/devices/system/node/node0" "$S/devices/system/node/node1"
pcidev() { # ADDR DRIVER IFACE [SUBDIR]
	local d="$S/devices/pci0000:00/$1"
	mkdir -p "$d${4:+/$4}/net/$3" "$S/bus/pci/devices"
	ln -s "../../../devices/pci0000:00/$1" "$S/bus/pci/devices/$1"
	ln -s "../../../bus/pci/drivers/$2" "$d/driver"
	ln -s "../../devices/pci0000:00/$1${4:+/$4}/net/$3" "$S/class/net/$3"
	ln -s ../.. "$d${4:+/$4}/net/$3/device"
}
pcidev 0000:01:00.0 ixgbe eth0
pcidev 0000:01:00.1 ixgbe eth1
pcidev 0000:00:05.0 virtio-pci ens5 virtio3
pcidev 0000:3b:00.0 mlx5_core ens1f0
mkdir -p "$S/devices/virtual/net/lo" && ln -s ../../devices/virtual/net/lo "$S/class/net/lo"
cat > "$WORK/ip" <<'IP'
#!/bin/sh
# fake ip: routes and addresses of the fake machine; records what is changed
case "$*" in
"-o -4 route show default") echo "default via 192.0.2.1 dev eth0 proto dhcp src 192.0.2.10 metric 100" ;;
"-o -6 route show default") echo "default via fe80::1 dev ens5 proto ra metric 1024 pref medium" ;;
"-o addr show dev eth1") echo "3: eth1    inet 198.51.100.7/24 brd 198.51.100.255 scope global eth1" ;;
"-o addr show dev "*) ;;
*) echo "ip $*" >> "$FRX_LOG" ;;
esac
IP
cat > "$WORK/devbind" <<'DB'
#!/bin/sh
echo "dpdk-devbind.py $*" >> "$FRX_LOG"
DB
chmod +x "$WORK/ip" "$WORK/devbind"
export FRX_SYSFS="$S" FRX_IP="$WORK/ip" FRX_DEVBIND="$WORK/devbind" FRX_LOG="$WORK/changes.log"
touch "$FRX_LOG"

# expect_refused NAME MESSAGE ARGS...
expect_refused() {
	local name="$1" msg="$2"; shift 2
	if "$BIND" "$@" > "$WORK/$name.out" 2>&1; then
		cat "$WORK/$name.out" >&2; fail "bind-nic $*: not refused"
	fi
	grep -qF -- "$msg" "$WORK/$name.out" || { cat "$WORK/$name.out" >&2; fail "bind-nic $*: expected '$msg'"; }
}

# Dry run of the collector port: commands and undo shown, nothing changed.
"$BIND" --dry-run eth1 > "$WORK/dry.out" 2>&1 || { cat "$WORK/dry.out" >&2; fail "dry run of eth1 failed"; }
grep -qx "would run: $WORK/ip link set dev eth1 down" "$WORK/dry.out" || { cat "$WORK/dry.out"; fail "dry run: no link down"; }
grep -qx "would run: $WORK/devbind -b vfio-pci 0000:01:00.1" "$WORK/dry.out" || fail "dry run: no devbind"
grep -qx "would run: modprobe vfio-pci" "$WORK/dry.out" || fail "dry run: no modprobe"
grep -qF -- "--restore 0000:01:00.1 ixgbe" "$WORK/dry.out" || fail "dry run: no undo command"
grep -qF "eth1 has IP addresses" "$WORK/dry.out" || fail "dry run: addresses on eth1 not mentioned"
[ ! -s "$FRX_LOG" ] || { cat "$FRX_LOG"; fail "dry run changed something"; }
"$BIND" --dry-run 01:00.1 > "$WORK/short.out" 2>&1 || { cat "$WORK/short.out" >&2; fail "short PCI address not accepted"; }
grep -qF "0000:01:00.1" "$WORK/short.out" || fail "short PCI address not expanded"
echo "ok: dry run"

# Refusals: default routes (by name and by PCI address, IPv4 and IPv6 via a
# virtio parent), bifurcated mlx5, virtual and unknown interfaces.
expect_refused v4-default "eth0 (0000:01:00.0) carries the default route" --dry-run eth0
expect_refused v4-default-pci "eth0 (0000:01:00.0) carries the default route" 0000:01:00.0
expect_refused v6-default "ens5 (0000:00:05.0) carries the default route" --dry-run ens5
expect_refused v6-default-pci "ens5 (0000:00:05.0) carries the default route" 0000:00:05.0
expect_refused mlx5 "bifurcated NIC" --dry-run ens1f0
expect_refused virtual "lo: not a PCI device" --dry-run lo
expect_refused unknown "eth9: no such network interface" --dry-run eth9
expect_refused no-pci "0000:99:00.0: no such PCI device" --dry-run 0000:99:00.0
expect_refused bad-driver "--driver e1000" --driver e1000 eth1
[ ! -s "$FRX_LOG" ] || { cat "$FRX_LOG"; fail "a refusal changed something"; }
echo "ok: refusals"

# A real run on the fake machine: the interface goes down, then devbind.
mkdir -p "$S/module/vfio_pci"
"$BIND" eth1 > "$WORK/real.out" 2>&1 || { cat "$WORK/real.out" >&2; fail "bind of eth1 failed"; }
printf 'ip link set dev eth1 down\ndpdk-devbind.py -b vfio-pci 0000:01:00.1\n' | cmp -s - "$FRX_LOG" ||
	{ cat "$FRX_LOG"; fail "real run did not do what the dry run showed"; }
echo "ok: real run"

# This machine: lo is never a PCI device; the default-route port is refused.
unset FRX_SYSFS FRX_IP FRX_DEVBIND
expect_refused host-lo "lo: not a PCI device" --dry-run lo
defdev=$(ip -o -4 route show default 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n 1)
if [ -n "$defdev" ] && [ -e "/sys/class/net/$defdev/device" ]; then
	expect_refused host-default "carries the default route" --dry-run "$defdev"
	echo "ok: this machine's $defdev (default route) refused"
fi

# setup-hugepages.sh: per node, from --size and from config files.
export FRX_SYSFS="$S"
"$HUGE" --dry-run --size 1G > "$WORK/huge1.out" || fail "setup-hugepages --size failed"
grep -qx "would run: dpdk-hugepages.py --pagesize 2M --node 0 --reserve 1114112K" "$WORK/huge1.out" &&
	grep -qx "would run: dpdk-hugepages.py --pagesize 2M --node 1 --reserve 1114112K" "$WORK/huge1.out" ||
	{ cat "$WORK/huge1.out"; fail "setup-hugepages: not every node"; }
"$HUGE" --dry-run --flowrx "$FLOWRX" --from-config "$SRC/drivers-cfg/ice.conf" > "$WORK/huge2.out" ||
	fail "setup-hugepages --from-config ice.conf failed"
grep -q "node 1: 2048 MB" "$WORK/huge2.out" && ! grep -q "node 0" "$WORK/huge2.out" ||
	{ cat "$WORK/huge2.out"; fail "ice.conf socket_mem = 0,2048 must reserve on node 1 only"; }
"$HUGE" --dry-run --flowrx "$FLOWRX" --from-config "$SRC/drivers-cfg/af_packet.conf" > "$WORK/huge4.out" ||
	fail "setup-hugepages --from-config af_packet.conf failed"
grep -q "nothing to reserve" "$WORK/huge4.out" || fail "af_packet.conf (no_huge) must reserve nothing"
"$HUGE" --dry-run --flowrx "$FLOWRX" --from-config "$SRC/dist/flowrx.conf" > "$WORK/huge6.out" ||
	fail "setup-hugepages must not fail the service's start on the example config (no sizes in it)"
grep -q "leaving the hugepages as they are" "$WORK/huge6.out" || fail "example config: $(cat "$WORK/huge6.out")"
"$HUGE" --dry-run --pagesize 1G --node 1 --size 3G > "$WORK/huge5.out" || fail "1G pages on node 1 failed"
grep -qx "would run: dpdk-hugepages.py --pagesize 1G --node 1 --reserve 4194304K" "$WORK/huge5.out" ||
	{ cat "$WORK/huge5.out"; fail "1G pages on node 1"; }
"$HUGE" --dry-run --node 5 --size 1G 2> "$WORK/huge3.err" && fail "node 5 accepted"
grep -qF "NUMA node 5 does not exist" "$WORK/huge3.err" || fail "missing node not named"
"$HUGE" --dry-run --size 1X 2> /dev/null && fail "bad size accepted"
echo "ok: setup-hugepages"
