#!/usr/bin/env python3
"""Runs a scenario with one check's expectation made wrong and asserts that `vmesh run`
fails because of exactly that check, with a detail that names the expectation.

  wrong_expectation.py VMESH_BIN SCENARIO.toml CHECK_INDEX WORK_DIR

How the check (0-based among the file's [[check]]s) is broken:
  ping with min_loss = 1.0 (expects unreachable) -> max_loss = 0 (expects every reply)
  any other ping                                 -> min_loss = 1.0 (expects no reply)
  route { from, to, via }                        -> via = a hop that cannot be: the destination
                                                    itself when from and to share no link, else a
                                                    node with no link to the destination
Its deadline becomes 10 s so the wrong expectation costs little time; the other checks
and the timeline stay as written and must still pass.
"""
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tomllib


def impossible_hop(topology: dict, source: str, to: str) -> str:
    """A next hop from `source` toward `to` that the medium cannot give: a direct hop when
    the two share no link, else a node that shares none with `to`. A route that is only
    unlikely (e.g. a lossy direct link) can still win for a moment and pass."""
    if topology.get("medium", {}).get("default", "none") != "none":
        sys.exit("route checks can only be broken in topologies with default = \"none\"")
    linked = set()
    for link in topology.get("link", []):
        a, b = link["nodes"] if "nodes" in link else (link["from"], link["to"])
        linked |= {(a, b), (b, a)}
    if (source, to) not in linked:
        return to
    for node in topology["node"]:
        name = node["name"]
        if name not in (source, to) and (name, to) not in linked:
            return name
    sys.exit(f"every node hears {to}: no next hop toward it is impossible")


def break_check(text: str, index: int) -> tuple[str, str]:
    blocks = [m.start() for m in re.finditer(r"^\[\[check\]\]", text, re.M)]
    if index >= len(blocks):
        sys.exit(f"the scenario has {len(blocks)} checks; no check {index}")
    start = blocks[index]
    end = re.compile(r"^\[\[", re.M).search(text, start + 1)
    end = end.start() if end else len(text)
    block = text[start:end]
    line = re.search(r"^(ping|route) = \{(.*)\}.*$", block, re.M)
    if not line:
        sys.exit(f"check {index} is neither ping nor route:\n{block}")
    kind, body = line.group(1), line.group(2)
    if kind == "ping":
        fields = [f.strip() for f in body.split(",") if f.strip()]
        unreachable = any(re.fullmatch(r"min_loss = 1(\.0*)?", f) for f in fields)
        fields = [f for f in fields if not f.startswith(("min_loss", "max_loss"))]
        fields.append("max_loss = 0.0" if unreachable else "min_loss = 1.0")
        expectation = "allowed 0-0%" if unreachable else "allowed 100-100%"
        new_line = "ping = { " + ", ".join(fields) + " }"
    else:
        source = re.search(r'from = "([^"]+)"', body).group(1)
        to = re.search(r'to = "([^"]+)"', body).group(1)
        via = impossible_hop(tomllib.loads(text), source, to)
        body = re.sub(r'via = "[^"]+"', f'via = "{via}"', body)
        expectation = f"want {via}"
        new_line = "route = {" + body + "}"
    block = block.replace(line.group(0), new_line)
    block = re.sub(r'^deadline = "[^"]*"\n', "", block, flags=re.M)
    block = block.rstrip("\n") + '\ndeadline = "10s"\n\n'
    return text[:start] + block + text[end:], expectation


def main() -> int:
    vmesh, scenario, index, work = sys.argv[1], pathlib.Path(sys.argv[2]), int(sys.argv[3]), \
        pathlib.Path(sys.argv[4])
    work.mkdir(parents=True, exist_ok=True)
    broken_text, expectation = break_check(scenario.read_text(), index)
    broken = work / f"{scenario.stem}-wrong-{index}.toml"
    broken.write_text(broken_text)
    report = work / f"{scenario.stem}-wrong-{index}.json"
    run = subprocess.run([vmesh, "run", str(broken), "--json", str(report)],
                         capture_output=True, text=True)
    print(run.stdout)
    print(run.stderr[-3000:], file=sys.stderr)
    failures = []
    if run.returncode != 1:
        failures.append(f"vmesh run exited {run.returncode}, expected 1 (a check failed)")
    result = json.loads(report.read_text())
    if result.get("error"):
        failures.append(f"the run failed outside the checks: {result['error']}")
    for i, check in enumerate(result["checks"]):
        want = "fail" if i == index else "pass"
        if check["result"] != want:
            failures.append(f"check {i} ({check['name']}): {check['result']}, expected {want}: "
                            f"{check['detail']}")
    broken_check = result["checks"][index] if index < len(result["checks"]) else None
    if broken_check and expectation not in broken_check["detail"]:
        failures.append(f"the failed check's detail does not name the expectation "
                        f"'{expectation}': {broken_check['detail']}")
    if broken_check and not re.search(rf"^{re.escape(broken_check['name'])}\s+FAIL", run.stdout,
                                      re.M):
        failures.append(f"no FAIL line for '{broken_check['name']}' in the report table")
    for action in result.get("actions", []):
        if action["result"] != "done":
            failures.append(f"action {action['name']}: {action['result']}: {action['detail']}")
    for failure in failures:
        print("FAILED:", failure, file=sys.stderr)
    if not failures and result.get("run_dir"):
        # vmesh keeps a failed run's logs; this failure was the one wanted.
        shutil.rmtree(result["run_dir"], ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
