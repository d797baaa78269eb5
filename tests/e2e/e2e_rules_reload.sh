#!/usr/bin/env bash
# Rules hot reload under traffic (docs/rules.md): flowrx --iface lo collects
# a steady stream while the rules are replaced by SIGHUP, then by a file
# that does not load (the running rules must stay), then by the
# /flowrx/rules_reload telemetry command. Each rule set tags every record
# with its own class, so the stored records, in the order the worker
# handled them, must read 1...1 2...2 3...3: no record classified by half
# a set or by an old set after a newer one. Nothing may be lost: every
# datagram sent is decoded or counted missed by the port (lo is shared and
# the kernel capture drops under CPU contention; that is before flowrx and
# not a reload's doing), records decoded = stored + dropped by rules,
# and the per-rule counters of the three generations add up to the
# records decoded and match the classes stored.
. "$(dirname "$0")/lib.sh"
SEND="$4"
port=$((30000 + RANDOM % 20000))
packets=1500
passes=3

"$TESTGEN" bulk "$WORK/bulk.pcap" "$packets"
printf '[rule a-all]\naction = class 1\n' > "$WORK/rules.ini"
"$FLOWRX" --iface lo -p "$port" -w "$WORK/flows" --rotate 0 --rules "$WORK/rules.ini" \
	> "$WORK/summary.txt" 2> "$WORK/stderr.txt" &
pid=$!
for _ in $(seq 100); do
	grep -q "collecting until" "$WORK/summary.txt" 2>/dev/null && break
	sleep 0.1
done
grep -q "collecting until" "$WORK/summary.txt" || { kill -9 $pid; cat "$WORK/stderr.txt"; fail "flowrx did not start"; }
sleep 0.5

# about 4.5 s of traffic: 3 passes of 1500 datagrams at 1000/s
"$SEND" -r "$passes" -R 1000 "$WORK/bulk.pcap" 127.0.0.1 "$port" > "$WORK/send.txt" &
send_pid=$!
sleep 1.2
printf '[rule b-all]\naction = class 2\n\n[rule b-drop]\npriority = 1\ndst_port = 53\naction = drop\n' \
	> "$WORK/rules.ini"
kill -HUP $pid
sleep 1
printf '[rule broken]\naction = class 9\nsrc = 10.0.0.0/40\n' > "$WORK/rules.ini"
kill -HUP $pid
sleep 0.8
printf '[rule c-all]\naction = class 3\n' > "$WORK/rules.ini"
echo "/flowrx/rules_reload" | timeout 30 dpdk-telemetry.py -f "flowrx-$pid" > "$WORK/tel.json" 2>&1 ||
	{ cat "$WORK/tel.json"; kill -9 $pid $send_pid; fail "telemetry reload failed"; }
grep -q '"status": "ok"' "$WORK/tel.json" || { cat "$WORK/tel.json"; kill -9 $pid $send_pid; fail "telemetry reload not ok"; }
wait $send_pid || { kill -9 $pid; fail "sender failed"; }
sleep 1.5
echo "/flowrx/rules" | timeout 10 dpdk-telemetry.py -f "flowrx-$pid" > "$WORK/tel-rules.json" 2>&1 ||
	{ cat "$WORK/tel-rules.json"; kill -9 $pid; fail "telemetry /flowrx/rules failed"; }
kill -TERM $pid
wait $pid || fail "flowrx exited $? after SIGTERM"

grep -q "reload failed, the rules of generation 2 stay: $WORK/rules.ini:3: src: '10.0.0.0/40'" "$WORK/stderr.txt" ||
	{ cat "$WORK/stderr.txt"; fail "the bad file's error was not reported"; }
[ "$(counter rules_generation "$WORK/summary.txt")" -eq 3 ] || fail "not at generation 3"
[ "$(counter rules_reloads "$WORK/summary.txt")" -eq 2 ] || fail "reloads not counted"
[ "$(counter rules_reload_failures "$WORK/summary.txt")" -eq 1 ] || fail "failed reload not counted"
sent=$((packets * passes))
got=$(counter pdus_v5 "$WORK/summary.txt")
missed=$(counter port0_imissed "$WORK/summary.txt")
[ $((sent - got)) -le "$missed" ] || fail "sent $sent datagrams, decoded $got, the port missed only $missed"
[ "$got" -ge $((sent / 2)) ] || fail "sent $sent datagrams, decoded only $got: too busy a machine to say anything"
[ "$(counter drop_ring_full "$WORK/summary.txt")" -eq 0 ] || fail "datagrams dropped between RX and worker"
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
classes = [json.loads(l)["class"] for l in open(got)]
seen = {1: 0, 2: 0, 3: 0}
last = 1
for i, c in enumerate(classes):
    assert c in seen, "record %d has class %d: classified by no rule set" % (i, c)
    assert c >= last, "record %d has class %d after class %d: an older rule set after a newer one" % (i, c, last)
    last = c
    seen[c] += 1
assert all(seen.values()), "a rule set classified nothing: reloads did not happen under traffic %s" % seen
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
assert doc["rule_names"] == ["c-all"] and doc["rule_records"] == [seen[3]], doc
print("classes by generation:", seen, "dropped by b-drop:", dropped)
PY
echo "ok: rules reloaded twice under traffic (SIGHUP, telemetry), a bad file kept the running set, nothing lost"
