#!/usr/bin/env bash
# Install the Debian packages flowrx needs that are not installed yet.
#   scripts/deps.sh build   - to build and run flowrx
#   scripts/deps.sh test    - also what the tests use (criterion, clang for fuzzing, peers)
# docs/dependencies.md says why each package is here.
set -euo pipefail

want=(gcc meson ninja-build pkg-config dpdk libdpdk-dev libnuma-dev libpcap-dev libisal-dev python3 libinih-dev libhyperscan-dev libcurl4-openssl-dev)
if [ "${1:-build}" = test ]; then
	want+=(libcriterion-dev clang libclang-rt-14-dev tshark tcpdump softflowd nfdump valgrind clickhouse-server clickhouse-client)
fi

missing=()
for p in "${want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "flowrx: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "flowrx: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
	sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
