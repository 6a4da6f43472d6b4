#!/usr/bin/env python3
"""Runs every case of ../shared/conformance/states through
../shared/tools/conformance-states.py with the built awsevents CLI, in two
parts: the JSONPath cases, and the JSONata cases (QueryLanguage "JSONata",
evaluated by lib/jsonata with Step Functions' profile: $partition, $range,
$parse...). Both must pass whole. Fails
loudly when the shared runner or its data are missing: these cases are the
evidence that executions behave as AWS's did.

The shared runner compares outputs as JSON values. This also compares the
order of every object's members with the recorded output's: AWS answers
some objects in an order of its own (lib/core/java_order.h), which users
comparing output texts see."""
import json, os, subprocess, sys, tempfile
from collections import OrderedDict

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


def order_differs(ours, want, where="$"):
    """The first place where ours orders an object's members otherwise than
    want does, or None."""
    if isinstance(ours, dict) and isinstance(want, dict):
        if list(ours) != list(want) and sorted(ours) == sorted(want):
            return f"{where}: {list(ours)}, recorded {list(want)}"
        pairs = [(ours[k], want[k], f"{where}.{k}") for k in want if k in ours]
    elif isinstance(ours, list) and isinstance(want, list):
        pairs = [(o, w, f"{where}[{i}]") for i, (o, w) in enumerate(zip(ours, want))]
    else:
        return None
    for o, w, at in pairs:
        found = order_differs(o, w, at)
        if found:
            return found
    return None


ordered = 0
with tempfile.TemporaryDirectory() as tmp:
    for c in parts["jsonpath"] + parts["jsonata"]:
        want = json.load(open(os.path.join(data, c["case"], "expected.json")),
                         object_pairs_hook=OrderedDict).get("output")
        if not isinstance(want, (dict, list)):
            continue
        for name, text in (("def.json", c["definition"]), ("in.json", c["input"])):
            open(os.path.join(tmp, name), "w").write(text)
        p = subprocess.run([cli, "run-state-machine", "--definition", "file://" + os.path.join(tmp, "def.json"),
                            "--input", "file://" + os.path.join(tmp, "in.json")], capture_output=True, text=True)
        try:
            ours = json.loads(json.loads(p.stdout)["output"], object_pairs_hook=OrderedDict)
        except (ValueError, KeyError):
            continue  # the shared runner reports a case that did not succeed
        ordered += 1
        found = order_differs(ours, want)
        if found:
            print(f"FAILED member order, {c['case']}: {found}", file=sys.stderr)
            rc = 1
print(f"member order compared in {ordered} recorded outputs")
sys.exit(rc)
