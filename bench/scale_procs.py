"""Processes and measurements for bench/scale.py: the processes it starts
(Procs, stopped by PID only), the emulator (start, key registration through
its control API, /_emulator/stats), and what /proc says of a process (memory,
CPU, wake-ups). free_port and call are scripts/demo.py's (as tests/procs.py
uses them); the /proc readers build on bench/agent_vs_nginx.py's."""
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from agent_vs_nginx import cpu_seconds as cpu_user_system, smaps_rollup_kib  # noqa: E402
from demo import call, free_port  # noqa: E402,F401  (one copy of each, shared with make demo and the tests)


def say(msg):
    print(f"[scale {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---- /proc ---------------------------------------------------------------

def proc_memory(pid):
    """VmRSS/VmHWM/Threads from status, Rss/Pss/Private*/Anonymous from smaps_rollup, fds; bytes."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM", "VmSize", "RssAnon", "RssFile"):
                    out[k] = int(v.split()[0]) * 1024
                elif k == "Threads":
                    out[k] = int(v)
        rollup = smaps_rollup_kib(pid)
        for k in ("Rss", "Pss", "Private_Clean", "Private_Dirty", "Anonymous", "Shared_Clean"):
            if k in rollup:
                out["smaps_" + k] = rollup[k] * 1024
        out["Private"] = out.get("smaps_Private_Clean", 0) + out.get("smaps_Private_Dirty", 0)
        out["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        pass
    return out


def cpu_seconds(pid):
    """User + system CPU seconds of the process so far, or None when it is gone."""
    try:
        return sum(cpu_user_system([pid]))
    except (OSError, IndexError, ValueError):
        return None


def context_switches(pid):
    """Voluntary context switches of every thread of the process: how often it went to sleep, i.e. woke."""
    total = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches:"):
                        total += int(line.split()[1])
    except (OSError, ValueError):
        return None
    return total


# ---- processes -----------------------------------------------------------

class Procs:
    """The processes this script started; stopped by PID only."""

    def __init__(self):
        self.procs = []

    def start(self, cmd, log_path):
        log = open(log_path, "w")
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.procs.append(p)
        return p

    def stop(self, p, timeout=60):
        """SIGTERM, wait (bounded), SIGKILL; returns seconds to exit."""
        t0 = time.monotonic()
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                say(f"pid {p.pid} did not exit {timeout} s after SIGTERM; SIGKILL")
                p.kill()
                p.wait()
        if p in self.procs:
            self.procs.remove(p)
        return time.monotonic() - t0

    def stop_all(self):
        for p in reversed(list(self.procs)):
            self.stop(p, timeout=20)


# ---- the emulator ----------------------------------------------------------

def start_emulator(procs, binary, work, name, scale_args):
    port = free_port()
    p = procs.start([binary, "emulate", "--listen", f"127.0.0.1:{port}"] + scale_args, f"{work}/{name}.log")
    deadline = time.time() + 20
    while call(port, "GET", "/_emulator/clock", timeout=2)[0] != 200:
        if p.poll() is not None or time.time() > deadline:
            raise RuntimeError(f"the emulator did not start; see {work}/{name}.log")
        time.sleep(0.05)
    return p, port


def register_keys(port, keys, connections=4):
    """POST /_emulator/novapost/keys for each key over `connections` keep-alive connections."""
    errors = []

    def worker(part):
        conn = None
        for key in part:
            for attempt in range(3):
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    conn.request("POST", "/_emulator/novapost/keys", body=json.dumps({"apiKey": key}).encode(),
                                 headers={"content-type": "application/json"})
                    r = conn.getresponse()
                    r.read()
                    if r.status != 201:
                        errors.append(f"{key}: HTTP {r.status}")
                    if r.getheader("connection", "").lower() == "close":
                        conn.close()
                        conn = None
                    break
                except (OSError, http.client.HTTPException) as e:
                    if conn is not None:
                        conn.close()
                    conn = None
                    if attempt == 2:
                        errors.append(f"{key}: {e}")
        if conn is not None:
            conn.close()

    t0 = time.monotonic()
    parts = [keys[i::connections] for i in range(connections)]
    threads = [threading.Thread(target=worker, args=(p,)) for p in parts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - t0
    if errors:
        raise RuntimeError(f"{len(errors)} key registrations failed, e.g. {errors[:3]}")
    return took


def emulator_stats(port):
    """(novapost {key: stats}, seconds the call took, bytes)."""
    t0 = time.monotonic()
    status, _, body = call(port, "GET", "/_emulator/stats", timeout=120)
    took = time.monotonic() - t0
    if status != 200:
        raise RuntimeError(f"GET /_emulator/stats answered {status}")
    return json.loads(body)["novapost"], took, len(body.encode())


def sum_auths(novapost, keys):
    return sum(novapost.get(k, {}).get("authorizations", 0) for k in keys)
