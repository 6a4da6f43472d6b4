#!/usr/bin/env python3
"""Runs every case of ../shared/conformance/states through
../shared/tools/conformance-states.py with the built awsevents CLI, in two
parts: the JSONPath cases, and the JSONata cases (QueryLanguage "JSONata",
evaluated by lib/jsonata with Step Functions' profile: $partition, $range,
$parse...). Both must pass whole. Fails
loudly when the shared runner or its data are missing: these cases are the
evidence that executions behave as AWS's did."""
import json, os, subprocess, sys, tempfile

cli, tools, data = sys.argv[1:4]
runner = os.path.join(tools, "conformance-states.py")
if not os.path.exists(runner) or not os.path.isdir(data):
    print(f"FAILED: the Step Functions conformance runner ({runner}) or its cases ({data}) "
          "are missing; check out ../shared beside the source tree", file=sys.stderr)
    sys.exit(1)
parts = {"jsonpath": [], "jsonata": []}
for name in sorted(os.listdir(data)):
    case = os.path.join(data, name)
    if not os.path.exists(os.path.join(case, "definition.json")):
        continue
    definition = open(os.path.join(case, "definition.json")).read()
    part = "jsonata" if "JSONata" in definition else "jsonpath"
    parts[part].append({"case": name, "definition": definition,
                        "input": open(os.path.join(case, "input.json")).read(),
                        "expected": json.load(open(os.path.join(case, "expected.json")))})
if not parts["jsonpath"]:
    print(f"FAILED: no cases found in {data}", file=sys.stderr)
    sys.exit(1)
rc = 0
with tempfile.TemporaryDirectory() as tmp:
    for part, cases in parts.items():
        if not cases:
            continue
        lines = os.path.join(tmp, part)
        with open(lines, "w") as f:
            for c in cases:
                f.write(json.dumps(c) + "\n")
        rc |= subprocess.call([sys.executable, runner, cli, lines],
                              env={**os.environ, "VERBOSE": "1"})
sys.exit(rc)
