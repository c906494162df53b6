#!/usr/bin/env python3
"""Checks .github/workflows: valid YAML with the fields GitHub requires, and every repo
script or topology a step names exists. Exit 1 with one line per problem."""
import pathlib
import re
import sys

import yaml

top = pathlib.Path(sys.argv[1])
problems = []
files = sorted((top / ".github" / "workflows").glob("*.yml"))
if not files:
    problems.append("no workflow files")
for path in files:
    doc = yaml.safe_load(path.read_text())
    name = path.name
    # YAML 1.1 reads the key `on` as True.
    if not isinstance(doc, dict) or "jobs" not in doc or ("on" not in doc and True not in doc):
        problems.append(f"{name}: needs 'on' and 'jobs'")
        continue
    for job_id, job in doc["jobs"].items():
        if "runs-on" not in job:
            problems.append(f"{name}: job {job_id} has no runs-on")
        for i, step in enumerate(job.get("steps", [])):
            if ("run" in step) == ("uses" in step):
                problems.append(f"{name}: {job_id} step {i} needs exactly one of run/uses")
            for ref in re.findall(r"(?:\./)?((?:scripts|topologies|launcher|\.ci)/[\w./-]+)", step.get("run", "")):
                if not (top / ref).exists():
                    problems.append(f"{name}: {job_id} step {i} names {ref}, which does not exist")
for p in problems:
    print(p)
print(f"{len(files)} workflow files checked, {len(problems)} problems")
sys.exit(1 if problems else 0)
