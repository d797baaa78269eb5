#!/usr/bin/env bash
# Rules hot reload under traffic (docs/rules.md). flowrx replays a capture
# through the whole data path without end (--pcap --repeat: lossless, so
# every frame received must be accounted for, whatever the load of the
# machine; a per-exporter rate limit keeps the files small) while the rules are replaced by SIGHUP, then by a file that does not load
# (the running rules must stay), then by the /flowrx/rules_reload telemetry
# command; then SIGTERM. Each rule set tags every record with its own
# class, so the stored records, in the order the worker handled them, must
# read 1...1 2...2 3...3: no record classified by half a set or by an old
# set after a newer one. Nothing may be lost: frames received = datagrams
# decoded + rate-limited, records decoded = stored + dropped by rules, and the per-rule
# counters of the three generations add up to the records decoded and
# match the classes stored.
. "$(dirname "$0")/lib.sh"

"$TESTGEN" bulk "$WORK/bulk.pcap" 2000
printf '[rule a-all]\naction = class 1\n' > "$WORK/rules.ini"
"$FLOWRX" --pcap "$WORK/bulk.pcap" --repeat 1000000 --rate-limit 250/50 -w "$WORK/flows" --rotate 0 \
	--rules "$WORK/rules.ini" \
	> "$WORK/summary.txt" 2> "$WORK/stderr.txt" &
pid=$!
for _ in $(seq 100); do
	grep -q "decoding the capture" "$WORK/summary.txt" 2>/dev/null && break
	sleep 0.1
done
grep -q "decoding the capture" "$WORK/summary.txt" || { kill -9 $pid; cat "$WORK/stderr.txt"; fail "flowrx did not start"; }

# wait until generation 1 has classified something, then reload; and so on
tel() { # tel COMMAND: the command's JSON reply
	echo "$1" | timeout 30 dpdk-telemetry.py -f "flowrx-$pid" 2>&1
}
records_of() { # records_of RULE-NAME: its counter in /flowrx/rules (0 if not there)
	tel /flowrx/rules | python3 -c '
import json, sys
t = sys.stdin.read()
d = json.loads(t[t.index("{"):])["/flowrx/rules"]
print(dict(zip(d["rule_names"], d["rule_records"])).get(sys.argv[1], 0))' "$1" 2>/dev/null || echo 0
}
wait_for() { # wait_for RULE-NAME: until it has matched records
	for _ in $(seq 100); do
		[ "$(records_of "$1")" -gt 0 ] && return 0
		sleep 0.3
	done
	kill -9 $pid
	fail "rule $1 matched nothing within 30 s"
}
wait_for a-all
printf '[rule b-all]\naction = class 2\n\n[rule b-drop]\npriority = 1\ndst_port = 53\naction = drop\n' \
	> "$WORK/rules.ini"
kill -HUP $pid
wait_for b-all
printf '[rule broken]\naction = class 9\nsrc = 10.0.0.0/40\n' > "$WORK/rules.ini"
kill -HUP $pid
for _ in $(seq 100); do
	grep -q "reload failed" "$WORK/stderr.txt" && break
	sleep 0.1
done
printf '[rule c-all]\naction = class 3\n' > "$WORK/rules.ini"
tel /flowrx/rules_reload > "$WORK/tel.json" || { cat "$WORK/tel.json"; kill -9 $pid; fail "telemetry reload failed"; }
grep -q '"status": "ok"' "$WORK/tel.json" || { cat "$WORK/tel.json"; kill -9 $pid; fail "telemetry reload not ok"; }
wait_for c-all
tel /flowrx/rules > "$WORK/tel-rules.json" || { cat "$WORK/tel-rules.json"; kill -9 $pid; fail "telemetry /flowrx/rules failed"; }
kill -TERM $pid
wait $pid || fail "flowrx exited $? after SIGTERM"

grep -q "reload failed, the rules of generation 2 stay: $WORK/rules.ini:3: src: '10.0.0.0/40'" "$WORK/stderr.txt" ||
	{ cat "$WORK/stderr.txt"; fail "the bad file's error was not reported"; }
[ "$(counter rules_generation "$WORK/summary.txt")" -eq 3 ] || fail "not at generation 3"
[ "$(counter rules_reloads "$WORK/summary.txt")" -eq 2 ] || fail "reloads not counted"
[ "$(counter rules_reload_failures "$WORK/summary.txt")" -eq 1 ] || fail "failed reload not counted"
received=$(counter rx_packets "$WORK/summary.txt")
got=$(counter pdus_v5 "$WORK/summary.txt")
limited=$(counter drop_rate_limited "$WORK/summary.txt")
[ $((got + limited)) -eq "$received" ] || fail "received $received frames, decoded $got datagrams, rate-limited $limited"
decoded=$(counter records_decoded "$WORK/summary.txt")
written=$(counter records_written "$WORK/summary.txt")
dropped=$(counter records_dropped_by_rules "$WORK/summary.txt")
[ "$decoded" -eq $((got * 30)) ] || fail "decoded $decoded records of $((got * 30))"
[ "$decoded" -eq $((written + dropped)) ] || fail "decoded $decoded != written $written + dropped $dropped"

"$FLOWRX_READ" -q -R "$WORK/flows" --no-merge -o json > "$WORK/got.jsonl" || fail "reader failed"
"$FLOWRX_READ" -q -R "$WORK/flows" --stats -o json > "$WORK/stats.jsonl" || fail "reader --stats failed"
python3 - "$WORK/got.jsonl" "$WORK/stats.jsonl" "$WORK/tel-rules.json" "$decoded" "$dropped" <<'PY' || fail "records or counters disagree"
import json, sys
got, stats, tel, decoded, dropped = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
seen = {1: 0, 2: 0, 3: 0}
last = 1
for i, line in enumerate(open(got)):
    c = json.loads(line)["class"]
    assert c in seen, "record %d has class %d: classified by no rule set" % (i, c)
    assert c >= last, "record %d has class %d after class %d: an older rule set after a newer one" % (i, c, last)
    last = c
    seen[c] += 1
assert all(seen.values()), "a rule set classified nothing: %s" % seen
rules = {}
unmatched = None
for l in open(stats):
    r = json.loads(l)
    if r.get("type") == "rule":
        rules[r["name"]] = r["records"]
    elif r.get("type") == "rules_unmatched":
        unmatched = r["records"]
assert rules.get("a-all") == seen[1], (rules, seen)
assert rules.get("b-all") == seen[2], (rules, seen)
assert rules.get("c-all") == seen[3], (rules, seen)
assert rules.get("b-drop") == dropped and dropped > 0, (rules, dropped)
assert "broken" not in rules, rules
assert unmatched == 0, unmatched
assert sum(rules.values()) == decoded, (rules, decoded)
text = open(tel).read()
doc = json.loads(text[text.index("{"):])["/flowrx/rules"]
assert doc["generation"] == 3 and doc["reloads"] == 2 and doc["reload_failures"] == 1, doc
assert doc["rule_names"] == ["c-all"] and 0 < doc["rule_records"][0] <= seen[3], doc
print("classes by generation:", seen, "dropped by b-drop:", dropped)
PY
echo "ok: rules reloaded twice under traffic (SIGHUP, telemetry), a bad file kept the running set, nothing lost"
