"""The users' own clients (examples/dropin/*.mjs) ready to run: npm's jose@5
installed once into BUILD/dropin-clients, the scripts copied beside it so that
`import 'jose'` resolves. The one place that prepares that folder: the demo,
bench/dropin.py and the drop-in process test (which runs this file) all come
here, and several of them at once under a parallel ctest: a lock serialises
them, npm installs into a staging folder that is renamed into place, and the
scripts are replaced atomically, so no one ever sees a half-installed package
or a half-copied script.

    python3 scripts/node_clients.py BUILD_DIR   # prepares, prints the folder"""
import fcntl
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "jose@5"
SCRIPTS = ("alliance_client.mjs", "novapost_client.mjs")


def _install(where):
    """npm's package into where/node_modules, all of it or nothing."""
    done_mark = os.path.join(where, "node_modules", ".tokenwarden-installed")
    if os.path.exists(done_mark):
        return
    if not shutil.which("npm"):
        sys.exit(f"npm is missing (scripts/install-deps.sh installs it); cannot install {PACKAGE}")
    staging = os.path.join(where, ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging)
    done = subprocess.run(["npm", "install", "--prefix", staging, "--no-audit", "--no-fund", "--no-save",
                           "--silent", PACKAGE], capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        sys.exit(f"npm install {PACKAGE} into {staging} failed:\n{done.stderr}")
    open(os.path.join(staging, "node_modules", ".tokenwarden-installed"), "w").close()
    shutil.rmtree(os.path.join(where, "node_modules"), ignore_errors=True)  # a run killed half-way
    os.rename(os.path.join(staging, "node_modules"), os.path.join(where, "node_modules"))
    shutil.rmtree(staging, ignore_errors=True)


def prepare(where, scripts):
    """where/node_modules with npm's package, and each script (a path) copied
    beside it; safe to call from several processes at once."""
    os.makedirs(where, exist_ok=True)
    with open(os.path.join(where, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _install(where)
        for script in scripts:
            target = os.path.join(where, os.path.basename(script))
            shutil.copy(script, target + ".new")
            os.replace(target + ".new", target)
    return where


def client_dir(build):
    return prepare(os.path.join(os.path.abspath(build), "dropin-clients"),
                   [os.path.join(ROOT, "examples", "dropin", name) for name in SCRIPTS])


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


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: node_clients.py BUILD_DIR  (prepares BUILD_DIR/dropin-clients, prints it)")
    print(client_dir(sys.argv[1]))
