#!/usr/bin/env python3
"""nfdump's records (nfdump -o json, run with TZ=UTC) as flowrx JSON records.

usage: nfdump_records.py NFDUMP.json VERSION OUT.jsonl

The records nfreplay sends as NetFlow VERSION (5 or 9) when it replays the
same nfcapd file, with the keys both nfdump prints and that version
carries: addresses, ports, protocol, ToS, TCP flags, interfaces, packets,
bytes, first, last, prefix lengths; v9 adds direction and forwarding status.
v5 carries IPv4 only, so IPv6 records are left out for it. ICMP type and
code go to dst_port as type*256+code, as NetFlow carries them.
"""
import calendar
import json
import sys

FLAGS = "CEUAPRSF"  # nfdump's flag string, bit 7 first


def epoch_ms(text):
    """'2025-11-23T12:13:19.703' (UTC) -> epoch ms."""
    date, _, clock = text.partition("T")
    secs, _, frac = clock.partition(".")
    y, mo, d = (int(x) for x in date.split("-"))
    h, mi, s = (int(x) for x in secs.split(":"))
    return calendar.timegm((y, mo, d, h, mi, s)) * 1000 + int((frac + "000")[:3])


def flags(text):
    return sum(1 << (7 - i) for i, c in enumerate(text) if c != ".")


def convert(r, version):
    out = {
        "src_addr": r.get("src4_addr") or r.get("src6_addr"),
        "dst_addr": r.get("dst4_addr") or r.get("dst6_addr"),
        "proto": r["proto"],
        "tos": r["src_tos"],
        "tcp_flags": flags(r["tcp_flags"]) if "tcp_flags" in r else 0,
        "in_if": r["input_snmp"],
        "out_if": r["output_snmp"],
        "packets": r["in_packets"],
        "bytes": r["in_bytes"],
        "first": epoch_ms(r["first"]),
        "last": epoch_ms(r["last"]),
        "src_mask": r["src_mask"],
        "dst_mask": r["dst_mask"],
    }
    if "icmp_type" in r:
        out["src_port"], out["dst_port"] = 0, r["icmp_type"] * 256 + r["icmp_code"]
    else:
        out["src_port"], out["dst_port"] = r.get("src_port", 0), r.get("dst_port", 0)
    if version == 9:
        out["direction"] = r["direction"] + 1
        out["forwarding_status"] = r["fwd_status"]
    return out


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.split("\n\n")[1])
    version = int(sys.argv[2])
    with open(sys.argv[1]) as f:
        records = [r for r in json.load(f) if r.get("type") == "FLOW"]
    if version == 5:
        records = [r for r in records if "src4_addr" in r]
    with open(sys.argv[3], "w") as out:
        for r in records:
            out.write(json.dumps(convert(r, version)) + "\n")
    print(f"nfdump: {len(records)} records for v{version}", file=sys.stderr)


if __name__ == "__main__":
    main()
