#!/usr/bin/env bash
# Configure (once) and build flowrx into build/ (or $FRX_BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${FRX_BUILD_DIR:-build}"
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" "$@" >/dev/null
fi
ninja -C "$dir" >/dev/null || ninja -C "$dir"
