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
import json
import os
import shutil
import signal
import sys
import tempfile
import time

from scale_agent import CONFIG_LIMIT, Agent, AgentFailed, account_id, key_name, write_config
from scale_logs import accounts_started, emulator_authorizations, log_events, per_bucket, session_timeline
from scale_procs import (Procs, context_switches, cpu_seconds, emulator_stats, free_port, proc_memory,
                         register_keys, say, start_emulator, sum_auths)
from scale_report import fmt_bytes, fmt_s, report
from scale_steady import steady


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


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench: terminated"))  # run the cleanup
    sys.exit(main())
