"""The users' own clients (examples/dropin/*.mjs) ready to run: npm's jose@5
installed once into BUILD/dropin-clients (the folder the drop-in process test
uses too), the scripts copied beside it so that `import 'jose'` resolves."""
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def client_dir(build):
    where = os.path.join(os.path.abspath(build), "dropin-clients")
    os.makedirs(where, exist_ok=True)
    if not os.path.exists(os.path.join(where, "node_modules", "jose", "package.json")):
        if not shutil.which("npm"):
            sys.exit("npm is missing (scripts/install-deps.sh installs it); cannot install jose")
        done = subprocess.run(["npm", "install", "--prefix", where, "--no-audit", "--no-fund", "--no-save",
                               "--silent", "jose@5"], capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            sys.exit(f"npm install jose@5 into {where} failed:\n{done.stderr}")
    for name in ("alliance_client.mjs", "novapost_client.mjs"):
        shutil.copy(os.path.join(ROOT, "examples", "dropin", name), where)
    return where


def start_clients(where, script, env, n):
    """Starts n client processes at once; Popen objects."""
    full = dict(os.environ, **env)
    return [subprocess.Popen(["node", os.path.join(where, script)], env=full, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(n)]


def finish_clients(procs, timeout=120):
    """Waits for each; their JSON outputs, or raises naming the first failure."""
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError(f"a client failed: {err.strip()[:400]}")
        outs.append(json.loads(out))
    return outs
