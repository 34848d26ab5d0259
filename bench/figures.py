#!/usr/bin/python3
"""Runs a test binary's tests and renders the FIGURE lines they print as a
Markdown table (the storm sections of docs/BENCHMARKS.md).

  bench/figures.py TITLE BINARY GTEST_FILTER [NAME=VALUE ...]

NAME=VALUE pairs go into the test's environment (TW_STORM_REQUESTS=10000).
Exits non-zero, after printing what it has, when a test failed.
"""
import os
import re
import subprocess
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    title, binary, test_filter = sys.argv[1:4]
    env = dict(os.environ)
    for pair in sys.argv[4:]:
        name, _, value = pair.partition("=")
        env[name] = value
    run = subprocess.run([binary, f"--gtest_filter={test_filter}"], env=env, capture_output=True, text=True,
                         timeout=1800)
    figures = re.findall(r"^FIGURE (\S+) = (.*)$", run.stdout, re.M)
    settings = " ".join(sys.argv[4:])
    print(f"## {title}\n")
    print(f"`{os.path.basename(binary)} --gtest_filter={test_filter}`{' with ' + settings if settings else ''}: "
          f"{'passed' if run.returncode == 0 else '**FAILED**'}.\n")
    print("| figure | value |\n|---|---|")
    for name, value in figures:
        print(f"| {name} | {value} |")
    print()
    if run.returncode != 0:
        sys.stderr.write(run.stdout[-4000:])
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
