#!/usr/bin/env python3
"""Decode a capture of flow exports with tshark, as flowrx JSON records.

usage: tshark_records.py EXPORTS.pcap PORT OUT.jsonl [COUNTERS.txt]

tshark (Wireshark's cflow dissector) is the independent decoder: every UDP
datagram to PORT is decoded as NetFlow v1/v5/v9 or IPFIX, and each flow
record becomes one JSON line with the keys of flowrx-read's contract
(docs/reader.md). Only keys tshark decodes for the records of this capture
are written, all of them; a key that some records carry and others lack
(ports and TCP flags of an ICMP template) is 0 in the records without it.

Conversions, per the protocol documents:
  first/last  v1/v5: unix_secs*1000 + unix_nsecs/10^6 (truncated) minus
              (sysUptime - First), with 32-bit uptime wrap; v9 the same with
              unix_secs only; IPFIX flowStart/EndSysUpTime (22/21) added to
              systemInitTimeMilliseconds (160) of the exporter's last options
              record; absolute times (150-157) as epoch ms, truncated.
  direction   v9 DIRECTION / IPFIX flowDirection 0 (ingress) -> 1, 1 -> 2.
  dst_port    for ICMP records, ICMP_TYPE (32) / icmpTypeCodeIPv6 (139) as
              type*256+code when the record has it, as v5 exports it.
  forwarding_status  the whole byte: status << 6 | reason code.

tshark quirk handled here: for v9 it stops after the header's `count`
records, counting template and option records too, while softflowd's count
holds data records only; RFC 3954 says count is every record, but a
collector must walk the flowsets by length. tshark is given a copy whose v9
counts are 65535 so that it walks to the end of each datagram.

COUNTERS.txt gets the flowrx summary counters these datagrams must produce
("name: value", for expect_counters in lib.sh): pdus_v<N> per version,
pdus_count_above_spec (v1/v5/v7 headers announcing more records than the
version's maximum: 24, 30, 27) and records_written.

Statistics go to stderr; exit status 1 if the capture is unusable (snapped
frames, a datagram tshark could not decode, an unmapped time format).
"""
import calendar
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
from collections import Counter

CONTRACT_ORDER = [
    "exporter", "version", "engine_type", "engine_id", "domain", "src_addr", "dst_addr",
    "next_hop", "src_port", "dst_port", "proto", "tos", "tcp_flags", "in_if", "out_if",
    "packets", "bytes", "first", "last", "src_as", "dst_as", "src_mask", "dst_mask",
    "sampling_interval", "exporter_port", "class", "flows", "direction", "src_vlan",
    "dst_vlan", "forwarding_status",
]

# tshark record field -> (contract key, converter)
RECORD_FIELDS = {
    "cflow.srcaddr": ("src_addr", str),
    "cflow.dstaddr": ("dst_addr", str),
    "cflow.srcaddrv6": ("src_addr", str),
    "cflow.dstaddrv6": ("dst_addr", str),
    "cflow.nexthop": ("next_hop", str),
    "cflow.nexthopv6": ("next_hop", str),
    "cflow.srcport": ("src_port", int),
    "cflow.dstport": ("dst_port", int),
    "cflow.protocol": ("proto", int),
    "cflow.tos": ("tos", lambda v: int(v, 0)),
    "cflow.tcpflags": ("tcp_flags", lambda v: int(v, 0)),
    "cflow.inputint": ("in_if", int),
    "cflow.outputint": ("out_if", int),
    "cflow.packets": ("packets", int),
    "cflow.packets64": ("packets", int),
    "cflow.octets": ("bytes", int),
    "cflow.octets64": ("bytes", int),
    "cflow.srcas": ("src_as", int),
    "cflow.dstas": ("dst_as", int),
    "cflow.srcmask": ("src_mask", int),
    "cflow.dstmask": ("dst_mask", int),
    "cflow.srcmaskv6": ("src_mask", int),
    "cflow.dstmaskv6": ("dst_mask", int),
    "cflow.engine_type": ("engine_type", int),
    "cflow.engine_id": ("engine_id", int),
    "cflow.direction": ("direction", lambda v: int(v) + 1),
    "cflow.vlanid": ("src_vlan", int),
    "cflow.post_vlanid": ("dst_vlan", int),
}

# decoded by tshark, deliberately not part of the comparison (no contract key)
IGNORED_FIELDS = {
    "cflow.timedelta", "cflow.timedelta_tree", "cflow.tcpflags_tree", "cflow.padding",
    "cflow.reserved", "cflow.ip_version", "cflow.flow_end_reason", "cflow.post_tos",
    "cflow.icmp_type_code_ipv4", "cflow.icmp_ipv6_type", "cflow.icmp_ipv6_code",
    "cflow.icmp_type", "cflow.icmp_code", "Forwarding Status",
}

NUMERIC_DEFAULTS = {"src_port", "dst_port", "tcp_flags", "in_if", "out_if", "src_as", "dst_as",
                    "src_mask", "dst_mask", "engine_type", "engine_id", "direction",
                    "src_vlan", "dst_vlan", "forwarding_status"}

SPEC_MAX_COUNT = {1: 24, 5: 30, 7: 27}

MONTHS = {m: i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}
ABSTIME = re.compile(r"^(\w{3})\s+(\d+), (\d{4}) (\d\d):(\d\d):(\d\d)(?:\.(\d+))? UTC$")


def fail(msg):
    sys.exit(f"tshark_records: {msg}")


def rel_ms(text):
    """'62.075000000' (seconds) -> 62075, exactly."""
    secs, _, frac = text.partition(".")
    return int(secs) * 1000 + int((frac + "000")[:3])


def abs_ms(text):
    """'Nov 23, 2025 12:13:21.083000000 UTC' -> epoch ms, truncated."""
    m = ABSTIME.match(text)
    if not m:
        fail(f"unexpected absolute time {text!r} (is TZ=UTC honoured?)")
    mon, day, year, hh, mm, ss, frac = m.groups()
    secs = calendar.timegm((int(year), MONTHS[mon], int(day), int(hh), int(mm), int(ss)))
    return secs * 1000 + int(((frac or "") + "000")[:3])


def uptime_epoch_ms(export_ms, sys_uptime, stamp):
    """Epoch ms of a sysUptime stamp, the header giving export time and uptime;
    a stamp above the uptime is either just after it or before a 32-bit wrap."""
    if stamp <= sys_uptime:
        age = sys_uptime - stamp
    elif stamp - sys_uptime < 0x80000000:
        age = -(stamp - sys_uptime)
    else:
        age = sys_uptime + 2**32 - stamp
    return export_ms - age


def read_pcap(path):
    """(header bytes, [(record header, frame)]) of a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        fail(f"{path}: not a pcap file")
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        fail(f"{path}: not a classic pcap file (pcapng?)")
    if struct.unpack_from(endian + "I", data, 20)[0] != 1:
        fail(f"{path}: link type is not Ethernet")
    frames, off = [], 24
    while off + 16 <= len(data):
        _, _, caplen, wirelen = struct.unpack_from(endian + "IIII", data, off)
        if off + 16 + caplen > len(data):
            break  # torn last record of a capture stopped mid-write
        if caplen != wirelen:
            fail(f"{path}: frame {len(frames) + 1} snapped to {caplen} of {wirelen} bytes (raise -s)")
        frames.append((data[off:off + 16], bytearray(data[off + 16:off + 16 + caplen])))
        off += 16 + caplen
    return data[:24], frames


def udp_payload_offset(frame, port):
    """Offset of the UDP payload if the frame is UDP to `port`, else None."""
    if len(frame) < 14:
        return None
    ethertype, off = struct.unpack_from(">H", frame, 12)[0], 14
    while ethertype in (0x8100, 0x88a8) and len(frame) >= off + 4:
        ethertype, off = struct.unpack_from(">H", frame, off + 2)[0], off + 4
    if ethertype == 0x0800 and len(frame) >= off + 20:
        proto, ihl = frame[off + 9], (frame[off] & 0x0f) * 4
        off += ihl
    elif ethertype == 0x86dd and len(frame) >= off + 40:
        proto = frame[off + 6]
        off += 40
    else:
        return None
    if proto != 17 or len(frame) < off + 8 or struct.unpack_from(">H", frame, off + 2)[0] != port:
        return None
    return off + 8


def copy_for_tshark(src, dst, port, stats):
    """Copy of the capture with every v9 header count set to 65535; returns
    the original counts, one per datagram to `port` (None if not v9)."""
    header, frames = read_pcap(src)
    counts = []
    with open(dst, "wb") as out:
        out.write(header)
        for rec, frame in frames:
            off = udp_payload_offset(frame, port)
            if off is not None:
                counts.append(None)
                if len(frame) >= off + 4 and struct.unpack_from(">H", frame, off)[0] == 9:
                    counts[-1] = struct.unpack_from(">H", frame, off + 2)[0]
                    struct.pack_into(">H", frame, off + 2, 0xffff)
                    if struct.unpack_from(">H", frame, 12)[0] == 0x0800:
                        struct.pack_into(">H", frame, off - 2, 0)  # no UDP checksum (IPv4)
            out.write(rec)
            out.write(frame)
    stats["frames"] = len(frames)
    return counts


def scalar(rec, key):
    v = rec[key]
    if isinstance(v, list):
        fail(f"field {key} appears {len(v)} times in one record: {v}")
    return v


def convert_record(rec, hdr, state, stats):
    out = {}
    for key in rec:
        if key in RECORD_FIELDS:
            name, conv = RECORD_FIELDS[key]
            out[name] = conv(scalar(rec, key))
        elif key not in IGNORED_FIELDS:
            stats["unmapped field " + key] += 1
    # ICMP type/code, as v5 carries it in the destination port
    icmp = None
    if "cflow.icmp_type_code_ipv4" in rec:
        icmp = int(scalar(rec, "cflow.icmp_type_code_ipv4"), 0)
    elif "cflow.icmp_ipv6_type" in rec:
        icmp = int(scalar(rec, "cflow.icmp_ipv6_type")) * 256 + int(scalar(rec, "cflow.icmp_ipv6_code"))
    elif "cflow.icmp_type" in rec:
        icmp = int(scalar(rec, "cflow.icmp_type")) * 256 + int(scalar(rec, "cflow.icmp_code"))
    if icmp is not None and out.get("proto") in (1, 58) and (icmp or "dst_port" not in out):
        out["dst_port"] = icmp
    if "Forwarding Status" in rec:
        fs = rec["Forwarding Status"]
        codes = [int(v) for k, v in fs.items() if k.endswith("_code")]
        out["forwarding_status"] = int(fs["cflow.forwarding_status"]) << 6 | (codes[0] if codes else 0)

    # times
    tree = rec.get("cflow.timedelta_tree")
    if tree is None:
        fail(f"record without start/end time: {rec}")
    for edge, key in (("start", "first"), ("end", "last")):
        if "cflow.time" + edge in tree:  # relative to sysUptime / systemInitTime
            stamp = rel_ms(tree["cflow.time" + edge])
            relative = True
        else:
            text = tree["cflow.abstime" + edge]
            stamp = abs_ms(text)
            # tshark prints a relative stamp of 0 as absolute 1970-01-01
            relative = stamp == 0
        if not relative:
            out[key] = stamp
        elif hdr["version"] in (1, 5, 9):
            out[key] = uptime_epoch_ms(hdr["export_ms"], hdr["sys_uptime"], stamp)
        else:
            init = state.get((hdr["exporter"], hdr["domain"]))
            if init is None:
                fail("IPFIX record relative to sysUpTime before any systemInitTimeMilliseconds")
            out[key] = init + stamp
    return out


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__.split("\n\n")[1])
    pcap, port, out_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    stats = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "for-tshark.pcap")
        v9_counts = copy_for_tshark(pcap, copy, port, stats)
        env = dict(os.environ, TZ="UTC")
        run = subprocess.run(["tshark", "-n", "-r", copy, "-d", f"udp.port=={port},cflow",
                              "-Y", f"udp.dstport=={port}", "-T", "json", "--no-duplicate-keys"],
                             capture_output=True, text=True, env=env)
        if run.returncode != 0:
            fail(f"tshark exited {run.returncode}: {run.stderr.strip()}")
    packets = json.loads(run.stdout or "[]")
    if len(packets) != len(v9_counts):
        fail(f"tshark shows {len(packets)} datagrams to port {port}, the capture has {len(v9_counts)}")

    state = {}  # (exporter, domain) -> systemInitTimeMilliseconds
    records = []
    for p, v9_count in zip(packets, v9_counts):
        layers = p["_source"]["layers"]
        cflow = layers.get("cflow")
        if cflow is None or "cflow.version" not in cflow:
            fail(f"frame {layers['frame']['frame.number']}: tshark did not decode it as cflow")
        ip = layers.get("ip") or layers.get("ipv6")
        version = int(cflow["cflow.version"])
        hdr = {
            "version": version,
            "exporter": ip.get("ip.src") or ip.get("ipv6.src"),
            "exporter_port": int(layers["udp"]["udp.srcport"]),
        }
        common = {"exporter": hdr["exporter"], "version": version,
                  "exporter_port": hdr["exporter_port"]}
        ts = cflow.get("cflow.timestamp_tree", {})
        if version in (1, 5, 9):
            hdr["sys_uptime"] = rel_ms(cflow["cflow.sysuptime"])
            hdr["export_ms"] = int(ts["cflow.unix_secs"]) * 1000 + \
                int(ts.get("cflow.unix_nsecs", "0")) // 1000000
        if version == 5:
            common["engine_type"] = int(cflow["cflow.engine_type"])
            common["engine_id"] = int(cflow["cflow.engine_id"])
            common["sampling_interval"] = int(cflow["cflow.samplerate"])
        if version == 9:
            hdr["domain"] = common["domain"] = int(cflow["cflow.source_id"])
        if version == 10:
            hdr["domain"] = common["domain"] = int(cflow["cflow.od_id"])
        stats[f"pdus_v{version}"] += 1
        if version in SPEC_MAX_COUNT and int(cflow["cflow.count"]) > SPEC_MAX_COUNT[version]:
            stats["pdus_count_above_spec"] += 1

        def flow_records(tree):
            for key, value in tree.items():
                if key.startswith("pdu ") or key.startswith("Flow "):
                    yield value

        templates = 0
        if version in (1, 5, 7):
            recs = list(flow_records(cflow))
        else:
            recs = []
            for key, value in cflow.items():
                if isinstance(value, dict) and (key.startswith("FlowSet ") or key.startswith("Set ")):
                    templates += sum(k.startswith("Template (") or k.startswith("Options Template")
                                     for k in value)
                    recs.extend(flow_records(value))
        stats["template records"] += templates
        flows = sum("cflow.srcaddr" in r or "cflow.srcaddrv6" in r for r in recs)
        if v9_count is not None and flows != len(recs) + templates:
            # only datagrams with templates or options tell what count counts
            if v9_count == len(recs) + templates:
                stats["v9 count = all records (RFC 3954)"] += 1
            elif v9_count == flows:
                stats["v9 count = flow records only"] += 1
            elif v9_count == len(recs):
                stats["v9 count = data records (flows and options data)"] += 1
            else:
                stats["v9 count = none of these"] += 1
        for rec in recs:
            if "cflow.srcaddr" not in rec and "cflow.srcaddrv6" not in rec:
                stats["options data records"] += 1
                if "cflow.sys_init_time" in rec:
                    state[(hdr["exporter"], hdr["domain"])] = abs_ms(scalar(rec, "cflow.sys_init_time"))
                continue
            r = dict(common)
            r.update(convert_record(rec, hdr, state, stats))
            records.append(r)

    keys = set()
    for r in records:
        keys.update(r)
    for r in records:
        for k in keys - r.keys():
            if k not in NUMERIC_DEFAULTS:
                fail(f"key {k} missing from a record and has no default: {r}")
            r[k] = 0
    with open(out_path, "w") as out:
        for r in records:
            out.write(json.dumps({k: r[k] for k in CONTRACT_ORDER if k in r}) + "\n")
    stats["records_written"] = len(records)
    if len(sys.argv) == 5:
        with open(sys.argv[4], "w") as out:
            for name in sorted(k for k in stats if k.startswith("pdus_v")):
                out.write(f"{name}: {stats[name]}\n")
            if any(v in SPEC_MAX_COUNT for v in (int(k[6:]) for k in stats if k.startswith("pdus_v"))):
                out.write(f"pdus_count_above_spec: {stats['pdus_count_above_spec']}\n")
            out.write(f"records_written: {len(records)}\n")
    print("tshark: " + ", ".join(f"{k}: {v}" for k, v in sorted(stats.items())),
          file=sys.stderr)
    print("tshark: compared keys: " + " ".join(k for k in CONTRACT_ORDER if k in keys), file=sys.stderr)


if __name__ == "__main__":
    main()
