#!/usr/bin/python3
"""`make demo`: the emulator and the agent on one scaled clock, a client
calling both upstreams through the agent's proxy, faults injected on cue, and
a timeline of what the agent did. Stops by itself; exits non-zero when the
agent did not behave (so the demo doubles as an end-to-end check).

  scripts/demo.py BUILD_DIR [--time-scale N] [--keep]
"""
import argparse
import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request



def kyiv_zone():
    try:
        import zoneinfo
        for name in ("Europe/Kyiv", "Europe/Kiev"):
            try:
                return zoneinfo.ZoneInfo(name)
            except zoneinfo.ZoneInfoNotFoundError:
                pass
    except ImportError:
        pass
    return datetime.timezone(datetime.timedelta(hours=2), "EET")


KYIV = kyiv_zone()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def example_order(merchant_request_id, coin_amount):
    """The bank's documented create-order example (every mandatory field)."""
    return {"merchantRequestId": merchant_request_id, "merchantId": "137d9304-0368-11ed-b939-0242ac120002",
            "hppPayType": "PURCHASE", "coinAmount": coin_amount, "paymentMethods": ["CARD"],
            "successUrl": "https://example.com/success", "failUrl": "https://example.com/fail",
            "statusPageType": "STATUS_TIMER_PAGE", "customerData": {"senderCustomerId": "1258728c1"}}


def call(port, method, path, body=None, headers=None, timeout=10):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()
    except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout):
        return 0, {}, ""



def utc(text):
    """An agent timestamp: "...T12:00:00.043Z", or "...T12:00:00Z" when the
    milliseconds are zero (the agent leaves them out then)."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))

class Clock:
    """The scaled clock both processes share: sim = origin + (real - origin) * scale."""

    def __init__(self, scale):
        self.scale = scale
        self.origin = int(time.time())
        self.start_real = time.time()

    def sim(self, real=None):
        real = time.time() if real is None else real
        return self.origin + (real - self.origin) * self.scale

    def real_at(self, sim):
        return self.origin + (sim - self.origin) / self.scale

    def stamp(self, sim):
        t = datetime.datetime.fromtimestamp(sim, KYIV)
        elapsed = sim - self.sim(self.start_real)
        return f"{t:%a %H:%M} Kyiv  +{int(elapsed // 3600):02d}h{int(elapsed % 3600 // 60):02d}"


class Timeline:
    def __init__(self, clock):
        self.clock = clock
        self.repeats = {}  # account -> (key, count, first line)

    def say(self, what, sim=None):
        print(f"  {self.clock.stamp(self.clock.sim() if sim is None else sim)}  {what}", flush=True)

    def agent_event(self, e):
        """One JSON line of the agent's log, told in words (repeats folded)."""
        ev, acct = e.get("event"), e.get("account", "")
        ts = utc(e["ts"])
        sim = self.clock.sim(ts.timestamp())
        if ev == "authorizing":
            # Retries and scheduled refreshes are told by their outcome.
            if e.get("reason") != "scheduled":
                self.say(f"{acct:9} authorizing ({e.get('reason')})", sim)
            return
        key = (ev, e.get("code"))
        prev = self.repeats.get(acct)
        if ev == "authorize_failed" and prev and prev[0] == key:
            self.repeats[acct] = (key, prev[1] + 1)
            return
        if prev and prev[1] > 1:
            self.say(f"{acct:9} ... and {prev[1] - 1} more failed attempt(s), backing off up to 5 simulated minutes", sim)
        self.repeats[acct] = (key, 1)
        if ev == "authorized":
            exp = utc(e["expires_at"])
            self.say(f"{acct:9} session {e['generation']} ready, expires {exp.astimezone(KYIV):%a %H:%M} Kyiv", sim)
        elif ev == "authorize_failed":
            retry = e.get("retry_in_ms", 0) / 1000
            serving = "still serving the current session" if e.get("serving") else "NOT serving"
            self.say(f"{acct:9} refresh failed ({e.get('code')}), retry in {retry:.{0 if retry >= 10 else 1}f} s (simulated), "
                     f"{serving}", sim)
        elif ev == "proxy_rejected":
            self.say(f"{acct:9} proxy saw {e.get('code')} on session {e.get('generation')}: re-authorize, retry once", sim)
        elif ev in ("needs_support", "authorize_refused", "store_save_failed"):
            self.say(f"{acct:9} {ev}: {e.get('message', e.get('error', ''))}", sim)


def dropin_leg(build, emu_port, agent_port, dropin_port, work, timeline):
    """Unmodified bank clients (examples/dropin/alliance_client.mjs, which
    authorizes before every call) with only their base URL pointed at the
    drop-in listener: the bank sees no authorization of theirs. Any the bank
    does see in the meantime must be the agent's own renewals (its generation)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import node_clients

    where = node_clients.client_dir(build)

    def bank_and_generation():
        stats = json.loads(call(emu_port, "GET", "/_emulator/stats")[2] or "{}")
        accounts = json.loads(call(agent_port, "GET", "/v1/accounts", headers={"Tokenwarden-Request": "1"})[2])
        shop = next(a for a in accounts["accounts"] if a["account"] == "shop")
        return sum(v["authorizations"] for v in stats.get("alliance", {}).values()), shop["generation"]

    keys = os.path.join(work, "keys")
    code = "00000000-0000-4000-8000-00000000demo"  # `emulate --demo`'s merchant
    timeline.say(f"--- drop-in: 5 unmodified bank clients, base URL http://127.0.0.1:{dropin_port}")
    auths0, gen0 = bank_and_generation()
    procs = node_clients.start_clients(where, "alliance_client.mjs", {
        "BASE_URL": f"http://127.0.0.1:{dropin_port}", "SERVICE_CODE": code,
        "KEY_FILE": os.path.join(keys, "alliance.private.jwk.json"), "CALLS": "2"}, 5)
    outs = node_clients.finish_clients(procs)
    auths1, gen1 = bank_and_generation()
    made = sum(o["authorizations"] for o in outs)
    timeline.say(f"client    drop-in: {made} authorize calls answered by the agent, "
                 f"{sum(o['calls'] for o in outs)} bank calls forwarded; the bank saw {auths1 - auths0} authorizations")
    return {"clients": len(outs), "client_authorizations": made, "upstream": auths1 - auths0,
            "renewals": gen1 - gen0}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build", help="the build directory (bin/tokenwarden in it)")
    ap.add_argument("--time-scale", type=float, default=1200, help="simulated seconds per real second (default 1200)")
    ap.add_argument("--hours", type=float, default=15, help="simulated hours to cover (default 15; at least 12)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, config)")
    args = ap.parse_args()
    if args.hours < 12 or args.time_scale < 60:
        sys.exit("demo: --hours must be at least 12 (the outage is staged around the refresh near hour 9) "
                 "and --time-scale at least 60")
    SIM_HOURS = args.hours
    binary = os.path.join(args.build, "bin", "tokenwarden")
    if not os.access(binary, os.X_OK):
        sys.exit(f"demo: {binary} is missing; run make first")

    work = tempfile.mkdtemp(prefix="tokenwarden-demo-")
    clock = Clock(args.time_scale)
    emu_port, agent_port, dropin_port = free_port(), free_port(), free_port()
    procs = []

    def stop_all():
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()

    try:
        scale = ["--time-scale", str(args.time_scale), "--time-origin", str(clock.origin)]
        emu_out = open(os.path.join(work, "emulator.out"), "w+")
        procs.append(subprocess.Popen([binary, "emulate", "--demo", "--demo-dir", os.path.join(work, "keys"),
                                       "--listen", f"127.0.0.1:{emu_port}"] + scale,
                                      stdout=emu_out, stderr=open(os.path.join(work, "emulator.log"), "w")))
        deadline = time.time() + 10
        while "api_key" not in open(emu_out.name).read():
            if time.time() > deadline or procs[0].poll() is not None:
                raise RuntimeError("the emulator did not start; see " + work + "/emulator.log")
            time.sleep(0.05)
        accounts = open(emu_out.name).read().split("# an agent configuration for it:\n", 1)[1]
        accounts = accounts.replace('provider = "alliance"\n', 'provider = "alliance"\nrefresh_every = "8h"\n')
        config = os.path.join(work, "agent.toml")
        with open(config, "w") as f:
            f.write(f'[agent]\nlisten = "127.0.0.1:{agent_port}"\nstate_dir = "{work}/state"\n\n'
                    f'[dropin]\nlisten = "127.0.0.1:{dropin_port}"\n\n{accounts}')
        agent_log_path = os.path.join(work, "agent.log")
        procs.append(subprocess.Popen([binary, "serve", "--config", config] + scale,
                                      stdout=subprocess.DEVNULL, stderr=open(agent_log_path, "w")))
        agent_log = open(agent_log_path)
        deadline = time.time() + 15
        while call(agent_port, "GET", "/readyz")[0] != 200:
            if time.time() > deadline or procs[1].poll() is not None:
                raise RuntimeError("the agent did not become ready; see " + agent_log_path)
            time.sleep(0.05)

        print(f"tokenwarden demo: one Alliance Bank account (shop) and one Nova Post account (delivery)")
        print(f"  emulator  http://127.0.0.1:{emu_port}    agent  http://127.0.0.1:{agent_port}")
        print(f"  status page  http://127.0.0.1:{agent_port}/   (while the demo runs)")
        print(f"  clock: 1 real second = {args.time_scale / 60:g} simulated minutes; "
              f"{SIM_HOURS:g} simulated hours in about {SIM_HOURS * 3600 / args.time_scale:.0f} s\n")
        timeline = Timeline(clock)

        stats = {"requests": 0, "ok": 0, "failed": 0, "retried_by_proxy": 0, "ok_during_outage": 0}
        cues = {"expired_injected": False, "expired_recovered": False, "outage": None, "outage_over": False,
                "outage_failures": 0}
        end_sim = clock.sim() + SIM_HOURS * 3600
        shop_refresh = None
        turn = 0

        def pump_log():
            for line in agent_log.readlines():
                try:
                    e = json.loads(line)
                except ValueError:
                    continue
                if e.get("event") == "authorize_failed" and cues["outage"] and not cues["outage_over"]:
                    cues["outage_failures"] += 1
                timeline.agent_event(e)

        while clock.sim() < end_sim and time.time() - clock.start_real < SIM_HOURS * 3600 / args.time_scale + 30:
            now = clock.sim()
            if not cues["expired_injected"] and now - clock.sim(clock.start_real) > 3600:
                call(emu_port, "POST", "/_emulator/faults",
                     {"kind": "error", "msgCode": "b_expired_token", "path_prefix": "/ecom/", "count": 1})
                cues["expired_injected"] = True
                pump_log()
                timeline.say("--- fault: the bank answers the next payment call with b_expired_token")
            elif cues["expired_recovered"] and shop_refresh is None:
                # The shop's next scheduled refresh (in the last third of the 8 h after
                # its last session, where the account's phase falls).
                s, _, body = call(agent_port, "GET", "/v1/accounts", headers={"Tokenwarden-Request": "1"})
                shop = next(a for a in json.loads(body)["accounts"] if a["account"] == "shop") if s == 200 else {}
                if shop.get("generation", 0) >= 2 and shop.get("refresh_at"):
                    shop_refresh = utc(shop["refresh_at"]).timestamp()
            elif shop_refresh and cues["outage"] is None and now > shop_refresh - 600:
                # The bank's authorization endpoint goes down for two hours
                # across the shop's scheduled refresh.
                call(emu_port, "POST", "/_emulator/faults",
                     {"kind": "status", "status": 503, "path_prefix": "/api-gateway/", "seconds": 7200})
                cues["outage"] = now
                pump_log()
                timeline.say("--- fault: the bank's authorization endpoint answers 503 for the next 2 hours")
            elif cues["outage"] and not cues["outage_over"] and now > cues["outage"] + 7200:
                cues["outage_over"] = True
                pump_log()
                timeline.say("--- the bank's authorization endpoint is back", sim=cues["outage"] + 7200)
            pump_log()

            account = "shop" if turn % 2 == 0 else "delivery"
            turn += 1
            if account == "shop":
                s, h, body = call(agent_port, "POST", "/proxy/shop/ecom/execute_request/hpp/v1/create-order",
                                  example_order(f"demo-{turn}", 100 + turn))
            else:
                s, h, body = call(agent_port, "GET", "/proxy/delivery/divisions?limit=1")
            stats["requests"] += 1
            if 200 <= s < 300:
                stats["ok"] += 1
                if cues["outage"] and not cues["outage_over"]:
                    stats["ok_during_outage"] += 1
            else:
                stats["failed"] += 1
                pump_log()
                timeline.say(f"client    {account}: HTTP {s} {body[:160]}")
            if h.get("Tokenwarden-Retried") == "1":
                stats["retried_by_proxy"] += 1
                pump_log()
                if cues["expired_injected"]:
                    cues["expired_recovered"] = 200 <= s < 300
                    timeline.say(f"client    {account}: answered {s} after the proxy's one retry "
                                 f"(session {h.get('Tokenwarden-Generation')}); the client saw no error")
            time.sleep(0.1)
        time.sleep(0.3)
        pump_log()
        dropin = dropin_leg(args.build, emu_port, agent_port, dropin_port, work, timeline)
        pump_log()

        _, _, emu_stats = call(emu_port, "GET", "/_emulator/stats")
        emu_stats = json.loads(emu_stats or "{}")
        auths = {"shop": sum(v["authorizations"] for v in emu_stats.get("alliance", {}).values()),
                 "delivery": sum(v["authorizations"] for v in emu_stats.get("novapost", {}).values())}
        _, _, page = call(agent_port, "GET", "/")
        with open(os.path.join(work, "status.html"), "w") as f:
            f.write(page)
        _, _, accounts_now = call(agent_port, "GET", "/v1/accounts", headers={"Tokenwarden-Request": "1"})
        states = {a["account"]: a for a in json.loads(accounts_now or '{"accounts": []}')["accounts"]}

        print("\nsummary")
        print(f"  requests through the proxy  {stats['requests']}  ({stats['ok']} ok, {stats['failed']} failed, "
              f"{stats['retried_by_proxy']} recovered by the proxy's retry)")
        print(f"  authorizations made         shop {auths['shop']}, delivery {auths['delivery']} "
              f"(over {SIM_HOURS:g} simulated hours; never one per request)")
        print(f"  drop-in leg                 {dropin['clients']} unmodified bank clients made "
              f"{dropin['client_authorizations']} authorize calls; the bank saw {dropin['upstream']} "
              f"(the agent's own renewals meanwhile: {dropin['renewals']})")
        print(f"  during the bank's outage    {cues['outage_failures']} failed refresh attempt(s), "
              f"{stats['ok_during_outage']} payment/parcel calls still served")
        for name, a in sorted(states.items()):
            print(f"  {name:9} now {a['state']}, session {a['generation']}, expires {a['expires_at']}")
        print(f"  status page was at http://127.0.0.1:{agent_port}/  (a copy: {work}/status.html)"
              if args.keep else f"  status page was at http://127.0.0.1:{agent_port}/  (run with --keep for a copy)")

        problems = []
        if not cues["expired_recovered"]:
            problems.append("the injected b_expired_token was not recovered by the proxy")
        if cues["outage"] is None or not cues["outage_over"]:
            problems.append("the outage was not staged")
        elif cues["outage_failures"] == 0:
            problems.append("no refresh was attempted during the outage")
        if dropin["upstream"] != dropin["renewals"]:
            problems.append(f"the drop-in clients' authorizations reached the bank: {dropin}")
        if stats["failed"]:
            problems.append(f"{stats['failed']} client request(s) failed")
        if states.get("shop", {}).get("state") != "active" or states.get("shop", {}).get("generation", 0) < 3:
            problems.append("the shop did not refresh after the outage")
        if not 1 <= auths["shop"] <= 5 or not 1 <= auths["delivery"] <= SIM_HOURS + 3:
            problems.append(f"unexpected number of authorizations: {auths}")
        if problems:
            print("\ndemo FAILED: " + "; ".join(problems) + f"\n  logs: {work}")
            args.keep = True
            return 1
        print("\ndemo finished: every request served, no per-request authorization, both faults ridden out.")
        return 0
    finally:
        stop_all()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
