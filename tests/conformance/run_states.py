#!/usr/bin/env python3
"""Runs the JSONPath cases of ../shared/conformance/states through
../shared/tools/conformance-states.py with the built awsevents CLI, and says
how many cases were left out because they use the JSONata query language
(QueryLanguage "JSONata"; that engine is another module's). Fails loudly when
the shared runner or its data are missing: these cases are the evidence that
executions behave as AWS's did."""
import json, os, subprocess, sys, tempfile

cli, tools, data = sys.argv[1:4]
runner = os.path.join(tools, "conformance-states.py")
if not os.path.exists(runner) or not os.path.isdir(data):
    print(f"FAILED: the Step Functions conformance runner ({runner}) or its cases ({data}) "
          "are missing; check out ../shared beside the source tree", file=sys.stderr)
    sys.exit(1)
jsonpath, jsonata = [], 0
for name in sorted(os.listdir(data)):
    case = os.path.join(data, name)
    if not os.path.exists(os.path.join(case, "definition.json")):
        continue
    definition = open(os.path.join(case, "definition.json")).read()
    if "JSONata" in definition:
        jsonata += 1
        continue
    jsonpath.append({"case": name, "definition": definition,
                     "input": open(os.path.join(case, "input.json")).read(),
                     "expected": json.load(open(os.path.join(case, "expected.json")))})
if not jsonpath:
    print(f"FAILED: no cases found in {data}", file=sys.stderr)
    sys.exit(1)
with tempfile.TemporaryDirectory() as tmp:
    lines = os.path.join(tmp, "jsonpath")
    with open(lines, "w") as f:
        for c in jsonpath:
            f.write(json.dumps(c) + "\n")
    rc = subprocess.call([sys.executable, runner, cli, lines], env={**os.environ, "VERBOSE": "1"})
print(f"skipped (JSONata query language): {jsonata}")
sys.exit(rc)
