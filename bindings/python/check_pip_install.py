"""Checks that `pip install --no-build-isolation` of the binding works
offline in a venv made with --system-site-packages (as the README says),
and that the installed package runs against the built library.
The venv is made from Debian's own python3 (the README's target, whose
system site holds setuptools and wheel from python3-setuptools and
python3-wheel) when it exists, else from the python running this script.
Usage: check_pip_install.py BINDING_DIR LIBRARY"""
import os
import shutil
import subprocess
import sys
import tempfile


def main(binding_dir, library):
    with tempfile.TemporaryDirectory() as tmp:
        # Build from a copy, so pip's build files stay out of the source tree.
        src = os.path.join(tmp, "src")
        shutil.copytree(binding_dir, src,
                        ignore=shutil.ignore_patterns("__pycache__", "build",
                                                      "*.egg-info"))
        venv = os.path.join(tmp, "venv")
        base = "/usr/bin/python3"
        if not os.path.exists(base):
            base = sys.executable
        subprocess.run([base, "-m", "venv",
                        "--system-site-packages", venv], check=True)
        py = os.path.join(venv, "bin", "python")
        env = dict(os.environ, PIP_NO_INDEX="1",
                   PIP_DISABLE_PIP_VERSION_CHECK="1")
        env.pop("PYTHONPATH", None)
        subprocess.run([py, "-m", "pip", "install", "-q",
                        "--no-build-isolation", src], check=True, env=env)
        env["AWSEVENTS_LIB"] = os.path.abspath(library)
        code = ("import awsevents\n"
                "assert awsevents.__file__.startswith(%r), awsevents.__file__\n"
                "with awsevents.Broker(clock='manual', workers=0) as b:\n"
                "    b.advance(1000)\n"
                "    print(b.now_ms)\n" % venv)
        out = subprocess.run([py, "-c", code], check=True, env=env, cwd=tmp,
                             stdout=subprocess.PIPE, text=True).stdout
        if out != "1704067201000\n":
            print("unexpected output:", out)
            return 1
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
