#!/usr/bin/python3
"""The shipped systemd unit's sandbox: `systemd-analyze security --offline`
must score it 2.0 or lower (0 is the most confined, 10 the least).

  tests/unit_security_test.py UNIT_FILE
"""
import re
import subprocess
import sys

LIMIT = 2.0

unit = sys.argv[1]
r = subprocess.run(["systemd-analyze", "security", "--offline=true", "--no-pager", unit],
                   capture_output=True, text=True)
m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", r.stdout)
if not m:
    sys.exit(f"unit_security_test: FAILED: no score from systemd-analyze (exit {r.returncode}):\n{r.stdout}{r.stderr}")
score = float(m.group(1))
print("\n".join(l for l in r.stdout.splitlines() if l.startswith("✗")))
print(f"systemd-analyze security: {unit} scores {score} (at most {LIMIT})")
if r.stderr.strip():
    print(r.stderr.strip())
sys.exit(0 if score <= LIMIT else 1)
