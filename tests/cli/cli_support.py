"""What the tests of `awsevents call` / `script` with bound commands share:
running the binary ($AWSEVENTS) and a script session with options."""
import json
import os
import subprocess

EXE = os.environ.get("AWSEVENTS", "awsevents")


def run(*args, stdin=""):
    p = subprocess.run([EXE, *args], input=stdin, capture_output=True,
                       text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def script(lines, option, *specs):
    """Runs `awsevents script --seed 7` with `option SPEC` for each spec
    (--function NAME=COMMAND, --endpoint URL_PREFIX=COMMAND) over lines
    (JSON values): the parsed output lines."""
    args = ["script", "--seed", "7"]
    for s in specs:
        args += [option, s]
    code, out, err = run(*args, stdin="".join(json.dumps(l) + "\n" for l in lines))
    assert code == 0, err
    return [json.loads(l) for l in out.splitlines()]
