"""Phase B of bench/scale.py, the steady state: a second emulator and a
fresh agent on one scaled clock, watched for a few simulated hours; the
figures say whether the refreshes after the initial burst are spread over the
period or bunched."""
import time

from scale_agent import Agent, readyz, write_config
from scale_logs import emulator_authorizations, first_error_line, log_events, per_bucket, session_timeline
from scale_procs import emulator_stats, free_port, register_keys, say, start_emulator, sum_auths

PERIOD = 3240  # simulated s between refreshes of an hour-long Nova Post token (exp - 6 min)


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
