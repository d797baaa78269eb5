#!/usr/bin/env bash
# Give a NIC port to DPDK (vfio-pci) for flowrx, or show what that would do.
#
#   scripts/bind-nic.sh [--dry-run] [--driver vfio-pci|uio_pci_generic] IFACE|PCI-ADDRESS
#   scripts/bind-nic.sh --restore PCI-ADDRESS KERNEL-DRIVER
#
# It refuses to take the interface carrying the default route (IPv4 or IPv6):
# unbinding it would cut this machine off, often the SSH session running the
# script. It refuses bifurcated NICs (mlx5: they stay with the kernel, nothing
# to bind) and says what is missing (IOMMU, vfio-pci). The dry run prints every
# command and the one that undoes it.
# Environment (tests): FRX_SYSFS (default /sys), FRX_IP (default ip),
# FRX_DEVBIND (default dpdk-devbind.py).
set -euo pipefail

sysfs="${FRX_SYSFS:-/sys}"
ip_cmd="${FRX_IP:-ip}"
devbind="${FRX_DEVBIND:-dpdk-devbind.py}"
dry=0
driver=vfio-pci

die() { echo "bind-nic: $*" >&2; exit 1; }

run() {
	if [ $dry -eq 1 ]; then
		echo "would run: $*"
	else
		echo "running: $*"
		"$@"
	fi
}

if [ "${1:-}" = --restore ]; then
	[ $# -eq 3 ] || die "--restore PCI-ADDRESS KERNEL-DRIVER"
	exec "$devbind" -b "$3" "$2"
fi
while [ $# -gt 0 ]; do
	case "$1" in
	--dry-run|-n) dry=1 ;;
	--driver) driver="${2:?--driver needs a name}"; shift ;;
	-h|--help) sed -n '2,13p' "$0"; exit 0 ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 1 ] || die "one interface name or PCI address (see --help)"
target="$1"
case "$driver" in
vfio-pci|uio_pci_generic|igb_uio) ;;
*) die "--driver $driver: use vfio-pci (or uio_pci_generic)" ;;
esac

# The PCI address and kernel interface(s) of the target.
if [[ "$target" =~ ^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$ ]]; then
	pci="$target"
	[[ "$pci" =~ ^[0-9a-fA-F]{4}: ]] || pci="0000:$pci"
	[ -d "$sysfs/bus/pci/devices/$pci" ] || die "$pci: no such PCI device ($sysfs/bus/pci/devices/$pci)"
else
	[ -e "$sysfs/class/net/$target" ] || die "$target: no such network interface"
	[ -e "$sysfs/class/net/$target/device" ] ||
		die "$target: not a PCI device (virtual interface?): use an AF_PACKET or AF_XDP config (drivers-cfg/)"
	# the PCI function itself, or its parent (virtio-net: PCI -> virtioN -> net)
	path=$(readlink -f "$sysfs/class/net/$target/device")
	while [ -n "$path" ] && [ "$path" != / ] &&
		! [[ "$(basename "$path")" =~ ^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$ ]]; do
		path=$(dirname "$path")
	done
	[ -n "$path" ] && [ "$path" != / ] || die "$target: no PCI device above $(readlink -f "$sysfs/class/net/$target/device")"
	pci=$(basename "$path")
fi
dev="$sysfs/bus/pci/devices/$pci"
# its kernel interfaces: DEV/net/* (most NICs) or DEV/*/net/* (virtio)
ifaces=()
for n in "$dev"/net/* "$dev"/*/net/*; do
	[ -e "$n" ] && ifaces+=("$(basename "$n")")
done
if [ ${#ifaces[@]} -eq 0 ] && [ -e "$sysfs/class/net/$target" ]; then
	ifaces+=("$target")
fi
kdriver=""
[ -e "$dev/driver" ] && kdriver=$(basename "$(readlink -f "$dev/driver")")

# Never the default route's interface.
routes=$( { "$ip_cmd" -o -4 route show default 2>/dev/null || true; "$ip_cmd" -o -6 route show default 2>/dev/null || true; } )
for i in "${ifaces[@]}"; do
	if grep -qE "(^| )dev $i( |$)" <<<"$routes"; then
		die "refusing: $i ($pci) carries the default route; binding it to $driver would cut this machine off. Use a dedicated collector port."
	fi
done

if [ "$kdriver" = "$driver" ]; then
	echo "bind-nic: $pci is already bound to $driver"
	exit 0
fi
case "$kdriver" in
mlx4_core|mlx5_core)
	die "$pci (${ifaces[*]:-no interface}) uses $kdriver: a bifurcated NIC, DPDK drives it next to the kernel. Do not unbind it; give it to flowrx with [eal] allow = $pci (drivers-cfg/mlx5.conf)" ;;
esac

echo "bind-nic: $pci: kernel driver ${kdriver:-none}, interface(s) ${ifaces[*]:-none}, to $driver"
for i in "${ifaces[@]}"; do
	if "$ip_cmd" -o addr show dev "$i" 2>/dev/null | grep -q ' inet'; then
		echo "bind-nic: note: $i has IP addresses; they go away with the interface"
	fi
done
if [ "$driver" = vfio-pci ]; then
	if [ -z "$(ls -A "$sysfs/kernel/iommu_groups" 2>/dev/null)" ]; then
		echo "bind-nic: warning: no IOMMU groups: vfio-pci needs the IOMMU on (intel_iommu=on iommu=pt," >&2
		echo "          or amd_iommu=on), or in a VM without one: modprobe vfio enable_unsafe_noiommu_mode=1" >&2
	fi
	[ -d "$sysfs/module/vfio_pci" ] || run modprobe vfio-pci
else
	[ -d "$sysfs/module/$driver" ] || run modprobe "$driver"
fi
for i in "${ifaces[@]}"; do
	run "$ip_cmd" link set dev "$i" down
done
run "$devbind" -b "$driver" "$pci"
echo "bind-nic: to undo: $0 --restore $pci ${kdriver:-<kernel driver>}"
