#!/usr/bin/env python3
"""Compare flow records (JSON lines) field by field, order-insensitively.

usage: compare_records.py EXPECTED.jsonl GOT.jsonl

Every key of each expected record must be present in the matched record
with the same value. Records are matched as multisets; a mismatch prints
the nearest record and the fields that differ.
"""
import json
import sys
from collections import Counter


def load(path):
    out = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{n}: not JSON: {e}: {line[:120]}")
    return out


def key(rec, keys):
    return tuple((k, json.dumps(rec.get(k))) for k in keys)


def main():
    expected, got = load(sys.argv[1]), load(sys.argv[2])
    if not expected:
        sys.exit("no expected records: the test itself is broken")
    keys = sorted(expected[0].keys())
    for g in got:
        missing = [k for k in keys if k not in g]
        if missing:
            sys.exit(f"record lacks keys {missing}: {g}")
    want = Counter(key(r, keys) for r in expected)
    have = Counter(key(r, keys) for r in got)
    if want == have:
        print(f"records: {len(got)} match, field by field")
        return
    lacking = list((want - have).elements())
    extra = list((have - want).elements())
    print(f"MISMATCH: expected {len(expected)} records, got {len(got)}; "
          f"{len(lacking)} expected not found, {len(extra)} unexpected")
    for k in lacking[:5]:
        rec = dict((a, json.loads(b)) for a, b in k)
        best = min(got, key=lambda g: sum(g.get(f) != v for f, v in rec.items()), default=None)
        diff = {f: (v, best.get(f)) for f, v in rec.items() if best is None or best.get(f) != v}
        print(f"  expected {rec}\n    nearest differs in (expected, got): {diff}")
    for k in extra[:5]:
        print(f"  unexpected {dict((a, json.loads(b)) for a, b in k)}")
    sys.exit(1)


if __name__ == "__main__":
    main()
