#!/usr/bin/env python3
"""A station whose passphrase is wrong never associates: `vmesh run` must fail within its
--ready-timeout, name the node, its profile, what it waited for and what it last saw, and
leave no process of the run behind; while it waits, a line every 10 s says what for.

  readiness_timeout.py VMESH_BIN AP_STATIONS.toml WORK_DIR
"""
import os
import pathlib
import re
import subprocess
import sys
import time

READY_TIMEOUT_S = 40


def fail(message: str) -> None:
    sys.exit(f"FAIL: {message}")


def processes_naming(text: str) -> list[str]:
    found = []
    for proc in pathlib.Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(f"{proc.name}: {cmdline}")
    return found


def main() -> None:
    vmesh, source, work = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    work.mkdir(parents=True, exist_ok=True)
    text = source.read_text()
    # sta2 keeps the AP's SSID and security but brings its own, wrong, passphrase.
    broken, count = re.subn(r'(name = "sta2"\nprofile = "sta"\nap = "ap"\n)',
                            r'\1psk = "not the passphrase"\n', text)
    if count != 1:
        fail(f"{source} has no sta2 station to break")
    topology = work / "broken-psk.toml"
    topology.write_text(broken)
    run_dir_root = work / "runtime"
    run_dir_root.mkdir(exist_ok=True)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(run_dir_root))
    started = time.monotonic()
    result = subprocess.run([vmesh, "run", str(topology), "--timeout", "400", "--ready-timeout",
                             f"{READY_TIMEOUT_S}s"], capture_output=True, text=True, env=env,
                            timeout=600)
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    print(output)
    if result.returncode == 0:
        fail("a station with a wrong passphrase passed")
    if "the nodes were not ready within --ready-timeout" not in output:
        fail("no readiness timeout error")
    if not re.search(r"sta2 \(sta\): waited for association with ap \(ssid vmesh-office, bssid "
                     r"02:00:00:00:01:00\) and address 10\.13\.0\.3.*; last seen: wpa_state=", output):
        fail("the error does not say what sta2 waited for and what it saw")
    # Off a terminal the wait is never silent: every 10 s a line says what sta2 waits for.
    if not re.search(r"^  sta2 waits for association with ap .*; seen: wpa_state=", output,
                     re.MULTILINE):
        fail("no periodic line saying what sta2 waits for")
    for name in ("sta1", "sae1"):
        if re.search(rf"^  {name} \(", output, re.MULTILINE):
            fail(f"{name} associated but is listed as waiting")
    # Boot and image take their share; the wait itself is bounded by --ready-timeout.
    if elapsed > READY_TIMEOUT_S + 120:
        fail(f"vmesh run took {elapsed:.0f} s with --ready-timeout {READY_TIMEOUT_S}s")
    left = processes_naming(str(run_dir_root))
    if left:
        fail("processes left: " + "; ".join(left))
    print(f"PASS (failed as expected after {elapsed:.0f} s)")


main()
