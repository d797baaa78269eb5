#!/usr/bin/env python3
"""Independent model of flowrx rules (docs/rules.md) for tests/e2e/e2e_rules.sh.

    rules_model.py RULES.ini GENERATED.jsonl READER.jsonl SUMMARY.txt STATS.jsonl

Applies the rules to the records the generator describes (with the strings
they carried), then checks, record by record, what the collector stored
(flowrx-read -o json: dropped records absent, class set), and the per-rule
counters in the collector's summary and in flowrx-read --stats.
"""
import ipaddress
import json
import re
import sys

FLAGS = "FSRPAUEC"
PROTOS = {"icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "gre": 47, "esp": 50, "ah": 51,
          "icmp6": 58, "ipv6-icmp": 58, "ospf": 89, "sctp": 132}


def parse_rules(path):
    rules, cur = [], None
    for line in open(path):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            name = line[1:line.index("]")].split(None, 1)[1].strip()
            cur = {"name": name, "priority": 0, "order": len(rules), "conds": []}
            rules.append(cur)
            continue
        key, value = [x.strip() for x in line.split("=", 1)]
        if " ;" in value:
            value = value[:value.index(" ;")].strip()
        if key == "priority":
            cur["priority"] = int(value)
        elif key == "action":
            cur["action"] = value
        else:
            cur["conds"].append((key, value))
    rules.sort(key=lambda r: (-r["priority"], r["order"]))
    return rules


def num(text):
    return int(text, 0)


def flags_word(text):
    if text[0].isdigit():
        return num(text)
    return sum(1 << FLAGS.index(c.upper()) for c in text)


def in_range(value, spec):
    lo, _, hi = spec.partition("-")
    return num(lo) <= value <= num(hi or lo)


def string_match(value, spec):
    if value is None:
        return False
    if spec.startswith("~"):
        body = spec[1:].strip()
        last = body.rindex("/")
        return re.search(body[1:last], value, re.I if body[last + 1:] == "i" else 0) is not None
    if len(spec) >= 2 and spec[0] == '"' and spec[-1] == '"':
        spec = spec[1:-1]
    return value == spec


def matches(rule, rec):
    flow_v6 = ":" in rec["src_addr"]
    groups = {}
    for key, value in rule["conds"]:
        groups.setdefault(key, []).append(value)
    for key, values in groups.items():
        if key in ("src", "dst"):
            addr = ipaddress.ip_address(rec[key + "_addr"])
            nets = [ipaddress.ip_network(p.strip()) for v in values for p in v.split(",") if p.strip()]
            if not any(n.version == addr.version and addr in n for n in nets):
                return False
        elif key == "exporter":
            addr = ipaddress.ip_address(rec["exporter"])
            nets = [ipaddress.ip_network(p.strip()) for v in values for p in v.split(",") if p.strip()]
            if not any(n.version == addr.version and addr in n for n in nets):
                return False
        elif key in ("src_port", "dst_port", "in_if", "out_if", "src_as", "dst_as"):
            if not in_range(rec[key], values[0]):
                return False
        elif key == "proto":
            v = values[0]
            if rec["proto"] != (PROTOS[v] if v in PROTOS else num(v)):
                return False
        elif key == "tos":
            v, _, m = values[0].partition("/")
            if rec["tos"] & num(m or "255") != num(v):
                return False
        elif key == "tcp_flags":
            v, _, m = values[0].partition("/")
            if rec["tcp_flags"] & flags_word(m or v) != flags_word(v):
                return False
        elif key in ("application", "in_if_name", "out_if_name"):
            value = rec.get(key)
            if key != "application" and value == "":
                value = None  # no name known for that interface
            if not any(string_match(value, v) for v in values):
                return False
        else:
            raise SystemExit("model: unknown key " + key)
    del flow_v6
    return True


def main():
    rules_path, gen_path, got_path, summary_path, stats_path = sys.argv[1:6]
    rules = parse_rules(rules_path)
    counts = {r["name"]: [0, 0] for r in rules}
    unmatched = [0, 0]
    expect = {}
    for line in open(gen_path):
        rec = json.loads(line)
        winner = next((r for r in rules if matches(r, rec)), None)
        if winner is None:
            unmatched[0] += 1
            unmatched[1] += rec["bytes"]
            expect[rec["src_port"]] = 0
            continue
        counts[winner["name"]][0] += 1
        counts[winner["name"]][1] += rec["bytes"]
        action = winner["action"]
        if action == "drop":
            continue
        expect[rec["src_port"]] = int(action.split()[1]) if action.startswith("class") else 0
    got = {}
    for line in open(got_path):
        rec = json.loads(line)
        if rec["src_port"] in got:
            raise SystemExit("record with src_port %d stored twice" % rec["src_port"])
        got[rec["src_port"]] = rec["class"]
    bad = 0
    for port in sorted(set(expect) | set(got)):
        if port not in got:
            print("record %d: expected class %d, but it was dropped" % (port, expect[port]))
            bad += 1
        elif port not in expect:
            print("record %d: expected dropped, stored with class %d" % (port, got[port]))
            bad += 1
        elif expect[port] != got[port]:
            print("record %d: expected class %d, got %d" % (port, expect[port], got[port]))
            bad += 1
        if bad > 10:
            break
    summary = {}
    for line in open(summary_path):
        m = re.match(r"rule (\S+): .*, (\d+) records, (\d+) bytes$", line.strip())
        if m:
            summary[m.group(1)] = [int(m.group(2)), int(m.group(3))]
        m = re.match(r"rules_unmatched: (\d+) records, (\d+) bytes$", line.strip())
        if m:
            summary["(unmatched)"] = [int(m.group(1)), int(m.group(2))]
    stats = {}
    for line in open(stats_path):
        rec = json.loads(line)
        if rec.get("type") == "rule":
            stats[rec["name"]] = [rec["records"], rec["bytes"]]
        elif rec.get("type") == "rules_unmatched":
            stats["(unmatched)"] = [rec["records"], rec["bytes"]]
    counts["(unmatched)"] = unmatched
    for name, want in counts.items():
        if summary.get(name) != want:
            print("rule %s: expected %s, the collector's summary says %s" % (name, want, summary.get(name)))
            bad += 1
        if stats.get(name) != want:
            print("rule %s: expected %s, flowrx-read --stats says %s" % (name, want, stats.get(name)))
            bad += 1
    hit = sum(1 for n, c in counts.items() if c[0] and n != "(unmatched)")
    if hit != len(rules):
        print("only %d of %d rules matched anything: the test data does not exercise them all" % (hit, len(rules)))
        bad += 1
    if bad:
        raise SystemExit(1)
    print("model: %d records, %d stored, %d dropped, %d rules agree" %
          (sum(c[0] for c in counts.values()), len(got), len(expect) and sum(c[0] for c in counts.values()) - len(got),
           len(rules)))


main()
