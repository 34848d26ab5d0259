#!/usr/bin/python3
"""The client examples (examples/clients/) against a real agent and emulator:

  tests/clients_test.py BUILD_DIR

The agent has a [[client]] token, which each client sends. Before each
client the emulator kills the bank's session, so that the client's direct
call is rejected: it must report that generation (one new authorization,
counted by the emulator), retry with the new headers, then call through
the proxy."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from procs import SERVICE_CODE, Agent, Emulator, agent_config, agent_env, free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLIENTS = os.path.join(ROOT, "examples", "clients")
CLIENT_TOKEN = "examples-client-token-0123456789"
RUNNERS = [("shell", ["sh", "client.sh"], "curl"), ("python", ["/usr/bin/python3", "client.py"], "python3"),
           ("node", ["node", "client.mjs"], "node"), ("php", ["php", "client.php"], "php")]


def main():
    binary = os.path.join(os.path.abspath(sys.argv[1]), "bin", "tokenwarden")
    for _, _, tool in RUNNERS:
        if not shutil.which(tool):
            sys.exit(f"clients_test: FAILED: {tool} is missing; scripts/install-deps.sh installs it")
    work = tempfile.mkdtemp(prefix="tw-clients-")
    emu = agent = None
    failures = []
    try:
        emu = Emulator(binary, work)
        port = free_port()
        config = os.path.join(work, "agent.toml")
        with open(config, "w") as f:
            f.write(agent_config(emu, port, os.path.join(work, "state")) +
                    '\n[[client]]\nname = "examples"\ntoken = "${TW_CLIENT_TOKEN}"\naccounts = ["shop"]\n')
        env = agent_env()
        env["TW_CLIENT_TOKEN"] = CLIENT_TOKEN
        agent = Agent(binary, config, port, os.path.join(work, "agent.log"), env=env)
        client_env = dict(os.environ, TOKENWARDEN_URL=f"http://127.0.0.1:{port}", TOKENWARDEN_ACCOUNT="shop",
                          TOKENWARDEN_CLIENT_TOKEN=CLIENT_TOKEN, BANK_URL=emu.url, NODE_NO_WARNINGS="1")
        for name, argv, _ in RUNNERS:
            status = emu.call("POST", "/_emulator/alliance/sessions/kill", {"serviceCode": SERVICE_CODE})[0]
            assert status in (200, 201), f"the emulator did not kill the session: {status}"
            before = emu.authorizations()["alliance"]
            r = subprocess.run(argv, cwd=CLIENTS, env=client_env, capture_output=True, text=True, timeout=60)
            out = r.stdout
            print(f"--- {name} (exit {r.returncode})\n{out}{r.stderr}", flush=True)
            m = re.search(r"^rejected: generation (\d+) \((b_session_doesnt_exists?)\), now generation (\d+)$", out, re.M)
            checks = {
                "exits 0": r.returncode == 0,
                "reads a token": re.search(r"^token: shop generation \d+, expires \S+Z$", out, re.M),
                "reports the rejected generation and gets the next": m and int(m.group(3)) == int(m.group(1)) + 1,
                "calls the bank with the new session": m and f"bank: HTTP 200 with generation {m.group(3)}" in out,
                "calls through the proxy": "\nproxy: HTTP 200\n" in "\n" + out,
                "makes exactly one new authorization": emu.authorizations()["alliance"] == before + 1,
            }
            for what, ok in checks.items():
                print(f"  {'ok  ' if ok else 'FAIL'} {name} {what}")
                if not ok:
                    failures.append(f"{name}: {what}")
    finally:
        if agent:
            agent.stop()
        if emu:
            emu.stop()
        if failures:
            print(open(os.path.join(work, "agent.log")).read()[-3000:])
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        sys.exit("clients_test: FAILED: " + "; ".join(failures))
    print("clients_test: OK")


if __name__ == "__main__":
    main()
