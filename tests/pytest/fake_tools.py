"""Fake `vmesh` and `ssh` executables for the plugin's unit tests.

Each appends its argv as one JSON line to $FAKE_LOG and answers with canned output, so a
test can assert which commands the plugin ran. They are the unit seam only: the real
commands are exercised by tests/pytest/vm.
"""
import json
import os
import pathlib
import sys

FAKE_VMESH = r'''
import json, os, sys, time
args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps(["vmesh"] + args) + "\n")
fail = os.environ.get("FAKE_VMESH_FAIL", "")
if fail and args and args[0] == fail:
    sys.stderr.write(f"vmesh: {fail} went wrong: relay refused it\n")
    sys.exit(int(os.environ.get("FAKE_VMESH_FAIL_RC", "2")))
name = args[args.index("--name") + 1] if "--name" in args else "default"
verb = args[0]
if verb == "up":
    time.sleep(float(os.environ.get("FAKE_VMESH_UP_SLEEP", "0")))
    print(f"mesh {name} up")
elif verb == "status":
    print(json.dumps({"name": name, "dir": os.environ["FAKE_RUN_DIR"], "topology": "t.toml",
                      "ssh_key": os.environ.get("FAKE_STATUS_KEY"),
                      "relay": {"pid": 1, "running": True}, "nodes": [], "links": []}))
elif verb == "stats":
    print(json.dumps({"links": [{"from": "n1", "to": "n2", "sent": 10, "delivered": 9,
                                 "dropped": {"loss": 1}, "mean_delay_us": 1000}]}))
elif verb == "node" and args[1] == "start":
    moved = os.environ.get("FAKE_NODES_FILE")
    if moved:  # this boot got another SSH port
        nodes = json.load(open(moved))
        for node in nodes:
            if node["name"] == args[2]:
                node["port"] += 100
        json.dump(nodes, open(moved, "w"))
    if "--json" in args:
        print(json.dumps({"node": args[2], "boot_s": 12.5}))
elif verb == "relay":
    print(json.dumps({"down_s": 0.5, "reconnected_s": 2.0, "all_reconnected": True}))
elif verb == "capture" and args[1] == "stop":
    print(json.dumps({"path": "/tmp/x.pcapng", "packets": 42, "dropped": 0}))
'''

FAKE_SSH = r'''
import json, os, sys, time
args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps(["ssh"] + args) + "\n")
if "-O" in args:
    sys.exit(0)
for i, word in enumerate(args):
    if word == "-o" and args[i + 1].startswith("ControlPath="):
        open(args[i + 1].split("=", 1)[1], "a").close()  # as a master would leave its socket
command = args[-1]
port = args[args.index("-p") + 1]
if command.startswith("sleep"):
    time.sleep(float(command.split()[1]))
if "fail" in command:
    sys.stderr.write(f"boom on port {port}\n")
    sys.exit(3)
print(f"port {port}: {command}")
print("second line")
sys.stderr.write("a warning\n")
'''


def install(directory):
    """Writes bin/vmesh and bin/ssh under directory; returns the bin directory."""
    bin_dir = pathlib.Path(directory) / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, body in (("vmesh", FAKE_VMESH), ("ssh", FAKE_SSH)):
        path = bin_dir / name
        path.write_text(f"#!{sys.executable}\n{body}")
        path.chmod(0o755)
    return bin_dir


def write_nodes(run_dir, count=3, ssh_key=None):
    """A node list as vmesh writes it; returns its path."""
    run_dir = pathlib.Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    nodes = []
    for index in range(count, 0, -1):  # written out of order: the plugin sorts by index
        entry = {"host": "127.0.0.1", "port": 2221 + index, "place_id": f"virtual-mesh-{index}",
                 "user": "root", "name": f"n{index}", "index": index,
                 "mesh_ip": f"10.13.0.{index}", "mac_prefix": f"02:00:00:00:{index:02x}",
                 "macs": [f"02:00:00:00:{index:02x}:00"], "log": str(run_dir / f"n{index}.log"),
                 "pid": 1000 + index}
        if ssh_key:
            entry["ssh_key"] = ssh_key
        nodes.append(entry)
    path = run_dir / "nodes.json"
    path.write_text(json.dumps(nodes))
    return path


def read_log(path):
    """The commands the fakes ran, oldest first."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
