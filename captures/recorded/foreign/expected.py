#!/usr/bin/env python3
"""Checks the foreign captures with the replay of today and writes EXPECTED.json (record.sh runs
this after recording; it can also run alone on the committed captures).

For each capture of CAPTURES that is present:
  - the first NOTIFICATION (tshark; every one must be Cease 6/2) and the packet counts;
  - the capture cut just before the first Cease (editcap -r 1-(N-1)) replayed with the suite and
    the explicit --map list: exit 0 and every case passing, or for the misbehaving capture exit 1
    with exactly the flag cases failing;
  - the whole capture replayed the same way, which judges the tables at the end (flushed by the
    Ceases): exit 1 and the cases that fail then.
EXPECTED.json records all of it (see README.md of captures/recorded), and the foreign/ entries
of ../MANIFEST.json are rewritten for the captures present. Exits 1 when a check fails.

  python3 captures/recorded/foreign/expected.py [BUILD_DIR]
"""
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
RSCONFORM = os.path.join(BUILD, "harness", "app", "rsconform")

# Suite name -> capture address, the same in every capture (record.sh's topology).
MAPPING = {
    "rs0": "127.66.0.20",
    "rs1": "127.66.0.21",
    "nva1": "127.66.7.1",
    "er.in0": "127.66.5.1",
    "er.in1": "127.66.5.2",
    "vpn.in0": "127.66.4.1",
    "vpn.in1": "127.66.4.2",
}
# The cases that check the branch-to-branch flag (R26): the ones a route server configured with
# the flag off must fail when the suite says on.
FLAG_CASES = ["gateways-to-nva", "nva-to-gateways", "er-vpn-transit", "gateway-tables"]

# capture -> (route server, expected failing cases at the default moment)
CAPTURES = {
    "bird": ("BIRD 2.0.12, two processes", []),
    "frr": ("FRR 8.4.4 bgpd, two processes", []),
    "gobgp": ("GoBGP 3.10.0 gobgpd, two processes", []),
    "openbgpd": ("OpenBGPD 7.7 bgpd, two processes", []),
    "bird-off": ("BIRD 2.0.12, two processes, configured with branch-to-branch off", FLAG_CASES),
    "serve": ("rsconform serve (both instances in one process)", []),
}
TYPES = {"1": "OPEN", "2": "UPDATE", "3": "NOTIFICATION", "4": "KEEPALIVE", "5": "ROUTE-REFRESH"}


def tshark(pcap, *args):
    out = subprocess.run(
        ["tshark", "-r", pcap, "-o", "tcp.reassemble_out_of_order:TRUE", *args],
        check=True, capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line]


def replay(pcap, suite):
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        argv = [RSCONFORM, "replay", pcap, "--suite", suite, "--flag", "on",
                "--json", report.name]
        for name, address in MAPPING.items():
            argv += ["--map", f"{name}={address}"]
        code = subprocess.run(argv, capture_output=True, text=True).returncode
        results = json.load(open(report.name))["cells"][0]["results"]
    failed = sorted({r["case"] for r in results if r["verdict"] != "pass"})
    return code, failed, len(results)


def update_manifest():
    """The foreign/ entries of ../MANIFEST.json (one line per capture, as the file is written),
    replaced by the captures present now; the other entries are kept as they are."""
    path = os.path.join(HERE, "..", "MANIFEST.json")
    manifest = json.load(open(path))
    files = [f for f in manifest["files"] if not f["path"].startswith("foreign/")]
    for name in sorted(CAPTURES, key=lambda n: n + ".pcap"):  # as `ls` (../record.sh) lists them
        pcap = os.path.join(HERE, f"{name}.pcap")
        if os.path.exists(pcap):
            files.append({"path": f"foreign/{name}.pcap", "format": "pcap",
                          "link_type": ["Ethernet (1)"], "well_formed": "yes",
                          "bgp_tcp_port": 179, "size": os.path.getsize(pcap)})
    lines = [re.sub(r'("bgp_tcp_port": \[[^]]*\])', lambda m: m.group(1).replace(" ", ""),
                    "    " + json.dumps(f, separators=(", ", ": "))) for f in files]
    with open(path, "w") as out:
        out.write("{\n")
        out.write(f'  "description": {json.dumps(manifest["description"])},\n')
        out.write('  "files": [\n' + ",\n".join(lines) + "\n  ]\n}\n")


def main():
    problems = []
    expected = {
        "description": "What the foreign captures hold and how replay must judge them "
                       "(captures/recorded/README.md, section foreign/). Verdicts: "
                       "'before-shutdown' is the instant before the first session that goes "
                       "down for good (the packet before first_cease_packet); 'end' is the end "
                       "of the capture, after every peer's Cease flushed the tables.",
        "flag": "on",
        "bgp_tcp_port": 179,
        "map_flags": " ".join(f"--map {n}={a}" for n, a in MAPPING.items()),
        "captures": {},
    }
    for name, (route_server, want_failed) in CAPTURES.items():
        pcap = os.path.join(HERE, f"{name}.pcap")
        suite = os.path.join(HERE, f"{name}.suite.json")
        if not os.path.exists(pcap):
            continue
        notes = tshark(pcap, "-Y", "bgp.type == 3", "-T", "fields", "-e", "frame.number",
                       "-e", "bgp.notify.major_error", "-e", "bgp.notify.minor_error_cease")
        codes = collections.Counter()
        for line in notes:
            fields = line.split("\t")
            for major, minor in zip(fields[1].split(","), fields[2].split(",")):
                codes[f"{major}/{minor}"] += 1
        if codes != {"6/2": 10}:
            problems.append(f"{name}: NOTIFICATIONs are {dict(codes)}, not ten Cease 6/2")
        first_cease = int(notes[0].split("\t")[0])
        messages = collections.Counter()
        for line in tshark(pcap, "-Y", "bgp", "-T", "fields", "-e", "bgp.type"):
            for t in line.split(","):
                messages[TYPES.get(t, t)] += 1
        packets = len(tshark(pcap, "-T", "fields", "-e", "frame.number"))

        with tempfile.TemporaryDirectory() as tmp:
            cut = os.path.join(tmp, f"{name}-cut.pcap")
            subprocess.run(["editcap", "-r", pcap, cut, f"1-{first_cease - 1}"], check=True)
            cut_code, cut_failed, cut_results = replay(cut, suite)
        end_code, end_failed, _ = replay(pcap, suite)

        want_code = 1 if want_failed else 0
        if cut_code != want_code or cut_failed != sorted(want_failed):
            problems.append(f"{name}: the cut capture replays with exit {cut_code}, failing "
                            f"{cut_failed}; expected exit {want_code}, failing "
                            f"{sorted(want_failed)}")
        if end_code != 1:
            problems.append(f"{name}: the whole capture replays with exit {end_code}, not 1")
        print(f"{name}: first Cease at packet {first_cease}; cut 1-{first_cease - 1}: exit "
              f"{cut_code} ({cut_results} expectations, failing {cut_failed or 'none'}); whole: "
              f"exit {end_code}, failing {end_failed}")
        expected["captures"][name] = {
            "file": f"{name}.pcap",
            "suite": f"{name}.suite.json",
            "route_server": route_server,
            "mapping": MAPPING,
            "first_cease_packet": first_cease,
            "before_shutdown": {
                "verdict": "failed" if want_failed else "pass",
                "exit_code": want_code,
                "failed_cases": sorted(want_failed),
                "validated_with": f"editcap -r {name}.pcap cut.pcap 1-{first_cease - 1}; "
                                  f"rsconform replay cut.pcap --suite {name}.suite.json "
                                  "--flag on MAP_FLAGS",
            },
            "end": {"verdict": "failed", "exit_code": 1, "failed_cases": end_failed},
            "packets": packets,
            "bgp_messages": sum(messages.values()),
            "messages_by_type": dict(sorted(messages.items())),
            "notifications": dict(codes),
        }
    with open(os.path.join(HERE, "EXPECTED.json"), "w") as out:
        json.dump(expected, out, indent=2)
        out.write("\n")
    update_manifest()
    for p in problems:
        print(f"expected.py: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
