"""Support for the script tests in tests/: the emulator (`tokenwarden
emulate --demo`) and the agent (`tokenwarden serve`) as child processes on
free loopback ports, each logging to a file in the test's directory, and
stopped by their PID."""
import contextlib
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from demo import call, free_port  # noqa: E402  (one copy of each, shared with make demo)

SERVICE_CODE = "00000000-0000-4000-8000-00000000demo"
API_KEY = "demo-novapost-api-key"


def wait_for(check, seconds, what, proc=None, log=None):
    """Polls `check` every 50 ms for up to `seconds`; raises naming `what`
    (with the tail of `log`) when it never held or `proc` exited."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if check():
            return
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.05)
    tail = ""
    if log and os.path.exists(log):
        tail = "\n" + "".join(open(log, errors="replace").readlines()[-20:])
    raise AssertionError(f"{what} did not happen within {seconds} s{tail}")


class Process:
    """A child process, stopped (SIGTERM, then SIGKILL) by stop()."""

    def __init__(self, argv, log, env=None, cwd=None):
        self.log = log
        self.proc = subprocess.Popen(argv, stdout=open(log + ".out", "w"), stderr=open(log, "w"),
                                     stdin=subprocess.DEVNULL, env=env, cwd=cwd)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


class Emulator(Process):
    """`tokenwarden emulate --demo`: the demo merchant (SERVICE_CODE, its
    private JWK at self.private_jwk) and the Nova Post key API_KEY."""

    def __init__(self, binary, work):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.private_jwk = os.path.join(work, "demo", "alliance.private.jwk.json")
        super().__init__([binary, "emulate", "--demo", "--demo-dir", os.path.join(work, "demo"),
                          "--listen", f"127.0.0.1:{self.port}"], os.path.join(work, "emulator.log"))
        wait_for(lambda: self.call("GET", "/_emulator/clock")[0] == 200, 15, "the emulator's start", self.proc, self.log)

    def call(self, method, path, body=None):
        return call(self.port, method, path, body)

    def authorizations(self):
        """Authorizations so far: {"alliance": N, "novapost": N}."""
        stats = json_of(self.call("GET", "/_emulator/stats"))
        return {"alliance": stats["alliance"][SERVICE_CODE]["authorizations"],
                "novapost": stats["novapost"][API_KEY]["authorizations"]}

    def fault(self, fault):
        status = self.call("POST", "/_emulator/faults", fault)[0]
        assert status == 201, f"the emulator refused the fault {fault}: {status}"


def agent_config(emulator, port, state_dir):
    """An agent configuration for the emulator's demo accounts (shop, delivery);
    the secrets come from the environment (agent_env)."""
    return (f'[agent]\nlisten = "127.0.0.1:{port}"\nstate_dir = "{state_dir}"\n\n'
            f'[[account]]\nid = "shop"\nprovider = "alliance"\nbase_url = "{emulator.url}"\n'
            f'service_code = "${{ALLIANCE_SERVICE_CODE}}"\nprivate_jwk_file = "{emulator.private_jwk}"\n\n'
            f'[[account]]\nid = "delivery"\nprovider = "novapost"\nbase_url = "{emulator.url}/v.1.0"\n'
            f'api_key = "${{NOVAPOST_API_KEY}}"\n')


def agent_env():
    env = dict(os.environ)
    env.update(ALLIANCE_SERVICE_CODE=SERVICE_CODE, NOVAPOST_API_KEY=API_KEY)
    return env


class Agent(Process):
    """`tokenwarden serve`, waited for until every account can serve. `prefix`
    goes before the binary (e.g. setpriv to run as another user)."""

    def __init__(self, binary, config, port, log, env=None, prefix=()):
        self.port = port
        super().__init__(list(prefix) + [binary, "serve", "--config", config], log, env or agent_env(), cwd="/")
        wait_for(lambda: call(port, "GET", "/readyz")[0] == 200, 20, "the agent's readiness", self.proc, log)

    def v1(self, method, path):
        return call(self.port, method, path, headers={"Tokenwarden-Request": "1"})

    def token(self, account):
        status, _, body = self.v1("GET", f"/v1/token/{account}")
        assert status == 200, f"GET /v1/token/{account}: {status} {body}"
        return json.loads(body)


def json_of(reply):
    status, _, body = reply
    assert 200 <= status < 300, f"HTTP {status}: {body}"
    return json.loads(body)


@contextlib.contextmanager
def emulator_and_agent(binary, work):
    """The emulator and an agent serving its demo accounts (agent_config), in
    `work`; both stopped on leaving. Yields (emulator, agent)."""
    emu = Emulator(binary, work)
    agent = None
    try:
        port = free_port()
        config = os.path.join(work, "agent.toml")
        with open(config, "w") as f:
            f.write(agent_config(emu, port, os.path.join(work, "state")))
        agent = Agent(binary, config, port, os.path.join(work, "agent.log"))
        yield emu, agent
    finally:
        if agent:
            agent.stop()
        emu.stop()
