#!/usr/bin/env python3
"""Twenty nodes on one machine: `vmesh run` boots all twenty guests of a 20-node ladder at once
(VMESH_BOOT_PARALLEL=20), waits for the whole mesh (routes to and a ping to every node, up to
ten hops), then runs the scenario's timeline: the n1-n2 link fails and n1's route to n2
must move to the other rail. Passes only if every check passes, no guest's
console shows a kernel panic or the boot-time timer check failing (and no guest booted
twice), and the image's batman-adv is the one without network coding (the idle cost that
decides whether twenty guests fit).

  scale_twenty_nodes.py VMESH_BIN SCENARIO.toml WORK_DIR
"""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

NODES = 20
STARVED_BOOT = re.compile(r"Kernel panic|MP-BIOS bug|timer doesn't work")


def fail(message: str) -> None:
    sys.exit(f"FAIL: {message}")


def main() -> None:
    vmesh, scenario, work = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    work.mkdir(parents=True, exist_ok=True)
    report_path = work / (pathlib.Path(scenario).stem + ".json")
    env = dict(os.environ, VMESH_BOOT_PARALLEL=str(NODES))
    result = subprocess.run([vmesh, "run", scenario, "--keep", "--json", str(report_path)],
                            env=env, text=True, capture_output=True, check=False)
    print(result.stdout[-6000:])
    print(result.stderr[-6000:], file=sys.stderr)
    if not report_path.exists():
        fail(f"vmesh run wrote no report (exit {result.returncode})")
    report = json.loads(report_path.read_text())
    run_dir = pathlib.Path(report["run_dir"])
    if len(report["nodes"]) != NODES:
        fail(f"the report has {len(report['nodes'])} nodes, want {NODES}")
    if result.returncode != 0 or not report["passed"]:
        failed = [c["name"] + ": " + c["detail"] for c in report["checks"] if c["result"] != "pass"]
        fail(f"vmesh run exited {result.returncode}; error {report.get('error')!r}; "
             f"failed checks {failed}; logs in {run_dir}")

    for node in report["nodes"]:
        console = pathlib.Path(node["log"]).read_text(errors="replace")
        if STARVED_BOOT.search(console):
            fail(f"{node['name']}: its console shows a starved boot: "
                 f"{STARVED_BOOT.search(console).group(0)!r} ({node['log']})")
        boots = console.count("vmesh-init: started")
        if boots > 1:
            fail(f"{node['name']} booted {boots} times ({node['log']})")

    image_dir = pathlib.Path((run_dir / "image.path").read_text().strip())
    batman = (image_dir / "batman-adv").read_text().strip()
    if not batman.startswith("built without network coding"):
        fail(f"the image's batman-adv is not the one without network coding: {batman}")

    times = report["times_s"]
    reroute = report["checks"][2]
    print(f"PASS: {NODES} nodes booted at once, boot to SSH {times['boot_to_ssh']:.1f} s, "
          f"mesh {times['mesh']:.1f} s; {reroute['name']} {reroute['seconds']:.1f} s after the cut; "
          f"batman-adv {batman}")
    shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
