#!/usr/bin/env python3
"""Compare flowrx-read -o json with the rows of the ClickHouse flows table.

usage: ch_records.py READER.jsonl CLICKHOUSE.jsonl
Both files hold one JSON object per line. The ClickHouse side was selected
with the reader's keys (addresses converted back to text); values are
compared as text, since ClickHouse quotes 64-bit integers in JSON. The two
must be equal as multisets of records, every key of the reader's contract
included. Exit status 1 and a few differences when they are not.
"""
import collections
import json
import sys


def load(path):
    rows = []
    with open(path) as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def main():
    reader, ch = load(sys.argv[1]), load(sys.argv[2])
    if not reader:
        print("no records from the reader", file=sys.stderr)
        return 1
    keys = list(reader[0].keys())
    missing = [k for k in keys if ch and k not in ch[0]]
    if missing:
        print(f"ClickHouse rows lack keys {missing}", file=sys.stderr)
        return 1

    def canon(r):
        return tuple(str(r[k]) for k in keys)

    a = collections.Counter(canon(r) for r in reader)
    b = collections.Counter(canon(r) for r in ch)
    if a == b:
        print(f"{len(reader)} records equal field by field ({len(keys)} keys)")
        return 0
    print(f"reader {len(reader)} records, ClickHouse {len(ch)} rows", file=sys.stderr)
    for rec, n in list((a - b).items())[:3]:
        print("only in reader:", n, dict(zip(keys, rec)), file=sys.stderr)
    for rec, n in list((b - a).items())[:3]:
        print("only in ClickHouse:", n, dict(zip(keys, rec)), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
