#!/usr/bin/env python3
"""8. Drop-in mode: the users' own clients, direct to the upstream against
through the drop-in listener.

N client processes (examples/dropin/alliance_client.mjs, which authorizes
before every call as the bank's SDK does) make M create-order + operations
pairs each, first straight at the emulator, then with only their base URL
changed to the agent's drop-in listener. Reported: the authorizations the
upstream saw, and the time per call each way (the emulator is on loopback,
so the difference is what the agent adds, minus the authorizations it
saves).

  bench/dropin.py BUILD_DIR [--clients N] [--calls M]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
import node_clients  # noqa: E402
from agent_vs_nginx import free_port, get, wait_http  # noqa: E402

CODE = "00000000-0000-4000-8000-00000000demo"


def emulator_authorizations(port):
    return json.loads(get(port, "/_emulator/stats")[1])["alliance"][CODE]["authorizations"]


def run(where, base, keys, clients, calls, emu_port):
    before = emulator_authorizations(emu_port)
    t0 = time.monotonic()
    outs = node_clients.finish_clients(node_clients.start_clients(where, "alliance_client.mjs", {
        "BASE_URL": base, "SERVICE_CODE": CODE, "KEY_FILE": os.path.join(keys, "alliance.private.jwk.json"),
        "CALLS": str(calls)}, clients), timeout=600)
    wall = time.monotonic() - t0
    after = emulator_authorizations(emu_port)
    api_calls = sum(o["calls"] for o in outs)
    per_call_ms = sum(o["ms"] for o in outs) / api_calls
    return {"upstream_authorizations": after - before, "client_authorizations": sum(o["authorizations"] for o in outs),
            "calls": api_calls, "per_call_ms": per_call_ms, "wall_s": wall}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build")
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--calls", type=int, default=20, help="create-order + operations pairs per client")
    args = ap.parse_args()
    if not (1 <= args.clients <= 100 and 1 <= args.calls <= 1000):
        sys.exit("bench: --clients must be 1..100 and --calls 1..1000")
    binary = os.path.join(args.build, "bin", "tokenwarden")
    where = node_clients.client_dir(args.build)
    work = tempfile.mkdtemp(prefix="tw-bench-dropin-")
    emu_port, agent_port, dropin_port = free_port(), free_port(), free_port()
    keys = os.path.join(work, "keys")
    procs = []
    try:
        procs.append(subprocess.Popen([binary, "emulate", "--demo", "--demo-dir", keys, "--listen",
                                       f"127.0.0.1:{emu_port}"], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        wait_http(emu_port, "/_emulator/clock")
        with open(os.path.join(work, "agent.toml"), "w") as f:
            f.write(f'[agent]\nlisten = "127.0.0.1:{agent_port}"\nstate_dir = "{work}/state"\nlog_level = "warn"\n\n'
                    f'[dropin]\nlisten = "127.0.0.1:{dropin_port}"\n\n[[account]]\nid = "shop"\n'
                    f'provider = "alliance"\nbase_url = "http://127.0.0.1:{emu_port}"\nservice_code = "{CODE}"\n'
                    f'private_jwk_file = "{keys}/alliance.private.jwk.json"\n')
        procs.append(subprocess.Popen([binary, "serve", "--config", os.path.join(work, "agent.toml")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_http(agent_port, "/readyz")
        direct = run(where, f"http://127.0.0.1:{emu_port}", keys, args.clients, args.calls, emu_port)
        dropin = run(where, f"http://127.0.0.1:{dropin_port}", keys, args.clients, args.calls, emu_port)
    finally:
        for p in reversed(procs):
            p.terminate()
            p.wait(timeout=15)
    print("## 8. Drop-in mode: unmodified clients, direct against through the drop-in listener\n")
    print(f"{args.clients} processes of examples/dropin/alliance_client.mjs (node, npm jose@5), each making "
          f"{args.calls} create-order + operations pairs and authorizing before every call, as the bank's SDK "
          f"does; the emulator on loopback. Time per call includes the client's own authorization (and, "
          f"direct, its decryption of a fresh JWE).\n")
    print("| | upstream authorizations | client authorize calls | calls | ms per call (mean) | wall s |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in (("direct to the emulator", direct), ("through the drop-in listener", dropin)):
        print(f"| {name} | {r['upstream_authorizations']:,} | {r['client_authorizations']:,} | {r['calls']:,} | "
              f"{r['per_call_ms']:.2f} | {r['wall_s']:.2f} |")
    saved = direct["upstream_authorizations"] - dropin["upstream_authorizations"]
    print(f"\nUpstream authorizations saved: {saved:,} of {direct['upstream_authorizations']:,}; "
          f"time per call through the listener / direct: {dropin['per_call_ms'] / direct['per_call_ms']:.2f}x.\n")
    if dropin["upstream_authorizations"] != 0:
        sys.exit("bench: the drop-in run's authorizations reached the upstream")
    return 0


if __name__ == "__main__":
    sys.exit(main())
