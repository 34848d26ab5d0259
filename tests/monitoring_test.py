#!/usr/bin/python3
"""The shipped monitoring against a running agent:

  tests/monitoring_test.py BUILD_DIR

promtool checks the alerting rules (deploy/prometheus/tokenwarden.rules.yml)
and runs their unit tests (tokenwarden.rules.test.yml); then the agent runs
against the emulator, with a token read, a proxied call and an upstream
error, so that every metric it has shows on /metrics, and each metric name a
rule or a dashboard panel (deploy/grafana/tokenwarden.json) uses must be one
of them: a renamed metric fails here, not in production."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from procs import call, emulator_and_agent

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES = os.path.join(ROOT, "deploy", "prometheus", "tokenwarden.rules.yml")
RULE_TESTS = os.path.join(ROOT, "deploy", "prometheus", "tokenwarden.rules.test.yml")
DASHBOARD = os.path.join(ROOT, "deploy", "grafana", "tokenwarden.json")
# Series Prometheus makes itself for every scrape target, not the agent
# (only tokenwarden_* names are checked; these are listed as known).
SCRAPE_SERIES = {"up"}


def promtool(*args):
    r = subprocess.run(["promtool", *args], capture_output=True, text=True)
    print(r.stdout + r.stderr, flush=True)
    if r.returncode != 0:
        sys.exit(f"monitoring_test: FAILED: promtool {' '.join(args)} exited {r.returncode}")


def names_used():
    """{metric name: where}: every tokenwarden_* name in the rules, and the
    names in each panel's and variable's queries of the dashboard."""
    used = {}
    for name in re.findall(r"\btokenwarden_[a-z0-9_]+", open(RULES).read()):
        used.setdefault(name, "the rules")
    dash = json.load(open(DASHBOARD))
    queries = [(f"panel '{p['title']}'", t["expr"]) for p in dash["panels"] for t in p.get("targets", [])]
    queries += [(f"variable '{v['name']}'", v.get("definition", "")) for v in dash["templating"]["list"]]
    for where, expr in queries:
        for name in re.findall(r"\btokenwarden_[a-z0-9_]+", expr):
            used.setdefault(name, where)
    return used


def exposed(binary, work):
    """The metric names of /metrics of an agent that has served a token, a
    proxied call and an upstream error."""
    with emulator_and_agent(binary, work) as (emu, agent):
        port = agent.port
        agent.token("shop")
        path = "/proxy/shop/ecom/execute_request/merchant/ecom_balance/v1/get"
        status = call(port, "POST", path, {})[0]
        assert status == 200, f"a proxied call answered {status}"
        emu.fault({"kind": "error", "msgCode": "b_server_is_overloaded", "path_prefix": "/ecom/", "count": 1})
        status = call(port, "POST", path, {})[0]
        assert status == 503, f"a proxied call into an overloaded bank answered {status}"
        status, _, text = call(port, "GET", "/metrics")
        assert status == 200, f"/metrics answered {status}"
        return {m.group(1) for m in re.finditer(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", text, re.M)}


def main():
    binary = os.path.join(os.path.abspath(sys.argv[1]), "bin", "tokenwarden")
    if not shutil.which("promtool"):
        sys.exit("monitoring_test: FAILED: promtool is missing; scripts/install-deps.sh installs prometheus")
    promtool("check", "rules", RULES)
    promtool("test", "rules", RULE_TESTS)
    used = names_used()
    work = tempfile.mkdtemp(prefix="tw-monitoring-")
    try:
        have = exposed(binary, work) | SCRAPE_SERIES
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("the agent exposes:", " ".join(sorted(have)))
    missing = {n: w for n, w in used.items() if n not in have}
    for name, where in sorted(used.items()):
        print(f"  {'ok     ' if name in have else 'MISSING'} {name} ({where})")
    if missing:
        sys.exit(f"monitoring_test: FAILED: not on the agent's /metrics: {missing}")
    unused = sorted(n for n in have if n.startswith("tokenwarden_") and n not in used)
    print("monitoring_test: OK" + (f" (on /metrics, in no rule or panel: {' '.join(unused)})" if unused else ""))


if __name__ == "__main__":
    main()
