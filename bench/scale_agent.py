"""The agent under bench/scale.py: its configuration with N Nova Post
accounts, its /readyz, and Agent, one `tokenwarden serve` process timed from
start to ready while its memory, fds and threads are sampled."""
import json
import time

from scale_logs import first_error_line
from scale_procs import call, cpu_seconds, proc_memory, say

CONFIG_LIMIT = 64 << 20  # LoadConfig reads at most 64 MiB (src/agent/config.cc)


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
    status, _, body = call(port, "GET", "/readyz", timeout=60)
    if status == 503:
        try:
            return status, json.loads(body).get("without_session", 0)
        except ValueError:
            return status, None
    return status, 0 if status == 200 else None


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
