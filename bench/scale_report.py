"""The Markdown section bench/scale.py prints: one table of its figures
(with the targets), and the authorizations per simulated minute of the
steady state."""
import json
import os

from scale_agent import CONFIG_LIMIT
from scale_steady import PERIOD


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
