#!/usr/bin/env python3
"""Runs ../shared/tools/script-check.py over a directory of case files with the
built awsevents CLI. Exits 77 (meson: skipped), saying why, when the shared
runner or its data are not next to the source tree."""
import glob, os, subprocess, sys

cli, tools, data = sys.argv[1:4]
runner = os.path.join(tools, "script-check.py")
cases = sorted(glob.glob(os.path.join(data, "*.json")))
if not os.path.exists(runner) or not cases:
    print(f"SKIPPED: no conformance runner at {runner} or no cases in {data}", file=sys.stderr)
    sys.exit(77)
sys.exit(subprocess.call([sys.executable, runner, cli, *cases]))
