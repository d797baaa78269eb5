#!/usr/bin/env bash
# Install what is missing, build, run every test: criterion unit tests,
# end-to-end tests of the real binaries, the same under ASan+UBSan, and a
# short run of each fuzzer.
#   FRX_SANITIZE=0       skip the sanitizer pass
# Ends with one line "tests: N passed, M failed"; exits non-zero on any failure.
#   FRX_FUZZ_SECONDS=N   seconds per fuzz harness (default 20; 0 skips fuzzing)
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test || exit 1
export FRX_BUILD_DIR="${FRX_BUILD_DIR:-build}"
scripts/build.sh || exit 1

meson test -C "$FRX_BUILD_DIR" --print-errorlogs --num-processes 1
meson_rc=$?

# The unit tests and every e2e test again under ASan and UBSan.
san_pass=0
san_fail=0
if [ "${FRX_SANITIZE:-1}" = 1 ]; then
	echo "sanitizers: building build-asan (ASan + UBSan)"
	if [ ! -f build-asan/build.ninja ]; then
		meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null || exit 1
	fi
	ninja -C build-asan >/dev/null || ninja -C build-asan || exit 1
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	# DPDK keeps its memory until exit by design: leaks are checked on lib/ only (unit tests)
	for t in build-asan/tests/test_*; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		if ASAN_OPTIONS=detect_leaks=1 "$t" --jobs 1 > "build-asan/$(basename "$t").log" 2>&1; then
			san_pass=$((san_pass + 1))
		else
			echo "FAIL (sanitizer): $t"; tail -20 "build-asan/$(basename "$t").log"
			san_fail=$((san_fail + 1))
		fi
	done
	# Every end-to-end test again with the sanitized binaries (valgrind's
	# suite excepted: valgrind cannot run ASan binaries).
	ASAN_OPTIONS=detect_leaks=0 meson test -C build-asan --suite e2e --num-processes 1 \
		--print-errorlogs > build-asan/e2e.log 2>&1
	read -r p f < <(python3 - build-asan/meson-logs/testlog.json <<'PY'
import json, sys
p = f = 0
for line in open(sys.argv[1]):
    t = json.loads(line)
    if t["result"] in ("OK", "SKIP"):
        p += 1
    else:
        f += 1
        print("FAIL (sanitizer): %s" % t["name"], file=sys.stderr)
print(p, f)
PY
)
	san_pass=$((san_pass + p))
	san_fail=$((san_fail + f))
	[ "$f" -eq 0 ] || tail -40 build-asan/e2e.log
	echo "sanitizers: $san_pass passed, $san_fail failed"
fi

fuzz_pass=0
fuzz_fail=0
fuzz_secs="${FRX_FUZZ_SECONDS:-20}"
if [ "$fuzz_secs" -gt 0 ]; then
	for h in pkt decode ffile filter tmplstate rules config; do
		echo "fuzz: $h for ${fuzz_secs}s"
		if scripts/fuzz.sh "$h" "$fuzz_secs"; then
			fuzz_pass=$((fuzz_pass + 1))
		else
			echo "FAIL: fuzz $h found a crash (input in build-fuzz/crash-$h-*)"
			fuzz_fail=$((fuzz_fail + 1))
		fi
	done
fi

# Count criterion test cases (from each binary's synthesis line) and e2e scripts.
python3 - "$FRX_BUILD_DIR/meson-logs/testlog.json" "$((fuzz_pass + san_pass))" "$((fuzz_fail + san_fail))" <<'PY'
import json, re, sys
passed, failed = int(sys.argv[2]), int(sys.argv[3])
for line in open(sys.argv[1]):
    t = json.loads(line)
    out = (t.get("stdout") or "") + (t.get("stderr") or "")
    m = re.search(r"Tested: (\d+) \| Passing: (\d+) \| Failing: (\d+) \| Crashing: (\d+)", out)
    if m and t["result"] == "OK":
        passed += int(m.group(2))
    elif m:
        passed += int(m.group(2))
        failed += max(1, int(m.group(3)) + int(m.group(4)))
    elif t["result"] == "OK":
        passed += 1
    else:
        failed += 1
print(f"tests: {passed} passed, {failed} failed")
PY
[ $meson_rc -eq 0 ] && [ $fuzz_fail -eq 0 ] && [ $san_fail -eq 0 ]
