#!/usr/bin/env python3
"""Runs ../shared/tools/script-check.py over a directory of case files with the
built awsevents CLI. Exits 77 (meson: skipped), saying why, when the shared
runner or its data are not next to the source tree.

Optional trailing arguments NAME=REASON leave case file NAME out of the run,
printing the reason, for cases that fail because of a known bug elsewhere
(each such argument in meson.build names the bug)."""
import glob, os, subprocess, sys

cli, tools, data = sys.argv[1:4]
skip = dict(a.split("=", 1) for a in sys.argv[4:])
runner = os.path.join(tools, "script-check.py")
cases = sorted(glob.glob(os.path.join(data, "*.json")))
if not os.path.exists(runner) or not cases:
    print(f"SKIPPED: no conformance runner at {runner} or no cases in {data}", file=sys.stderr)
    sys.exit(77)
for name, reason in skip.items():
    print(f"NOT RUN: {name}: {reason}")
cases = [c for c in cases if os.path.basename(c) not in skip]
sys.exit(subprocess.call([sys.executable, runner, cli, *cases]))
