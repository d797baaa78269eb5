#!/usr/bin/env bash
# Run one libFuzzer harness:  scripts/fuzz.sh NAME SECONDS   (NAME: pkt, decode, ffile, filter, tmplstate, rules, config)
# Builds build-fuzz/ with clang, ASan and UBSan; starts from the committed seed
# corpus tests/fuzz/corpus/NAME and keeps what it learns in build-fuzz/corpus/NAME.
# A crash leaves its input in build-fuzz/crash-NAME-*: add it to the seed corpus
# with a regression test once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: scripts/fuzz.sh NAME SECONDS}"
secs="${2:-60}"
dir=build-fuzz
if [ ! -f "$dir/build.ninja" ]; then
	CC=clang meson setup "$dir" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debugoptimized >/dev/null
fi
ninja -C "$dir" "tests/fuzz/fuzz_$name" >/dev/null
mkdir -p "$dir/corpus/$name"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
"$dir/tests/fuzz/fuzz_$name" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$dir/crash-$name-" \
	"$dir/corpus/$name" "tests/fuzz/corpus/$name" 2>&1 | tail -n 12
