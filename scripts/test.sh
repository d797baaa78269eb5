#!/usr/bin/env bash
# Install what is missing, build, run every test: criterion unit tests,
# end-to-end tests of the real binaries, and a short run of each fuzzer.
# Ends with one line "tests: N passed, M failed"; exits non-zero on any failure.
#   FRX_FUZZ_SECONDS=N   seconds per fuzz harness (default 20; 0 skips fuzzing)
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test || exit 1
export FRX_BUILD_DIR="${FRX_BUILD_DIR:-build}"
scripts/build.sh || exit 1

meson test -C "$FRX_BUILD_DIR" --print-errorlogs --num-processes 1
meson_rc=$?

fuzz_pass=0
fuzz_fail=0
fuzz_secs="${FRX_FUZZ_SECONDS:-20}"
if [ "$fuzz_secs" -gt 0 ]; then
	for h in pkt decode ffile; do
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
python3 - "$FRX_BUILD_DIR/meson-logs/testlog.json" "$fuzz_pass" "$fuzz_fail" <<'PY'
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
[ $meson_rc -eq 0 ] && [ $fuzz_fail -eq 0 ]
