"""What bench/scale.py reads from the logs: the emulator's request log (the
exact time of every authorization) and the agent's JSON log (event counts,
accounts_started, each account's sessions), and the figures made of them:
counts per time bucket and percentiles."""
import calendar
import json
import time


def parse_ts(ts, cache={}):
    """'2025-02-27T12:12:34.043Z' -> unix seconds (float)."""
    head = ts[:19]
    base = cache.get(head)
    if base is None:
        base = calendar.timegm(time.strptime(head, "%Y-%m-%dT%H:%M:%S"))
        cache[head] = base
    frac = ts[19:].rstrip("Z")
    return base + (float(frac) if frac.startswith(".") and len(frac) > 1 else 0.0)


def json_lines(path, needle, start_offset=0):
    """The lines of a JSON log holding `needle` (bytes), parsed, from byte
    `start_offset` on; a line that is not JSON is passed over. The substring
    test first, as logs of 100,000 accounts are long and most lines are not
    wanted."""
    with open(path, "rb") as f:
        f.seek(start_offset)
        for line in f:
            if needle not in line:
                continue
            try:
                e = json.loads(line)
            except ValueError:
                continue
            yield e


def emulator_authorizations(log_path, start_offset=0):
    """Real (unix) times of the successful Nova Post authorizations in the emulator's log."""
    return [parse_ts(e["ts"]) for e in json_lines(log_path, b"/v.1.0/clients/authorization", start_offset)
            if e.get("event") == "request" and e.get("status") == 200]


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
    for e in json_lines(path, b'"event":"authoriz'):
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


def per_bucket(times, origin, width):
    """{bucket index: count} of `times` in buckets of `width` seconds from origin."""
    out = {}
    for t in times:
        b = int((t - origin) // width)
        out[b] = out.get(b, 0) + 1
    return out
