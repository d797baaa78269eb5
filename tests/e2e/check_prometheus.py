#!/usr/bin/env python3
"""Check a flowrx Prometheus textfile (text exposition format 0.0.4) against
the exit summary of the same run: the format is what node_exporter's textfile
collector accepts (each family declared once by HELP and TYPE, its samples
right after, valid names and numbers), and its counters equal the summary's.
Usage: check_prometheus.py FILE SUMMARY"""
import re
import sys

NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*")*)?\})? (-?[0-9.e+]+)$')


def fail(msg):
    print("check_prometheus: " + msg, file=sys.stderr)
    sys.exit(1)


def parse(path):
    families, samples, current, seen = {}, {}, None, set()
    for n, line in enumerate(open(path), 1):
        line = line.rstrip("\n")
        if line.startswith("# HELP "):
            name = line.split(" ")[2]
            if not NAME.match(name) or name in seen:
                fail(f"{path}:{n}: family {name} bad or declared twice")
            seen.add(name)
            current = name
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            if name != current or kind not in ("counter", "gauge"):
                fail(f"{path}:{n}: TYPE {name} {kind} after HELP {current}")
            families[name] = kind
        else:
            m = SAMPLE.match(line)
            if not m:
                fail(f"{path}:{n}: not a sample: {line!r}")
            if m.group(1) != current:
                fail(f"{path}:{n}: sample of {m.group(1)} inside family {current}")
            if m.group(1).endswith("_total") and families[current] != "counter":
                fail(f"{path}:{n}: _total that is not a counter")
            key = (m.group(1), m.group(3) or "")
            if key in samples:
                fail(f"{path}:{n}: sample {key} twice")
            samples[key] = float(m.group(5))
    return samples


def main():
    samples = parse(sys.argv[1])
    summary = {}
    for line in open(sys.argv[2]):
        m = re.match(r"^([a-z0-9_]+): (\d+)$", line.strip())
        if m:
            summary[m.group(1)] = int(m.group(2))

    def expect(metric, labels, name):
        got = samples.get((metric, labels))
        if got is None:
            fail(f"{metric}{{{labels}}} missing")
        if got != summary[name]:
            fail(f"{metric}{{{labels}}} = {got}, summary {name} = {summary[name]}")

    expect("flowrx_rx_packets_total", "", "rx_packets")
    expect("flowrx_records_decoded_total", "", "records_decoded")
    expect("flowrx_records_written_total", "", "records_written")
    expect("flowrx_records_lost_total", 'reason="no_block"', "records_lost_no_block")
    drops = 0
    for name, value in summary.items():
        if name.startswith("drop_"):
            expect("flowrx_drops_total", f'reason="{name[5:]}"', name)
            drops += 1
        if name.startswith("templates_") or name.startswith("sets_"):
            expect("flowrx_template_events_total", f'event="{name}"', name)
    if drops < 10:
        fail(f"only {drops} drop reasons in the summary")
    exporter_records = sum(v for (m, _), v in samples.items() if m == "flowrx_exporter_records_total")
    if exporter_records != summary["records_written"]:
        fail(f"per-exporter records sum to {exporter_records}, written {summary['records_written']}")
    if ("flowrx_port_rx_packets_total", 'port="0"') not in samples:
        fail("no port counters")
    if samples[("flowrx_port_rx_packets_total", 'port="0"')] != summary["rx_packets"]:
        fail("port 0 rx packets differ from rx_packets")
    if not any(m == "flowrx_engine_lost_total" for m, _ in samples):
        fail("no engine sequence counters")
    if not any(m == "flowrx_ring_capacity" for m, _ in samples):
        fail("no ring gauges")


main()
