"""Keeps README.md true: compiles and runs its C example against the library
just built, runs its Python example, and runs each `awsevents` line of its
tool section, checking what they print against what the README says.

usage: check_readme.py README INCLUDE_DIR LIBRARY AWSEVENTS_TOOL PYTHONPATH
"""
import os
import re
import subprocess
import sys
import tempfile


def blocks(text, language):
    return re.findall(r"^```" + language + r"\n(.*?)^```", text, re.S | re.M)


def run(cmd, env=None, shell=False):
    done = subprocess.run(cmd, env=env, shell=shell, capture_output=True,
                          text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


def expect(ok, what, output):
    if not ok:
        sys.exit(f"README: {what}\n--- output ---\n{output}")


def check_c(text, include_dir, library):
    (source,) = blocks(text, "c")
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "example.c")
        exe = os.path.join(tmp, "example")
        with open(src, "w") as f:
            f.write(source)
        rc, out, err = run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror",
                            "-I", include_dir, src, library, "-o", exe])
        expect(rc == 0, "the C example does not compile", out + err)
        env = dict(os.environ,
                   LD_LIBRARY_PATH=os.path.dirname(library))
        rc, out, err = run([exe], env=env)
    expect(rc == 0, "the C example exits non-zero", out + err)
    lines = out.splitlines()
    expect(len(lines) == 2 and '"detail":{"total":250}' in lines[0]
           and lines[1].startswith("QueueDoesNotExist: "),
           "the C example should print the matching event, then the error",
           out + err)


def check_python(text, pythonpath, library):
    (source,) = blocks(text, "python")
    env = dict(os.environ, PYTHONPATH=pythonpath, AWSEVENTS_LIB=library)
    rc, out, err = run([sys.executable, "-c", source], env=env)
    expect(rc == 0, "the Python example fails", out + err)
    printed = out.splitlines()
    expect(printed == ['{"total":250}', "SUCCEEDED {'total': 250, 'tax': 50}"],
           "the Python example should print what the README says", out + err)
    for line in printed:
        expect(f"`{line}`" in text, f"the README does not quote {line!r}", out)


def check_tool(text, tool):
    section = text[text.index("## The `awsevents` tool"):]
    (commands,) = blocks(section, "sh")[:1]
    env = dict(os.environ,
               PATH=os.path.dirname(tool) + os.pathsep + os.environ["PATH"])
    results = {}
    for line in commands.splitlines():
        command = line.split("  #")[0].strip()
        want = 1 if re.search(r"exit 1\s*$", line) else 0
        rc, out, err = run(command, env=env, shell=True)
        expect(rc == want, f"`{command}` exits {rc}, the README says {want}",
               out + err)
        name = re.search(r"awsevents (\S+)", command).group(1)
        results[name] = out
    expect('"nextState":"Review"' in results["call"],
           "call states TestState should answer nextState Review",
           results["call"])
    expect(results["test-event-pattern"].strip() == '{"Result": true}',
           "test-event-pattern should print {\"Result\": true}",
           results["test-event-pattern"])
    expect('"status":"SUCCEEDED"' in results["run-state-machine"],
           "run-state-machine should succeed", results["run-state-machine"])
    expect(results["jsonata"].strip() == "3.5", "jsonata should print 3.5",
           results["jsonata"])
    expect(len(results["script"].splitlines()) == 2,
           "script should answer each of its two lines", results["script"])


def main():
    readme, include_dir, library, tool, pythonpath = sys.argv[1:6]
    with open(readme) as f:
        text = f.read()
    check_c(text, include_dir, library)
    check_python(text, pythonpath, library)
    check_tool(text, tool)
    print("README examples: C, Python and tool lines ok")


if __name__ == "__main__":
    main()
