#!/usr/bin/env python3
"""The layers of ARCHITECTURE.md, checked on the sources and the CMake targets.

- A module's library code (src/<module>/, tests aside) includes only its own
  headers, public ones (tokenwarden/...) and those of modules below it, in
  the order of the root CMakeLists.txt; never test support. Its tw_module
  DEPS name only modules below it.
- Public headers (include/tokenwarden/) include only public headers.
- src/testing/ is the one testing folder: no other folder is named testing,
  and nothing includes from one. Its files include no module test utility
  (*_test_util.h); those of tokenwarden::testing include nothing of the
  project but src/testing/, those of tokenwarden::testing_http also http and
  the modules below it.

Tests (*_test.cc, *_test_util.h) may use any layer: they run against the real
emulator, a higher layer, on purpose.

Usage: layering_test.py SOURCE_DIR
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
TW_MODULE = re.compile(r"tw_module\(\s*(\w+)(.*?)\)", re.S)
TARGET_LINKS = re.compile(r"target_link_libraries\(\s*(\w+)(.*?)\)", re.S)
DEP = re.compile(r"tokenwarden::(\w+)")
SOURCE_SUFFIXES = {".h", ".cc"}

# Files of src/testing in tokenwarden::testing_http (src/testing/CMakeLists.txt).
TESTING_HTTP_FILES = {"http_call.h", "http_call.cc", "callback_receiver.h"}


def layers(root):
    text = (root / "CMakeLists.txt").read_text()
    m = re.search(r"foreach\(module ([\w ]+)\)", text)
    if not m:
        raise SystemExit("no 'foreach(module ...)' layer list in CMakeLists.txt")
    return m.group(1).split()


def is_test(path):
    return path.name.endswith("_test.cc") or path.name.endswith("_test_util.h")


def includes(path):
    return INCLUDE.findall(path.read_text(errors="replace"))


def check(root):
    order = layers(root)
    rank = {m: i for i, m in enumerate(order)}
    problems = []
    src = root / "src"

    for path in sorted(src.rglob("*")):
        if path.is_dir() and path.name == "testing" and path != src / "testing":
            problems.append(f"{path.relative_to(root)}: a second testing folder (use src/testing)")
        if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
            continue
        rel = path.relative_to(src)
        module = rel.parts[0]
        for inc in includes(path):
            first = inc.split("/")[0]
            where = f"{path.relative_to(root)}: includes {inc}"
            if "/testing/" in inc:
                problems.append(f"{where}: from a testing folder other than src/testing")
            if module == "testing":
                if inc.endswith("_test_util.h"):
                    problems.append(f"{where}: src/testing may not use a module's test utility")
                elif first == "testing":
                    pass
                elif first in rank and path.name in TESTING_HTTP_FILES and rank[first] <= rank["http"]:
                    pass
                elif first in rank or first == "tokenwarden":
                    target = "testing_http" if path.name in TESTING_HTTP_FILES else "testing"
                    problems.append(f"{where}: above tokenwarden::{target}'s layer")
            elif module in rank and not is_test(path):
                if first == "testing":
                    problems.append(f"{where}: library code may not use test support")
                elif first in rank and rank[first] > rank[module]:
                    problems.append(f"{where}: {first} is a higher layer than {module}")

    for path in sorted((root / "include" / "tokenwarden").glob("*.h")):
        for inc in includes(path):
            if not inc.startswith("tokenwarden/"):
                problems.append(f"{path.relative_to(root)}: includes {inc}: a public header includes only public ones")

    for module in order:
        cmake = src / module / "CMakeLists.txt"
        if not cmake.exists():
            continue
        for name, body in TW_MODULE.findall(cmake.read_text()):
            deps = body.split("DEPS", 1)[1] if "DEPS" in body else ""
            for dep in DEP.findall(deps):
                if dep not in rank or rank[dep] >= rank[name]:
                    problems.append(f"{cmake.relative_to(root)}: module {name} links tokenwarden::{dep}, not below it")

    testing_cmake = src / "testing" / "CMakeLists.txt"
    allowed = {"tokenwarden_testing": set(), "tokenwarden_testing_http": {"testing"} | set(order[: rank["http"] + 1])}
    for target, body in TARGET_LINKS.findall(testing_cmake.read_text()):
        for dep in DEP.findall(body):
            if dep not in allowed.get(target, set()):
                problems.append(f"{testing_cmake.relative_to(root)}: {target} links tokenwarden::{dep}")
    return problems


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    problems = check(pathlib.Path(sys.argv[1]).resolve())
    for p in problems:
        print(p)
    print(f"{len(problems)} layering problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
