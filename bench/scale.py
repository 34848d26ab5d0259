#!/usr/bin/python3
"""The "Scale" benchmark: N Nova Post accounts in one agent.

Nova Post accounts because they are cheap to authorize at the emulator (an
HS256 JWT); an Alliance Bank one costs a P-384 ECDH (~800/s here), which would
measure the emulator, not the agent.

  bench/scale.py BUILD_DIR [--accounts N] [--json PATH] [--keep]

Phase A, real-time clock (one emulator):
  register N Nova Post keys through the control API (timed), write an agent
  configuration with N [[account]] tables, then
  run 1   start the agent on an empty state_dir, time to GET /readyz 200,
          authorizations at the emulator (should be N), memory (VmRSS, Pss,
          Private from /proc/PID/smaps_rollup), against an agent with 2
          accounts measured the same way;
  run 2   SIGTERM, start again on the same state_dir: time to /readyz 200 and
          new authorizations at the emulator (should be 0: restored, not
          re-authorized).
Phase B, scaled clock (a second emulator and agent, both --time-scale S):
  a fresh agent authorizes every account (all at once: the initial burst)
  and then refreshes each once per period (54 simulated minutes for the
  hour-long token), each account at its own phase of the period;
  /_emulator/stats is polled (sum of authorizations) and the emulator's
  request log gives the exact time of every authorization, so that the
  figures say whether the refreshes are spread or bunched.

Prints a Markdown section on stdout, progress on stderr. Everything is
bounded in time; only processes this script started are stopped, by PID.
"""
import argparse
import calendar
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

PERIOD = 3240  # simulated s between refreshes of an hour-long Nova Post token (exp - 6 min)
CONFIG_LIMIT = 64 << 20  # LoadConfig reads at most 64 MiB (src/agent/config.cc)
MARKER = {"Tokenwarden-Request": "1"}


def say(msg):
    print(f"[scale {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, method, path, body=None, headers=None, timeout=30):
    """One request on a new connection: (status, bytes); status 0 when nothing answered."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        h = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["content-type"] = "application/json"
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        return r.status, r.read()
    except (OSError, http.client.HTTPException):
        return 0, b""
    finally:
        conn.close()


def parse_ts(ts, cache={}):
    """'2025-02-27T12:12:34.043Z' -> unix seconds (float)."""
    head = ts[:19]
    base = cache.get(head)
    if base is None:
        base = calendar.timegm(time.strptime(head, "%Y-%m-%dT%H:%M:%S"))
        cache[head] = base
    frac = ts[19:].rstrip("Z")
    return base + (float(frac) if frac.startswith(".") and len(frac) > 1 else 0.0)


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
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("Rss", "Pss", "Private_Clean", "Private_Dirty", "Anonymous", "Shared_Clean"):
                    out["smaps_" + k] = int(v.split()[0]) * 1024
        out["Private"] = out.get("smaps_Private_Clean", 0) + out.get("smaps_Private_Dirty", 0)
        out["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        pass
    return out


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        tick = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / tick  # utime + stime
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
    status, body = call(port, "GET", "/_emulator/stats", timeout=120)
    took = time.monotonic() - t0
    if status != 200:
        raise RuntimeError(f"GET /_emulator/stats answered {status}")
    return json.loads(body)["novapost"], took, len(body)


def sum_auths(novapost, keys):
    return sum(novapost.get(k, {}).get("authorizations", 0) for k in keys)


def emulator_authorizations(log_path, start_offset=0):
    """Real (unix) times of the successful Nova Post authorizations in the emulator's log."""
    out = []
    with open(log_path, "rb") as f:
        f.seek(start_offset)
        for line in f:
            if b"/v.1.0/clients/authorization" not in line:
                continue
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e.get("event") == "request" and e.get("status") == 200:
                out.append(parse_ts(e["ts"]))
    return out


# ---- the agent ---------------------------------------------------------------

def key_name(i):
    return f"np-{i:06d}"


def account_id(i):
    return f"acct-{i:06d}"


def write_config(path, agent_port, state_dir, emu_port, ids_keys, style):
    """The agent configuration; `style` tables ([[account]]) or inline (account = [{...}]). Returns bytes."""
    base = f"http://127.0.0.1:{emu_port}/v.1.0"
    head = (f'[agent]\nlisten = "127.0.0.1:{agent_port}"\nstate_dir = "{state_dir}"\n'
            f'log_level = "info"\n\n')
    if style == "tables":
        body = "".join(f'[[account]]\nid="{a}"\nprovider="novapost"\nbase_url="{base}"\napi_key="{k}"\n'
                       for a, k in ids_keys)
    else:
        body = "account=[\n" + "".join(f'{{id="{a}",provider="novapost",base_url="{base}",api_key="{k}"}},\n'
                                       for a, k in ids_keys) + "]\n"
    # Top-level keys must come before the first table header.
    text = head + body if style == "tables" else body + "\n" + head
    with open(path, "w") as f:
        f.write(text)
    return len(text.encode())


def readyz(port):
    """(status, accounts without a session or None)."""
    status, body = call(port, "GET", "/readyz", timeout=60)
    if status == 503:
        try:
            return status, json.loads(body).get("without_session", 0)
        except ValueError:
            return status, None
    return status, 0 if status == 200 else None


def accounts_started(path):
    """The agent's accounts_started line: accounts, sessions_restored, seconds (or {})."""
    try:
        with open(path, "rb") as f:
            for line in f:
                if b'"event":"accounts_started"' in line:
                    return json.loads(line)
    except (OSError, ValueError):
        pass
    return {}


def log_events(path, names):
    """Counts of the agent's log events, and the times of the first agent_listening."""
    counts = {n: 0 for n in names}
    listening = None
    first_ts = None
    needles = {n: f'"event":"{n}"'.encode() for n in names}
    try:
        with open(path, "rb") as f:
            for line in f:
                for n, needle in needles.items():
                    if needle in line:
                        counts[n] += 1
                if first_ts is None or (listening is None and b'"agent_listening"' in line):
                    try:
                        e = json.loads(line)
                        if first_ts is None:
                            first_ts = parse_ts(e["ts"])
                        if e.get("event") == "agent_listening":
                            listening = parse_ts(e["ts"])
                    except (ValueError, KeyError):
                        pass
    except OSError:
        pass
    return counts, first_ts, listening


def pct(values, q):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, int(q * (len(v) - 1) + 0.5))]


def session_timeline(path, sim):
    """From the agent's log: authorizing -> authorized latency (real s), and the accounts whose
    session expired before the next one was there (sim(real) maps log times to the clock)."""
    started, latency, sessions = {}, [], {}
    with open(path, "rb") as f:
        for line in f:
            if b'"event":"authoriz' not in line:
                continue
            try:
                e = json.loads(line)
            except ValueError:
                continue
            a, ev = e.get("account"), e.get("event")
            if ev == "authorizing":
                started[a] = parse_ts(e["ts"])
            elif ev == "authorized":
                t = parse_ts(e["ts"])
                if a in started:
                    latency.append(t - started.pop(a))
                sessions.setdefault(a, []).append((sim(t), parse_ts(e["expires_at"])))
    gaps = []
    for lst in sessions.values():
        for (_, exp), (t_next, _) in zip(lst, lst[1:]):
            if t_next > exp:
                gaps.append(t_next - exp)
    return {"latency_p50": pct(latency, 0.5), "latency_p99": pct(latency, 0.99),
            "latency_max": max(latency) if latency else None,
            "expired_before_refresh": len(gaps), "longest_gap_sim_seconds": max(gaps) if gaps else 0,
            "refreshes": sum(len(lst) - 1 for lst in sessions.values())}


def first_error_line(path):
    last = ""
    try:
        with open(path, errors="replace") as f:
            for line in f:
                if '"level":"error"' in line or not line.startswith("{"):
                    return line.strip()[:400]
                last = line.strip() or last
    except OSError:
        pass
    return last[:400]


class Agent:
    def __init__(self, procs, binary, config, log_path, scale_args, port):
        self.procs, self.binary, self.config, self.log_path = procs, binary, config, log_path
        self.scale_args, self.port = scale_args, port
        self.p = None
        self.peak = {}

    def start(self):
        self.t0_wall = time.time()
        self.t0 = time.monotonic()
        self.p = self.procs.start([self.binary, "serve", "--config", self.config] + self.scale_args, self.log_path)
        self.peak = {}
        return self

    def sample(self):
        m = proc_memory(self.p.pid)
        for k in ("VmRSS", "fds", "Threads"):
            if k in m:
                self.peak[k] = max(self.peak.get(k, 0), m[k])
        return m

    def wait_ready(self, limit, what, progress_every=5.0):
        """Seconds from start to /readyz 200, or raises with how far it got."""
        last_progress = last_sample = 0.0
        m = {}
        listening_at = None
        waiting = None
        while True:
            now = time.monotonic()
            if self.p.poll() is not None:
                raise AgentFailed(f"{what}: the agent exited with {self.p.returncode}: "
                                  f"{first_error_line(self.log_path)}", self)
            status, waiting_now = readyz(self.port)
            if status and listening_at is None:
                listening_at = time.monotonic() - self.t0
            if status == 200:
                self.sample()
                return time.monotonic() - self.t0, listening_at
            if waiting_now is not None:
                waiting = waiting_now
            if now - last_sample >= 0.5:  # smaps_rollup walks the whole address space
                last_sample = now
                m = self.sample()
            if now - last_progress >= progress_every:
                last_progress = now
                cpu = cpu_seconds(self.p.pid)
                say(f"{what}: {now - self.t0:6.1f} s, " +
                    ("not listening yet" if not status else f"{waiting} account(s) without a session") +
                    f", RSS {m.get('VmRSS', 0) / 2**20:.0f} MiB, fds {m.get('fds', 0)}, "
                    f"threads {m.get('Threads', 0)}, cpu {cpu if cpu is None else round(cpu, 1)} s")
            if now - self.t0 > limit:
                raise AgentFailed(f"{what}: not ready after {limit:.0f} s: "
                                  + ("never listened" if listening_at is None
                                     else f"{waiting} account(s) still without a session"), self)
            # A probe costs the agent ~3 ms with 100,000 accounts; polling
            # every 0.05 s puts at most that much on the measured time.
            time.sleep(0.05 if now - self.t0 < 10 else 1.0)

    def stop(self):
        return self.procs.stop(self.p)


class AgentFailed(Exception):
    def __init__(self, msg, agent):
        super().__init__(msg)
        self.agent = agent


# ---- figures -----------------------------------------------------------------

def per_bucket(times, origin, width):
    """{bucket index: count} of `times` in buckets of `width` seconds from origin."""
    out = {}
    for t in times:
        b = int((t - origin) // width)
        out[b] = out.get(b, 0) + 1
    return out


def fmt_bytes(n):
    if n is None:
        return "n/a"
    for unit, div in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if abs(n) >= div:
            return f"{n / div:.1f} {unit}"
    return f"{n:.0f} B"


def fmt_s(x):
    if x is None:
        return "n/a"
    return f"{x:.2f} s" if x < 100 else f"{x:.0f} s ({x / 60:.1f} min)"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build", help="the build directory (bin/tokenwarden in it)")
    ap.add_argument("--accounts", type=int, default=100000, help="N Nova Post accounts (default 100000)")
    ap.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    ap.add_argument("--ready-limit", type=float, default=900, help="real seconds a start may take (default 900)")
    ap.add_argument("--settle", type=float, default=5, help="real seconds between ready and the memory reading")
    ap.add_argument("--idle-window", type=float, default=75,
                    help="real seconds in which run 2's idle CPU and wake-ups are counted (default 75: "
                         "longer than a minute, so that anything done once a minute is seen)")
    ap.add_argument("--register-connections", type=int, default=4, help="parallel keep-alive registrations")
    ap.add_argument("--config-style", choices=("auto", "tables", "inline"), default="auto",
                    help="[[account]] tables, or account = [{...}] inline tables (smaller); auto: tables "
                         "unless they exceed the agent's 64 MiB config limit and inline ones do not")
    ap.add_argument("--time-scale", type=float, default=0,
                    help="steady state: simulated seconds per real second (default: chosen from run 1)")
    ap.add_argument("--steady-hours", type=float, default=3.5,
                    help="steady state: simulated hours to watch (default 3.5: the initial burst, the "
                         "rounds in which accounts move to their phase, and a settled period)")
    ap.add_argument("--steady-limit", type=float, default=600,
                    help="steady state: real seconds at most (default 600)")
    ap.add_argument("--no-steady", action="store_true", help="skip the steady state (phase B)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (logs, configs, state)")
    args = ap.parse_args()
    n = args.accounts
    if n < 3:
        sys.exit("scale: --accounts must be at least 3")
    src_binary = os.path.join(args.build, "bin", "tokenwarden")
    if not os.access(src_binary, os.X_OK):
        sys.exit(f"scale: {src_binary} is missing; build it first")

    work = tempfile.mkdtemp(prefix="tw-scale-")
    # A private copy: the build directory may be relinked while this runs.
    binary = os.path.join(work, "tokenwarden")
    shutil.copy2(src_binary, binary)
    procs = Procs()
    fig = {"accounts": n, "provider": "novapost", "cpus": os.cpu_count(),
           "loadavg_start": os.getloadavg()[0],
           "env": {k: os.environ[k] for k in ("SSL_CERT_FILE", "SSL_CERT_DIR") if k in os.environ},
           "binary_mtime": time.strftime(
               "%Y-%m-%d %H:%M:%S", time.localtime(os.path.getmtime(src_binary)))}
    problems = []
    keys = [key_name(i) for i in range(1, n + 1)]
    ids = [account_id(i) for i in range(1, n + 1)]
    base_keys = ["np-base-1", "np-base-2"]
    say(f"N = {n} Nova Post accounts; work dir {work}")
    try:
        # ---------------- phase A: real time ----------------
        emu, emu_port = start_emulator(procs, binary, work, "emulator-a", [])
        say(f"emulator on 127.0.0.1:{emu_port} (real-time clock); registering {n} + 2 keys "
            f"over {args.register_connections} keep-alive connections")
        took = register_keys(emu_port, keys + base_keys, args.register_connections)
        fig["register_seconds"] = took
        fig["register_per_second"] = (n + 2) / took
        say(f"registered {n + 2} keys in {took:.2f} s ({(n + 2) / took:,.0f}/s)")
        stats, stats_took, stats_bytes = emulator_stats(emu_port)
        fig["stats_seconds"], fig["stats_bytes"] = stats_took, stats_bytes
        if sum(1 for k in keys if k in stats) != n:
            raise RuntimeError("the emulator does not list every registered key")
        say(f"GET /_emulator/stats with {n + 2} keys: {stats_took * 1000:.0f} ms, {fmt_bytes(stats_bytes)}")

        agent_port = free_port()
        state_dir = f"{work}/state"
        config = f"{work}/agent.toml"
        t0 = time.monotonic()
        style = args.config_style
        size = write_config(config, agent_port, state_dir, emu_port, zip(ids, keys),
                            "tables" if style in ("auto", "tables") else "inline")
        fig["config_bytes_tables"] = size if style != "inline" else None
        if style == "auto" and size > CONFIG_LIMIT:
            say(f"[[account]] tables make {fmt_bytes(size)}, over the agent's 64 MiB config limit; "
                f"trying inline tables")
            size = write_config(config, agent_port, state_dir, emu_port, zip(ids, keys), "inline")
            style = "inline" if size <= CONFIG_LIMIT else "tables"
            if style == "tables":
                size = write_config(config, agent_port, state_dir, emu_port, zip(ids, keys), "tables")
        elif style == "auto":
            style = "tables"
        fig["config_style"], fig["config_bytes"] = style, size
        fig["config_write_seconds"] = time.monotonic() - t0
        say(f"agent config: {n} accounts as {'[[account]]' if style == 'tables' else 'inline'} tables, {fmt_bytes(size)}, written in "
            f"{fig['config_write_seconds']:.2f} s" + (" -- OVER the 64 MiB limit" if size > CONFIG_LIMIT else ""))

        # Run 1: an empty state_dir.
        a1 = Agent(procs, binary, config, f"{work}/agent-run1.log", [], agent_port).start()
        say(f"run 1: agent pid {a1.p.pid} on 127.0.0.1:{agent_port}, empty state_dir")
        try:
            ready1, listen1 = a1.wait_ready(args.ready_limit, "run 1")
        except AgentFailed as e:
            counts, _, _ = log_events(a1.log_path, ["authorized", "authorize_failed"])
            fig["run1_failure"] = str(e)
            fig["run1_progress"] = counts
            fig["run1_peak"] = a1.peak
            try:
                st, _, _ = emulator_stats(emu_port)
                fig["run1_emulator_authorizations"] = sum_auths(st, keys)
            except (RuntimeError, ValueError):
                pass
            problems.append(str(e))
            say(f"run 1 FAILED: {e}; agent log says {counts}")
            raise
        fig["run1_ready_seconds"], fig["run1_listening_seconds"] = ready1, listen1
        counts, first_ts, listening_ts = log_events(a1.log_path, ["authorized", "authorize_failed", "authorizing"])
        fig["run1_log"] = counts
        fig["run1_timeline"] = session_timeline(a1.log_path, lambda t: t)
        if listening_ts:
            fig["run1_init_seconds"] = listening_ts - a1.t0_wall  # process start to agent_listening
        stats, _, _ = emulator_stats(emu_port)
        auths1 = sum_auths(stats, keys)
        fig["run1_authorizations"] = auths1
        times = emulator_authorizations(f"{work}/emulator-a.log")
        if times:
            per_sec = per_bucket(times, int(min(times)), 1)
            fig["run1_auth_window_seconds"] = max(times) - min(times)
            fig["run1_auth_max_per_second"] = max(per_sec.values())
            fig["run1_auth_rate"] = len(times) / max(max(times) - min(times), 1e-3)
        say(f"run 1: ready in {ready1:.2f} s (listening after {listen1 or 0:.2f} s); {auths1} authorizations at "
            f"the emulator, peak {fig.get('run1_auth_max_per_second')}/s; log {counts}")
        if auths1 != n:
            problems.append(f"run 1 made {auths1} authorizations, not {n}")
        time.sleep(args.settle)
        mem1 = proc_memory(a1.p.pid)
        fig["run1_memory"] = mem1
        fig["run1_peak"] = a1.peak
        fig["run1_cpu_seconds"] = cpu_seconds(a1.p.pid)
        say(f"run 1 memory: VmRSS {fmt_bytes(mem1.get('VmRSS'))}, VmHWM {fmt_bytes(mem1.get('VmHWM'))}, "
            f"Pss {fmt_bytes(mem1.get('smaps_Pss'))}, Private {fmt_bytes(mem1.get('Private'))}, "
            f"fds {mem1.get('fds')}, threads {mem1.get('Threads')}")
        files = os.listdir(state_dir)
        fig["state_files"] = len(files)
        fig["state_bytes"] = sum(os.path.getsize(os.path.join(state_dir, f)) for f in files)

        # Run 2: restore from the same state_dir.
        fig["run1_stop_seconds"] = a1.stop()
        say(f"run 1 stopped (SIGTERM) in {fig['run1_stop_seconds']:.2f} s")
        before = sum_auths(emulator_stats(emu_port)[0], keys)
        a2 = Agent(procs, binary, config, f"{work}/agent-run2.log", [], agent_port).start()
        try:
            ready2, listen2 = a2.wait_ready(args.ready_limit, "run 2")
        except AgentFailed as e:
            fig["run2_failure"] = str(e)
            problems.append(str(e))
            ready2 = listen2 = None
        fig["run2_ready_seconds"], fig["run2_listening_seconds"] = ready2, listen2
        after = sum_auths(emulator_stats(emu_port)[0], keys)
        fig["run2_new_authorizations"] = after - before
        counts2, _, listening_ts2 = log_events(a2.log_path, ["authorized", "authorize_failed"])
        fig["run2_log"] = counts2
        fig["run2_started"] = accounts_started(a2.log_path)
        if listening_ts2:
            fig["run2_init_seconds"] = listening_ts2 - a2.t0_wall
        if ready2 is not None:
            time.sleep(args.settle)
            fig["run2_memory"] = proc_memory(a2.p.pid)
            fig["run2_peak"] = a2.peak
            # Idle: every session restored and valid for most of an hour, nothing due.
            cpu0, wakes0, t0 = cpu_seconds(a2.p.pid), context_switches(a2.p.pid), time.monotonic()
            time.sleep(args.idle_window)
            cpu1, wakes1, t1 = cpu_seconds(a2.p.pid), context_switches(a2.p.pid), time.monotonic()
            if None not in (cpu0, cpu1, wakes0, wakes1):
                fig["run2_idle_cpu_percent"] = 100 * (cpu1 - cpu0) / (t1 - t0)
                fig["run2_idle_wakeups_per_second"] = (wakes1 - wakes0) / (t1 - t0)
                fig["run2_idle_window"] = t1 - t0
        say(f"run 2: ready in {fmt_s(ready2)}; {after - before} new authorizations; log {counts2}")
        if after != before:
            problems.append(f"run 2 re-authorized {after - before} account(s)")
        fig["run2_stop_seconds"] = a2.stop()

        # The baseline: 2 accounts, measured the same way.
        base_port = free_port()
        base_config = f"{work}/agent-2.toml"
        write_config(base_config, base_port, f"{work}/state-2", emu_port,
                     [("base-1", base_keys[0]), ("base-2", base_keys[1])], "tables")
        b = Agent(procs, binary, base_config, f"{work}/agent-2.log", [], base_port).start()
        fig["base_ready_seconds"], _ = b.wait_ready(60, "baseline")
        time.sleep(args.settle)
        mem2 = proc_memory(b.p.pid)
        fig["base_memory"] = mem2
        b.stop()
        say(f"baseline (2 accounts): VmRSS {fmt_bytes(mem2.get('VmRSS'))}, Pss {fmt_bytes(mem2.get('smaps_Pss'))}, "
            f"Private {fmt_bytes(mem2.get('Private'))}")
        for key, name in (("VmRSS", "rss"), ("smaps_Pss", "pss"), ("Private", "private"), ("smaps_Anonymous", "anon")):
            if key in mem1 and key in mem2:
                fig[f"{name}_per_account"] = (mem1[key] - mem2[key]) / (n - 2)
            if key in fig.get("run2_memory", {}) and key in mem2:
                fig[f"run2_{name}_per_account"] = (fig["run2_memory"][key] - mem2[key]) / (n - 2)
        procs.stop(emu)

        # ---------------- phase B: the scaled clock ----------------
        if not args.no_steady:
            steady(args, fig, problems, procs, binary, work, keys, ids, style)
    except AgentFailed:
        pass
    except Exception as e:  # noqa: BLE001 - reported, then the processes are stopped
        problems.append(f"{type(e).__name__}: {e}")
        say(f"FAILED: {type(e).__name__}: {e}")
    finally:
        procs.stop_all()
        fig["loadavg_end"] = os.getloadavg()[0]
        fig["problems"] = problems
        report(fig)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(fig, f, indent=2, sort_keys=True)
            say(f"figures written to {args.json}")
        if args.keep or problems:
            say(f"work dir kept: {work}")
            try:
                os.unlink(binary)
            except OSError:
                pass
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if problems else 0


def steady(args, fig, problems, procs, binary, work, keys, ids, style):
    n = len(keys)
    rate = fig.get("run1_auth_rate") or n / max(fig.get("run1_ready_seconds", 1), 1e-3)
    if args.time_scale:
        scale = args.time_scale
    else:
        # Refreshes spread over the period P (3240 simulated s), at most 4x
        # denser than even while accounts move to their phase (the first
        # rounds after the initial burst): 4 N / P per simulated second. The
        # agent authorizes about `rate` per real second (run 1); a quarter of
        # that: S <= rate P / (16 N); at most 60 (a simulated minute per
        # real second).
        scale = min(60.0, rate * PERIOD / (16 * n))
        scale = float(int(scale)) if scale >= 1 else round(scale, 2)
    hours = min(args.steady_hours, args.steady_limit * scale / 3600)  # after the agent is ready
    fig["steady_time_scale"] = scale
    fig["steady_sim_hours"] = hours
    if hours < 1.15:
        msg = (f"steady state skipped: at --time-scale {scale:g} (what the agent keeps up with at N={n}) "
               f"one refresh round needs {1.15 * 3600 / scale:.0f} real s, over --steady-limit {args.steady_limit:.0f}")
        fig["steady_skipped"] = msg
        say(msg)
        return
    origin = int(time.time())
    scale_args = ["--time-scale", f"{scale:g}", "--time-origin", str(origin)]
    sim = lambda real: origin + (real - origin) * scale  # noqa: E731

    emu, emu_port = start_emulator(procs, binary, work, "emulator-b", scale_args)
    took = register_keys(emu_port, keys, args.register_connections)
    say(f"steady state: emulator on :{emu_port}, --time-scale {scale:g} (1 real s = {scale / 60:g} simulated min), "
        f"{n} keys registered again in {took:.2f} s; watching {hours:.2f} simulated hours "
        f"= {hours * 3600 / scale:.0f} real s")
    _, stats_took, _ = emulator_stats(emu_port)
    poll_every = max(1.0, 5 * stats_took)  # the stats call holds the emulator's one lock
    fig["steady_poll_seconds"] = poll_every
    port = free_port()
    config = f"{work}/agent-steady.toml"
    write_config(config, port, f"{work}/state-steady", emu_port, zip(ids, keys), style)
    agent = Agent(procs, binary, config, f"{work}/agent-steady.log", scale_args, port).start()
    start_real = agent.t0_wall
    ready_deadline = start_real + args.ready_limit
    end_real = None  # `hours` simulated hours after the first /readyz 200
    polls = []  # (real time, total authorizations, seconds the call took)
    not_ready_after_ready = 0
    ready_at = None
    last_progress = 0
    rss_samples = []
    while True:
        t = time.time()
        if end_real is not None and t >= end_real:
            break
        if end_real is None and t > ready_deadline:
            problems.append(f"steady state: not ready after {args.ready_limit:.0f} s")
            break
        if agent.p.poll() is not None:
            problems.append(f"steady state: the agent exited with {agent.p.returncode}: "
                            f"{first_error_line(agent.log_path)}")
            break
        try:
            st, took, _ = emulator_stats(emu_port)
            polls.append(((t + time.time()) / 2, sum_auths(st, keys), took))
        except (RuntimeError, ValueError) as e:
            say(f"stats poll failed: {e}")
        status, _ = readyz(port)
        if status == 200 and ready_at is None:
            ready_at = time.time() - start_real
            end_real = time.time() + hours * 3600 / scale
            say(f"steady: ready after {ready_at:.1f} real s; watching until "
                f"{time.strftime('%H:%M:%S', time.localtime(end_real))}")
        elif ready_at is not None and status != 200:
            not_ready_after_ready += 1
        m = agent.sample()
        rss_samples.append(m.get("VmRSS", 0))
        if time.time() - last_progress > 10:
            last_progress = time.time()
            elapsed_sim = (sim(time.time()) - sim(start_real)) / 3600
            say(f"steady: {elapsed_sim:5.2f} simulated h, {polls[-1][1] if polls else '?'} authorizations, "
                f"RSS {m.get('VmRSS', 0) / 2**20:.0f} MiB, fds {m.get('fds')}"
                + ("" if ready_at else ", not ready yet"))
        time.sleep(max(0.0, poll_every - (time.time() - t)))
    counts, _, _ = log_events(agent.log_path, ["authorized", "authorize_failed", "authorizing"])
    fig["steady_log"] = counts
    fig["steady_timeline"] = session_timeline(agent.log_path, sim)
    fig["steady_ready_seconds"] = ready_at
    fig["steady_not_ready_polls_after_ready"] = not_ready_after_ready
    fig["steady_rss_end"] = rss_samples[-1] if rss_samples else None
    fig["steady_rss_max"] = max(rss_samples) if rss_samples else None
    fig["steady_fds_max"] = agent.peak.get("fds")
    agent.stop()
    procs.stop(emu)
    if counts["authorize_failed"]:
        problems.append(f"steady state: {counts['authorize_failed']} failed authorizations (agent log)")
    if fig["steady_timeline"]["expired_before_refresh"]:
        problems.append(f"steady state: {fig['steady_timeline']['expired_before_refresh']} session(s) expired "
                        f"before their refresh was done")
    if not_ready_after_ready:
        problems.append(f"steady state: /readyz was not 200 in {not_ready_after_ready} poll(s) after the first 200")

    # The polls: the largest increase in one interval, per simulated second.
    fig["steady_polls"] = len(polls)
    fig["steady_stats_seconds_max"] = max((p[2] for p in polls), default=None)
    best = (0, 0.0)
    for (t0, c0, _), (t1, c1, _) in zip(polls, polls[1:]):
        per_sim_s = (c1 - c0) / ((t1 - t0) * scale)
        if per_sim_s > best[1]:
            best = (c1 - c0, per_sim_s)
    fig["steady_poll_max_per_sim_second"] = best[1]
    fig["steady_poll_max_in_interval"] = best[0]

    # The emulator's log: every authorization, to the millisecond.
    times = [sim(t) for t in emulator_authorizations(f"{work}/emulator-b.log")]
    fig["steady_authorizations"] = len(times)
    if not times:
        problems.append("steady state: no authorization in the emulator's log")
        return
    t_start = sim(start_real)
    times.sort()
    # Each account authorizes once at start; every later authorization is a
    # refresh, the steady state.
    initial, refreshes = times[:n], times[n:]
    fig["steady_initial"] = {"authorizations": len(initial),
                             "window_sim_seconds": initial[-1] - initial[0],
                             "peak_second": max(per_bucket(initial, t_start, 1).values())}
    fig["steady_refreshes"] = len(refreshes)
    if refreshes:
        fig["steady_refresh_first_minute"] = (refreshes[0] - t_start) / 60
        fig["steady_max_per_sim_second"] = max(per_bucket(refreshes, t_start, 1).values())
        fig["steady_max_per_sim_minute"] = max(per_bucket(refreshes, t_start, 60).values())
        # The last whole period watched: by then accounts are on their phase.
        t_end = sim(end_real) if end_real else refreshes[-1]
        last = [t for t in refreshes if t >= t_end - PERIOD]
        if last and t_end - PERIOD > t_start + PERIOD:
            fig["steady_last_period"] = {"from_minute": (t_end - PERIOD - t_start) / 60, "refreshes": len(last),
                                         "peak_second": max(per_bucket(last, t_start, 1).values()),
                                         "peak_minute": max(per_bucket(last, t_start, 60).values())}
    else:
        problems.append("steady state: no refresh in the simulated hours watched")
    per_min = per_bucket(times, t_start, 60)
    end_min = int((hours * 3600) // 60) + 1
    fig["steady_per_minute"] = [per_min.get(m, 0) for m in range(end_min)]


def report(fig):
    n = fig["accounts"]
    rows = []

    def row(name, value, target=""):
        rows.append(f"| {name} | {value} | {target} |")

    def ok(cond):
        return "" if cond is None else (" (met)" if cond else " (**missed**)")

    row("accounts (Nova Post; cheap HS256 authorizations at the emulator)", f"{n:,}")
    if "register_seconds" in fig:
        row("registering the N keys at the emulator (control API, "
            "keep-alive connections in parallel)",
            f"{fig['register_seconds']:.2f} s ({fig['register_per_second']:,.0f}/s)")
    if "stats_seconds" in fig:
        row("one GET /_emulator/stats with N keys", f"{fig['stats_seconds'] * 1000:.0f} ms, {fmt_bytes(fig['stats_bytes'])}")
    if "config_bytes" in fig:
        over = fig["config_bytes"] > CONFIG_LIMIT
        row("agent configuration", f"{'[[account]]' if fig['config_style'] == 'tables' else 'inline'} tables, "
            f"{fmt_bytes(fig['config_bytes'])} "
            f"(written in {fig['config_write_seconds']:.2f} s)",
            "at most 64 MiB (the agent's read limit)" + ok(not over))
        if fig.get("config_bytes_tables") and fig["config_style"] != "tables":
            row("the same as [[account]] tables", fmt_bytes(fig["config_bytes_tables"]), "over the 64 MiB limit")
    if "run1_failure" in fig:
        row("run 1 (empty state_dir)", f"**failed**: {fig['run1_failure']}")
        if fig.get("run1_progress"):
            row("run 1: how far it got (agent log)", json.dumps(fig["run1_progress"]))
        if fig.get("run1_emulator_authorizations") is not None:
            row("run 1: authorizations at the emulator", f"{fig['run1_emulator_authorizations']:,}")
        if fig.get("run1_peak"):
            p = fig["run1_peak"]
            row("run 1: peak RSS / fds / threads", f"{fmt_bytes(p.get('VmRSS'))} / {p.get('fds')} / {p.get('Threads')}")
    if "run1_ready_seconds" in fig:
        row("run 1: process start to listening (config read, N accounts built)",
            fmt_s(fig.get("run1_init_seconds", fig.get("run1_listening_seconds"))))
        row("run 1: process start to GET /readyz 200 (every account authorized)", fmt_s(fig["run1_ready_seconds"]))
        row("run 1: authorizations at the emulator", f"{fig['run1_authorizations']:,}",
            f"= N{ok(fig['run1_authorizations'] == n)}")
        if "run1_auth_max_per_second" in fig:
            row("run 1: authorization rate (emulator log, real time)",
                f"{fig['run1_auth_rate']:,.0f}/s on average over {fig['run1_auth_window_seconds']:.1f} s, "
                f"peak {fig['run1_auth_max_per_second']:,} in one second")
        row("run 1: failed authorizations (agent log)", f"{fig['run1_log'].get('authorize_failed', 0):,}", "0")
        tl = fig.get("run1_timeline", {})
        if tl.get("latency_p50") is not None:
            row("run 1: one account's authorizing -> authorized (agent log)",
                f"p50 {tl['latency_p50']:.2f} s, p99 {tl['latency_p99']:.2f} s, max {tl['latency_max']:.2f} s")
        m = fig.get("run1_memory", {})
        row("run 1: agent memory after ready",
            f"VmRSS {fmt_bytes(m.get('VmRSS'))}, Pss {fmt_bytes(m.get('smaps_Pss'))}, "
            f"Private {fmt_bytes(m.get('Private'))}, Anonymous {fmt_bytes(m.get('smaps_Anonymous'))}; "
            f"peak (VmHWM) {fmt_bytes(m.get('VmHWM'))}")
        row("run 1: open fds / threads after ready", f"{m.get('fds')} / {m.get('Threads')} "
            f"(peak fds {fig.get('run1_peak', {}).get('fds')})")
        b = fig.get("base_memory", {})
        if b:
            row("baseline agent, 2 accounts", f"VmRSS {fmt_bytes(b.get('VmRSS'))}, Pss {fmt_bytes(b.get('smaps_Pss'))}, "
                f"Private {fmt_bytes(b.get('Private'))}")
        if "rss_per_account" in fig:
            row("**RSS per account** (RSS_N - RSS_2) / (N - 2), run 1",
                f"**{fig['rss_per_account']:,.0f} B** (Pss {fig.get('pss_per_account', 0):,.0f} B, "
                f"Private {fig.get('private_per_account', 0):,.0f} B)",
                "at most 2,048 B" + ok(fig["rss_per_account"] <= 2048))
        if "run2_rss_per_account" in fig:
            row("RSS per account after a restore (run 2: no authorization burst)",
                f"{fig['run2_rss_per_account']:,.0f} B (Private {fig.get('run2_private_per_account', 0):,.0f} B)",
                "at most 2,048 B" + ok(fig["run2_rss_per_account"] <= 2048))
        if "state_files" in fig:
            row("state_dir after run 1", f"{fig['state_files']:,} files, {fmt_bytes(fig['state_bytes'])}")
        row("run 1: SIGTERM to exit", fmt_s(fig.get("run1_stop_seconds")))
    if "run2_ready_seconds" in fig or "run2_failure" in fig:
        if fig.get("run2_failure"):
            row("run 2 (restore)", f"**failed**: {fig['run2_failure']}")
        r2 = fig.get("run2_ready_seconds")
        row("**run 2: process start to GET /readyz 200, restored from state_dir**", f"**{fmt_s(r2)}**",
            "under 2 s" + ok(None if r2 is None else r2 < 2))
        if fig.get("run2_init_seconds") is not None:
            row("run 2: of which process start to listening", fmt_s(fig["run2_init_seconds"]))
        row("run 2: new authorizations at the emulator", f"{fig['run2_new_authorizations']:,}",
            "0" + ok(fig["run2_new_authorizations"] == 0))
        if "run2_idle_cpu_percent" in fig:
            row("run 2: idle, every session valid (CPU of one core; wake-ups: voluntary context switches)",
                f"{fig['run2_idle_cpu_percent']:.2f}% CPU, {fig['run2_idle_wakeups_per_second']:,.1f} wake-ups/s "
                f"over {fig['run2_idle_window']:.0f} s")
        started = fig.get("run2_started") or {}
        row("run 2: sessions restored (agent log, accounts_started)",
            f"{started.get('sessions_restored', 0):,} of {started.get('accounts', 0):,} accounts, "
            f"{started.get('seconds', 0):.2f} s after the agent began building them", "= N")
    if "steady_skipped" in fig:
        row("steady state", fig["steady_skipped"])
    if "steady_time_scale" in fig and "steady_skipped" not in fig:
        s = fig["steady_time_scale"]
        row("steady state: clock", f"--time-scale {s:g} (1 real s = {s:g} simulated s), "
            f"{fig['steady_sim_hours']:.2f} simulated h watched, /_emulator/stats polled every "
            f"{fig.get('steady_poll_seconds', 0):.1f} real s (longest call {fig.get('steady_stats_seconds_max') or 0:.2f} s)")
        lg = fig.get("steady_log", {})
        row("steady state: authorizations (emulator) / failed (agent log)",
            f"{fig.get('steady_authorizations', 0):,} / {lg.get('authorize_failed', 0):,}", "failed: 0")
        row("steady state: GET /readyz not 200 after the first 200",
            f"{fig.get('steady_not_ready_polls_after_ready', 0)} poll(s)", "0")
        tl = fig.get("steady_timeline", {})
        if tl:
            row("steady state: refreshes / sessions that expired before their refresh was done (agent log)",
                f"{tl['refreshes']:,} / {tl['expired_before_refresh']:,} (longest gap "
                f"{tl['longest_gap_sim_seconds']:.0f} simulated s)", "expired: 0")
            if tl.get("latency_p50") is not None:
                row("steady state: one account's authorizing -> authorized, real time",
                    f"p50 {tl['latency_p50']:.2f} s, p99 {tl['latency_p99']:.2f} s, max {tl['latency_max']:.2f} s")
        if "steady_poll_max_per_sim_second" in fig:
            row("steady state: most authorizations in one poll interval, per simulated second",
                f"{fig['steady_poll_max_per_sim_second']:,.1f} ({fig['steady_poll_max_in_interval']:,} in one "
                f"interval of {fig.get('steady_poll_seconds', 0) * s:.0f} simulated s)")
        if "steady_initial" in fig:
            i = fig["steady_initial"]
            row("steady state: initial authorizations (every account at start)",
                f"{i['authorizations']:,} within {i['window_sim_seconds']:.0f} simulated s "
                f"({i['window_sim_seconds'] / s:.1f} real s); peak {i['peak_second']:,}/s")
        if "steady_max_per_sim_second" in fig:
            even_s, even_min = n / PERIOD, n * 60 / PERIOD
            row("**steady state: refreshes, most in one simulated second / minute** (emulator log, exact)",
                f"**{fig['steady_max_per_sim_second']:,} / {fig['steady_max_per_sim_minute']:,}** "
                f"({fig['steady_refreshes']:,} refreshes from simulated minute "
                f"{fig['steady_refresh_first_minute']:.1f}; ratio to even "
                f"{fig['steady_max_per_sim_second'] / even_s:.1f}x / {fig['steady_max_per_sim_minute'] / even_min:.1f}x)",
                f"spread evenly: {even_s:,.1f} / {even_min:,.0f} (N / {PERIOD} s)")
        if "steady_last_period" in fig:
            lp = fig["steady_last_period"]
            row("**steady state: the last period watched, most refreshes in one simulated second / minute**",
                f"**{lp['peak_second']:,} / {lp['peak_minute']:,}** ({lp['refreshes']:,} refreshes from simulated "
                f"minute {lp['from_minute']:.1f}; ratio to even {lp['peak_second'] / even_s:.1f}x / "
                f"{lp['peak_minute'] / even_min:.1f}x)", "no synchronized bursts")
        if fig.get("steady_rss_end"):
            row("steady state: agent VmRSS at the end / highest", f"{fmt_bytes(fig['steady_rss_end'])} / "
                f"{fmt_bytes(fig['steady_rss_max'])} (fds at most {fig.get('steady_fds_max')})")
    row("machine", f"{fig['cpus']} CPUs; load average {fig['loadavg_start']:.1f} at start, "
        f"{fig.get('loadavg_end', 0):.1f} at the end; tokenwarden built {fig['binary_mtime']}"
        + "".join(f"; {k}={v}" + (f" ({os.path.getsize(v):,} bytes)" if os.path.isfile(v) else " (absent)")
                  for k, v in fig.get("env", {}).items()))

    print(f"## 4. Scale: {n:,} accounts in one agent (Nova Post accounts)\n")
    print("| figure | value | target |\n|---|---|---|")
    print("\n".join(rows))
    per_minute = fig.get("steady_per_minute", [])
    if any(per_minute):
        print(f"\nAuthorizations per simulated minute since the agent started (emulator log); one line per "
              f"10 minutes, quiet lines left out; refreshes spread evenly would put {n * 60 / PERIOD:,.0f} "
              f"in every minute:\n")
        print("```")
        for start in range(0, len(per_minute), 10):
            counts = per_minute[start:start + 10]
            if any(counts):
                print(f"h{start // 60} m{start % 60:02d}-{start % 60 + 9:02d} | " +
                      " ".join(f"{c:>6}" for c in counts))
        print("```")
    if fig.get("problems"):
        print("\nProblems: " + "; ".join(fig["problems"]))


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench: terminated"))  # run the cleanup
    sys.exit(main())
