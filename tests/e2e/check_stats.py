#!/usr/bin/env python3
"""Check flowrx-read --stats -o json against expectations, exactly.

usage: check_stats.py STATS.jsonl EXPECT.json
EXPECT: {"engines": [{"exporter": ..., "version": ..., <key>: <value>...}, ...],
         "exporters": [{"exporter": ..., <key>: value...}],
         "denied": [{"source": ..., "datagrams": N}]}
Each expected engine is matched by exporter, version, engine_type, engine_id
and domain (those given); every other key given must equal exactly.
"""
import json
import sys

MATCH = ("exporter", "version", "engine_type", "engine_id", "domain")


def main():
    rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    want = json.load(open(sys.argv[2]))
    engines = [r for r in rows if "type" not in r]
    exporters = [r for r in rows if r.get("type") == "exporter"]
    denied = [r for r in rows if r.get("type") == "denied"]
    bad = 0

    def find(pool, exp, keys):
        hits = [r for r in pool if all(r.get(k) == exp[k] for k in keys if k in exp)]
        return hits

    for exp in want.get("engines", []):
        hits = find(engines, exp, MATCH)
        if len(hits) != 1:
            print(f"engine {exp}: {len(hits)} matches in {engines}")
            bad += 1
            continue
        for k, v in exp.items():
            if hits[0].get(k) != v:
                print(f"engine {exp['exporter']} v{exp.get('version')}: {k} = {hits[0].get(k)}, expected {v}")
                bad += 1
    for exp in want.get("exporters", []):
        hits = find(exporters, exp, ("exporter",))
        if len(hits) != 1:
            print(f"exporter {exp['exporter']}: {len(hits)} matches")
            bad += 1
            continue
        for k, v in exp.items():
            got = hits[0].get(k)
            if k == "drops":
                got = {d: n for d, n in (got or {}).items() if n}
            if got != v:
                print(f"exporter {exp['exporter']}: {k} = {got}, expected {v}")
                bad += 1
    for exp in want.get("denied", []):
        hits = find(denied, exp, ("source",))
        if len(hits) != 1 or hits[0].get("datagrams") != exp["datagrams"]:
            print(f"denied {exp}: got {hits}")
            bad += 1
    if "engine_count" in want and len(engines) != want["engine_count"]:
        print(f"{len(engines)} engines, expected {want['engine_count']}")
        bad += 1
    if bad:
        sys.exit(1)
    print(f"stats: {len(engines)} engines, {len(exporters)} exporters, {len(denied)} denied sources as expected")


if __name__ == "__main__":
    main()
