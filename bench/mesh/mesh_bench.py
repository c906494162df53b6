#!/usr/bin/env python3
"""Whole-mesh benchmarks with real VMs, driven through the vmesh CLI.

Measures, alternating the configurations within every repeat so that a noisy host hits
all of them alike:
  in_vm        the limit: one VM meshing two radios (profile mesh-local, no relay)
  pair_serial  two VMs over one hop, agents on virtio-serial ports (vmesh run's default)
  pair_tcp     two VMs over one hop, agents over guest TCP and user-mode net (vwifi's way)
  pair_vhost   two VMs over one hop, no agents: hwsim's virtio queues served by the relay over
               vhost-user (QEMU >= 10.2; the cached Debian 13 QEMU on older hosts)
  line3        two hops: n1 -> n3 through n2 (topologies/line3.toml)
For each: iperf3 TCP and UDP (Mbit/s, UDP loss), ping RTTs (p50/p90/max). Then the time to
a formed mesh for 2, 3 and 5 nodes (vmesh run's own boot-to-SSH and mesh times).

Writes RESULTS_DIR/mesh-bench.json (min/median/max over repeats, raw samples) and, with
report.py, a markdown report with an SVG plot. usage: mesh_bench.py --help
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]

PAIR_TOML = """[meta]
name = "bench-pair"
[medium]
default = "all"
channel = 1
[[node]]
name = "n1"
[[node]]
name = "n2"
"""

IN_VM_TOML = """[meta]
name = "bench-in-vm"
[medium]
default = "all"
channel = 1
[[node]]
name = "n1"
profile = "mesh-local"
radios = 2
"""


def full_mesh_toml(nodes):
    body = '[meta]\nname = "bench-form-{}"\n[medium]\ndefault = "all"\nchannel = 1\n'.format(nodes)
    return body + "".join('[[node]]\nname = "n{}"\n'.format(i + 1) for i in range(nodes))


class Vmesh:
    def __init__(self, binary, run_name):
        self.binary = str(binary)
        self.run_name = run_name

    def cli(self, *args, check=True, timeout=600):
        result = subprocess.run([self.binary, *args], capture_output=True, text=True,
                                timeout=timeout)
        if check and result.returncode != 0:
            raise RuntimeError("vmesh {} failed ({}):\n{}{}".format(
                " ".join(args), result.returncode, result.stdout, result.stderr))
        return result

    def up(self, topology, *extra):
        self.cli("up", str(topology), "--name", self.run_name, *extra)

    def down(self):
        self.cli("down", "--name", self.run_name, check=False)

    def ssh(self, node, command, timeout=300):
        return self.cli("ssh", node, "--name", self.run_name, "--", command,
                        timeout=timeout).stdout


def iperf_tcp_mbps(vm, client, server, server_prefix, target, seconds):
    vm.ssh(server, "{} iperf3 -s -D -1".format(server_prefix).strip())
    time.sleep(1)
    report = json.loads(vm.ssh(client, "iperf3 -c {} -t {} -J".format(target, seconds)))
    return round(report["end"]["sum_received"]["bits_per_second"] / 1e6, 2)


def iperf_udp(vm, client, server, server_prefix, target, seconds, offered_mbps):
    vm.ssh(server, "{} iperf3 -s -D -1".format(server_prefix).strip())
    time.sleep(1)
    report = json.loads(vm.ssh(client, "iperf3 -u -l 1400 -b {}M -c {} -t {} -J".format(
        offered_mbps, target, seconds)))
    total = report["end"]["sum"]
    received_mbps = total["bits_per_second"] * (1 - total["lost_percent"] / 100) / 1e6
    return round(received_mbps, 2), round(total["lost_percent"], 2)


def ping_rtts_ms(vm, client, target, count):
    out = vm.ssh(client, "ping -c {} -i 0.1 {}".format(count, target))
    return [float(m) for m in re.findall(r"time=([0-9.]+) ms", out)]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(values):
    if not values:
        return None
    return {"min": round(min(values), 3), "median": round(statistics.median(values), 3),
            "max": round(max(values), 3), "samples": values}


def measure_config(vm, name, topology, up_args, client, server, server_prefix, target, args):
    vm.up(topology, *up_args)
    try:
        tcp = iperf_tcp_mbps(vm, client, server, server_prefix, target, args.seconds)
        udp, udp_loss = iperf_udp(vm, client, server, server_prefix, target, args.seconds,
                                  args.udp_offered_mbps)
        rtts = ping_rtts_ms(vm, client, target, args.pings)
    finally:
        vm.down()
    p50 = percentile(rtts, 0.5) if rtts else None
    p90 = percentile(rtts, 0.9) if rtts else None
    print("  {:12s} TCP {:6.1f} Mbit/s  UDP {:6.1f} Mbit/s ({:4.1f} % lost)  ping p50 {} ms "
          "p90 {} ms".format(name, tcp, udp, udp_loss, p50, p90), file=sys.stderr)
    return {"tcp_mbps": tcp, "udp_mbps": udp, "udp_loss_pct": udp_loss, "ping_p50_ms": p50,
            "ping_p90_ms": p90, "ping_max_ms": max(rtts) if rtts else None,
            "ping_lost": args.pings - len(rtts)}


def formation_times(vm, work, nodes, json_dir):
    topology = work / "form{}.toml".format(nodes)
    topology.write_text(full_mesh_toml(nodes))
    report_path = json_dir / "form{}.json".format(nodes)
    result = vm.cli("run", str(topology), "--json", str(report_path), check=False, timeout=900)
    report = json.loads(report_path.read_text())
    if result.returncode != 0:
        raise RuntimeError("vmesh run of {} nodes failed:\n{}".format(nodes, result.stderr))
    times = report["times_s"]
    print("  formation {} nodes: boot to SSH {} s, mesh {} s".format(
        nodes, times.get("boot_to_ssh"), times.get("mesh")), file=sys.stderr)
    return {"boot_to_ssh_s": times.get("boot_to_ssh"), "mesh_s": times.get("mesh"),
            "ready_s": round((times.get("boot_to_ssh") or 0) + (times.get("mesh") or 0), 2)}


def qemu_versions():
    """The host's QEMU and, when cached, the Debian 13 QEMU the vhost-user transport uses."""
    def first_line(argv):
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=60).stdout
        except OSError:
            return None
        return out.splitlines()[0] if out else None
    versions = {"host": first_line(["qemu-system-x86_64", "--version"])}
    root = first_line([str(TOP / "launcher" / "image" / "build-qemu-root.sh")])
    if root:
        versions["vhost_user"] = first_line([root, "--version"])
    return versions


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=str(TOP / "build"), help="build directory")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=8, help="iperf3 duration")
    parser.add_argument("--pings", type=int, default=50)
    parser.add_argument("--udp-offered-mbps", type=int, default=150)
    parser.add_argument("--formation-nodes", default="2,3,5")
    parser.add_argument("--configs", default="in_vm,pair_serial,pair_tcp,pair_vhost,line3")
    parser.add_argument("--out", default=str(TOP / "bench" / "mesh" / "results"),
                        help="directory for mesh-bench.json")
    args = parser.parse_args()

    vmesh = Path(args.build) / "launcher" / "vmesh"
    if not os.access(vmesh, os.X_OK):
        sys.exit("mesh_bench: build vmesh first ({})".format(vmesh))
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    vm = Vmesh(vmesh, "bench-{}".format(os.getpid()))
    work = Path(tempfile.mkdtemp(prefix="vmesh-bench."))
    (work / "pair.toml").write_text(PAIR_TOML)
    (work / "in-vm.toml").write_text(IN_VM_TOML)
    configs = {
        "in_vm": (work / "in-vm.toml", [], "n1", "n1", "ip netns exec peer", "10.13.1.1"),
        "pair_serial": (work / "pair.toml", ["--relay-transport", "serial"], "n1", "n2", "",
                        "10.13.0.2"),
        "pair_tcp": (work / "pair.toml", ["--relay-transport", "tcp"], "n1", "n2", "",
                     "10.13.0.2"),
        "pair_vhost": (work / "pair.toml", ["--relay-transport", "vhost-user"], "n1", "n2", "",
                       "10.13.0.2"),
        "line3": (TOP / "topologies" / "line3.toml", [], "n1", "n3", "", "10.13.0.3"),
    }
    wanted = [c for c in args.configs.split(",") if c]
    unknown = [c for c in wanted if c not in configs]
    if unknown:
        sys.exit("mesh_bench: unknown configuration(s): {}".format(", ".join(unknown)))

    started = time.time()
    samples = {name: [] for name in wanted}
    failures = {}
    try:
        for repeat in range(1, args.repeats + 1):
            print("repeat {}/{}".format(repeat, args.repeats), file=sys.stderr)
            for name in wanted:
                try:
                    samples[name].append(measure_config(vm, name, *configs[name], args))
                except (RuntimeError, subprocess.TimeoutExpired, ValueError) as error:
                    # One failed measurement is recorded, not fatal to the others' numbers.
                    print("  {:12s} FAILED: {}".format(name, str(error).strip()[:400]),
                          file=sys.stderr)
                    failures.setdefault(name, []).append(str(error).strip()[:2000])
        formation = {}
        for nodes in [int(n) for n in args.formation_nodes.split(",") if n]:
            runs = [formation_times(vm, work, nodes, work) for _ in range(args.repeats)]
            formation[str(nodes)] = {key: summary([r[key] for r in runs if r[key] is not None])
                                     for key in ("boot_to_ssh_s", "mesh_s", "ready_s")}
    finally:
        vm.down()
        shutil.rmtree(work, ignore_errors=True)  # the topologies and formation reports

    results = {"tool": "bench/mesh/mesh_bench.py", "date": time.strftime("%Y-%m-%d"),
               "host": {"cpus": os.cpu_count(), "machine": platform.machine(),
                        "kernel": platform.release()},
               "repeats": args.repeats, "iperf_seconds": args.seconds, "pings": args.pings,
               "udp_offered_mbps": args.udp_offered_mbps,
               "qemu": qemu_versions(),
               "duration_s": round(time.time() - started, 1), "configs": {},
               "formation": formation, "failures": failures}
    samples = {name: runs for name, runs in samples.items() if runs}
    for name, runs in samples.items():
        results["configs"][name] = {key: summary([r[key] for r in runs if r[key] is not None])
                                    for key in runs[0]}
    if "in_vm" in samples:
        limit = statistics.median(r["tcp_mbps"] for r in samples["in_vm"])
        results["tcp_ratio_to_in_vm"] = {
            name: round(statistics.median(r["tcp_mbps"] for r in runs) / limit, 3)
            for name, runs in samples.items() if name != "in_vm"}
        ping_limit = statistics.median(r["ping_p50_ms"] for r in samples["in_vm"])
        results["ping_p50_ratio_to_in_vm"] = {
            name: round(statistics.median(r["ping_p50_ms"] for r in runs) / ping_limit, 3)
            for name, runs in samples.items() if name != "in_vm"}
    path = out_dir / "mesh-bench.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print("wrote {}".format(path), file=sys.stderr)


if __name__ == "__main__":
    main()
