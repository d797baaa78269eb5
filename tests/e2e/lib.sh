# Shared helpers for the end-to-end tests (sourced).
# Usage in a test: . "$(dirname "$0")/lib.sh" FLOWRX FLOWRX_READ TESTGEN
set -euo pipefail
FLOWRX="$1"
FLOWRX_READ="$2"
TESTGEN="$3"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d /tmp/flowrx-e2e.XXXXXX)"
# EAL runtime directories of this test's DPDK processes go too, and so do the
# processes a failed test left running in the background (an endless replay
# would otherwise busy-poll a CPU for ever).
trap 'pkill -9 -P $$ 2> /dev/null || true; rm -rf "$WORK" /var/run/dpdk/frxe2e-$$-*' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# EAL arguments for a private, hugepage-free DPDK instance.
eal() {
	echo "--no-huge -m 1024 --no-pci --no-shconf --file-prefix frxe2e-$$-$RANDOM --log-level lib.eal:warning"
}

# counter NAME FILE: value of "NAME: value" in a flowrx summary
counter() {
	local v
	v=$(sed -n "s/^$1: //p" "$2" | head -n 1)
	[ -n "$v" ] || fail "counter $1 missing from $2"
	echo "$v"
}

# expect_counters EXPECTED GOT: every "name: value" line of EXPECTED holds in GOT
expect_counters() {
	local name value got bad=0
	while IFS=': ' read -r name value; do
		[ -n "$name" ] || continue
		got=$(counter "$name" "$2")
		if [ "$got" != "$value" ]; then
			echo "counter $name: expected $value, got $got" >&2
			bad=1
		fi
	done < "$1"
	[ $bad -eq 0 ] || fail "counters differ (summary in $2)"
}
