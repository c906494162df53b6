#!/usr/bin/env python3
"""How a mesh's cost grows with its size: for N = 2, 5, 10, 20 nodes in a ring (each node
hears its two neighbours; N = 2 is a pair), `vmesh run` boots the default guest, waits for the
mesh and then, as the run's COMMAND, samples for --idle-s seconds: the host's busy CPU and
each node's QEMU CPU (utime + stime of /proc/PID/stat) while the mesh idles. Writes
scale-bench.json; scale_report.py renders it.

usage: scale_bench.py --vmesh build/launcher/vmesh --out DIR [--sizes 2 5 10 20]
                      [--idle-s 20] [--timeout 900] [--relay-transport serial|vhost-user]
       scale_bench.py --sample-idle SECONDS OUT.json   (run by vmesh as the COMMAND)
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def ring_topology(n):
    lines = [f'[meta]\nname = "ring{n}"\nseed = {n}\n',
             '[medium]\ndefault = "none"\nchannel = 1\n',
             '[medium.defaults]\ndelay = "1ms"\n']
    lines += [f'[[node]]\nname = "n{i}"\n' for i in range(1, n + 1)]
    pairs = {(i, i % n + 1) for i in range(1, n + 1)} if n > 2 else {(1, 2)}
    lines += [f'[[link]]\nnodes = ["n{a}", "n{b}"]\n' for a, b in sorted(pairs)]
    return "\n".join(lines)


def host_cpu_ticks():
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields), idle


def process_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime
    except OSError:
        return None


def sample_idle(seconds, out):
    nodes = json.load(open(os.environ["VMESH_NODES_FILE"]))
    pids = {node["name"]: node["pid"] for node in nodes}
    total0, idle0 = host_cpu_ticks()
    before = {name: process_ticks(pid) for name, pid in pids.items()}
    started = time.monotonic()
    time.sleep(seconds)
    elapsed = time.monotonic() - started
    total1, idle1 = host_cpu_ticks()
    per_node = {}
    for name, pid in pids.items():
        after = process_ticks(pid)
        if before[name] is not None and after is not None:
            per_node[name] = 100.0 * (after - before[name]) / TICKS_PER_S / elapsed
    busy = 100.0 * (1.0 - (idle1 - idle0) / max(1, total1 - total0))
    json.dump({"seconds": elapsed, "host_busy_pct": busy, "cpus": os.cpu_count(),
               "node_cpu_pct": per_node}, open(out, "w"), indent=1)


def run_size(vmesh, n, out_dir, idle_s, timeout_s, transport):
    topology = out_dir / f"ring{n}.toml"
    topology.write_text(ring_topology(n))
    report = out_dir / f"ring{n}.json"
    idle = out_dir / f"ring{n}.idle.json"
    started = time.monotonic()
    result = subprocess.run(
        [vmesh, "run", str(topology), "--json", str(report), "--timeout", f"{timeout_s}s",
         "--relay-transport", transport, "--",
         sys.executable, os.path.abspath(__file__), "--sample-idle", str(idle_s), str(idle)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    wall = time.monotonic() - started
    (out_dir / f"ring{n}.log").write_text(result.stdout)
    entry = {"nodes": n, "transport": transport, "exit": result.returncode, "wall_s": wall}
    if report.exists():
        times = json.load(open(report)).get("times_s", {})
        entry.update({"boot_to_ssh_s": times.get("boot_to_ssh"), "mesh_s": times.get("mesh"),
                      "formed_s": (times.get("boot_to_ssh") or 0) + (times.get("mesh") or 0)})
    if idle.exists():
        sample = json.load(open(idle))
        cpu = list(sample["node_cpu_pct"].values())
        entry.update({"host_busy_pct": sample["host_busy_pct"], "cpus": sample["cpus"],
                      "node_cpu_pct_mean": sum(cpu) / len(cpu) if cpu else None,
                      "node_cpu_pct_max": max(cpu) if cpu else None})
    return entry


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample-idle", nargs=2, metavar=("SECONDS", "OUT"))
    parser.add_argument("--vmesh")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 5, 10, 20])
    parser.add_argument("--idle-s", type=float, default=20.0)
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("--relay-transport", default="serial",
                        choices=["serial", "tcp", "vhost-user"])
    args = parser.parse_args()
    if args.sample_idle:
        sample_idle(float(args.sample_idle[0]), args.sample_idle[1])
        return 0
    if not args.vmesh or not args.out:
        parser.error("--vmesh and --out are needed")
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for n in args.sizes:
        entry = run_size(args.vmesh, n, args.out, args.idle_s, args.timeout,
                         args.relay_transport)
        print(json.dumps(entry), flush=True)
        results.append(entry)
    json.dump({"date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(),
               "sizes": results}, open(args.out / "scale-bench.json", "w"), indent=1)
    return 0 if all(r["exit"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
