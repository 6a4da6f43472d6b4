"""Compares what libawsevents.so exports (nm -D --defined-only) with the
functions declared AEV_API in include/awsevents/*.h, both ways, checks that
every declaration lies inside its header's extern "C" block (else C++
callers cannot link it), and checks the SONAME.
Usage: check_exports.py LIBRARY HEADER_DIR"""
import glob
import os
import re
import subprocess
import sys

EXPECTED_SONAME = "libawsevents.so.0"


def declared(header_dir):
    names = set()
    for path in sorted(glob.glob(os.path.join(header_dir, "*.h"))):
        with open(path) as f:
            text = f.read()
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        text = re.sub(r"//[^\n]*", " ", text)
        # Preprocessor lines hold AEV_API's own definition, not declarations.
        text = "\n".join(l for l in text.splitlines()
                         if not l.lstrip().startswith("#"))
        names.update(re.findall(r"\bAEV_API\b[^;{]*?\b(aev_\w+)\s*\(", text))
    return names


def outside_extern_c(header_dir):
    """The AEV_API functions declared outside their header's
    #ifdef __cplusplus extern "C" { ... } block, as "header: name"."""
    found = []
    for path in sorted(glob.glob(os.path.join(header_dir, "*.h"))):
        with open(path) as f:
            text = re.sub(r"/\*.*?\*/", " ", f.read(), flags=re.S)
        opened = text.find('extern "C" {')
        closes = [m.start() for m in
                  re.finditer(r"#ifdef __cplusplus\s*\}\s*#endif", text)]
        closed = closes[-1] if closes else -1
        for m in re.finditer(r"\bAEV_API\b[^;{]*?\b(aev_\w+)\s*\(", text):
            if not opened < m.start() < closed:
                found.append("%s: %s" % (os.path.basename(path), m.group(1)))
    return found


def exported(library):
    out = subprocess.run(["nm", "-D", "--defined-only", library],
                         check=True, capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 3 or fields[1] == "A":  # "A": the version node
            continue
        names.add(fields[2].split("@")[0])
    return names


def soname(library):
    out = subprocess.run(["readelf", "-d", library], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", out)
    return m.group(1) if m else None


def main(library, header_dir):
    problems = []
    want, have = declared(header_dir), exported(library)
    if not want:
        problems.append("no AEV_API declarations found in " + header_dir)
    for name in sorted(want - have):
        problems.append("declared AEV_API but not exported: " + name)
    for name in sorted(have - want):
        problems.append("exported but not declared AEV_API: " + name)
    for where in outside_extern_c(header_dir):
        problems.append('declared outside extern "C": ' + where)
    for name in sorted(have):
        if name.startswith("aev__") or not name.startswith("aev_"):
            problems.append("exported a non-public name: " + name)
    so = soname(library)
    if so != EXPECTED_SONAME:
        problems.append("SONAME is %r, not %r" % (so, EXPECTED_SONAME))
    for p in problems:
        print("FAIL:", p)
    print("%d exported, %d declared, %d problems"
          % (len(have), len(want), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
