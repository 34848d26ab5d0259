#!/usr/bin/python3
"""The agent against nginx on loopback, with wrk, in one run (issue 5).

1. GET /v1/token/shop from the agent, against nginx serving the same body
   from a static file.
2. GET /proxy/delivery/divisions through the agent, against an nginx
   reverse proxy that adds the same Authorization header; both forward to
   the same upstream (a third nginx answering a static JSON, which passes
   the authorization call on to the emulator).

The agent runs with one server thread and each nginx with one worker; wrk
has the same settings for both sides. Prints requests/s and the ratios.

  bench/agent_vs_nginx.py BUILD_DIR [--seconds N] [--connections N] [--runs N]
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path, headers=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, r.read()


def wait_http(port, path, headers=None, limit=15):
    end = time.time() + limit
    while time.time() < end:
        try:
            if get(port, path, headers)[0] == 200:
                return
        except Exception:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"nothing answered 200 on 127.0.0.1:{port}{path}")


def nginx_conf(work, name, port, body):
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    conf = os.path.join(d, "nginx.conf")
    temps = "".join(f"  {t}_temp_path {d}/{t};\n" for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    with open(conf, "w") as f:
        f.write(f"""user root;
worker_processes 1;
error_log {d}/error.log warn;
pid {d}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
{temps}  access_log off;
  keepalive_requests 1000000;
  server {{
    listen 127.0.0.1:{port};
{body}
  }}
}}
""")
    return d, conf


def wrk(port, path, headers, args):
    cmd = ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{args.seconds}s", "--latency"]
    for h in headers:
        cmd += ["-H", h]
    out = subprocess.run(cmd + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                         timeout=args.seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    p99 = re.search(r"99%\s+(\S+)", out)
    if non2xx:
        raise RuntimeError(f"{non2xx.group(1)} non-2xx answers from :{port}{path}:\n{out}")
    return rps, (p99.group(1) if p99 else "?"), (errors.group(0) if errors else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build")
    ap.add_argument("--seconds", type=int, default=8, help="each wrk run (default 8)")
    ap.add_argument("--connections", type=int, default=50, help="wrk -c (default 50)")
    ap.add_argument("--threads", type=int, default=1, help="wrk -t (default 1)")
    ap.add_argument("--runs", type=int, default=3, help="alternating runs per side; the best of each counts (default 3)")
    args = ap.parse_args()
    binary = os.path.join(args.build, "bin", "tokenwarden")
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            sys.exit(f"bench: {tool} is missing (make deps installs it)")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"

    work = tempfile.mkdtemp(prefix="tw-bench-")
    os.chmod(work, 0o755)  # nginx workers (nobody) read the static file
    procs = []
    try:
        emu_port, up_port, peer_port, agent_port = free_port(), free_port(), free_port(), free_port()
        procs.append(subprocess.Popen([binary, "emulate", "--demo", "--demo-dir", f"{work}/keys",
                                       "--listen", f"127.0.0.1:{emu_port}"],
                                      stdout=open(f"{work}/emulator.out", "w"), stderr=subprocess.DEVNULL))
        wait_http(emu_port, "/_emulator/clock")
        accounts = open(f"{work}/emulator.out").read().split("# an agent configuration for it:\n", 1)[1]

        # The shared upstream: static answers, authorization passed to the emulator.
        d, conf = nginx_conf(work, "upstream", up_port, f"""
    location /api-gateway/ {{ proxy_pass http://127.0.0.1:{emu_port}; }}
    location /v.1.0/clients/ {{ proxy_pass http://127.0.0.1:{emu_port}; }}
    location / {{ default_type application/json; return 200 '{{"items":[{{"id":1,"name":"branch 1"}}],"total":1}}'; }}""")
        procs.append(subprocess.Popen([nginx, "-c", conf, "-p", d, "-g", "daemon off;"], stderr=subprocess.DEVNULL))
        wait_http(up_port, "/v.1.0/divisions")

        accounts = accounts.replace(f"http://127.0.0.1:{emu_port}/v.1.0", f"http://127.0.0.1:{up_port}/v.1.0")
        with open(f"{work}/agent.toml", "w") as f:
            f.write(f'[agent]\nlisten = "127.0.0.1:{agent_port}"\nstate_dir = "{work}/state"\nthreads = 1\n'
                    f'log_level = "warn"\n\n{accounts}')
        procs.append(subprocess.Popen([binary, "serve", "--config", f"{work}/agent.toml"],
                                      stdout=subprocess.DEVNULL, stderr=open(f"{work}/agent.log", "w")))
        marker = {"Tokenwarden-Request": "1"}
        wait_http(agent_port, "/readyz")
        _, token_body = get(agent_port, "/v1/token/shop", marker)
        jwt = json.loads(get(agent_port, "/v1/token/delivery", marker)[1])["headers"]["Authorization"]
        with open(f"{work}/token.json", "wb") as f:
            f.write(token_body)
        os.chmod(f"{work}/token.json", 0o644)

        d, conf = nginx_conf(work, "peer", peer_port, f"""
    location = /v1/token/shop {{ default_type application/json; alias {work}/token.json; }}
    location /proxy/delivery/ {{
      proxy_pass http://upstream_pool/v.1.0/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "{jwt}";
    }}""".replace("server {", "server {"))
        # The keep-alive pool to the upstream lives in the http block.
        text = open(conf).read().replace("  server {", f"  upstream upstream_pool {{ server 127.0.0.1:{up_port}; keepalive 64; }}\n  server {{", 1)
        open(conf, "w").write(text)
        procs.append(subprocess.Popen([nginx, "-c", conf, "-p", d, "-g", "daemon off;"], stderr=subprocess.DEVNULL))
        wait_http(peer_port, "/v1/token/shop")
        wait_http(peer_port, "/proxy/delivery/divisions")
        assert get(peer_port, "/v1/token/shop")[1] == token_body, "nginx must serve the very same body"

        print(f"agent vs nginx on loopback: wrk -t{args.threads} -c{args.connections} -d{args.seconds}s, "
              f"best of {args.runs} alternating runs; agent threads = 1, nginx worker_processes = 1; "
              f"{os.cpu_count()} CPUs")
        cases = [("GET /v1/token/shop", agent_port, peer_port, "/v1/token/shop", ["Tokenwarden-Request: 1"]),
                 ("proxy GET /proxy/delivery/divisions", agent_port, peer_port, "/proxy/delivery/divisions", [])]
        ok = True
        for name, a_port, n_port, path, headers in cases:
            best = {"agent": (0, "", ""), "nginx": (0, "", "")}
            for _ in range(args.runs):
                for side, port in (("agent", a_port), ("nginx", n_port)):
                    r = wrk(port, path, headers, args)
                    if r[0] > best[side][0]:
                        best[side] = r
            ratio = best["agent"][0] / best["nginx"][0]
            ok = ok and ratio >= 1.0
            print(f"  {name:38} agent {best['agent'][0]:>10,.0f} req/s (p99 {best['agent'][1]})   "
                  f"nginx {best['nginx'][0]:>10,.0f} req/s (p99 {best['nginx'][1]})   ratio {ratio:.2f}"
                  f"{'' if ratio >= 1.0 else '  (target >= 1.0 not met)'}")
        stats = json.loads(get(emu_port, "/_emulator/stats")[1])
        auths = sum(v["authorizations"] for p in stats.values() for v in p.values())
        print(f"  upstream authorizations during the whole run: {auths} (one per account)")
        return 0 if ok else 1
    finally:
        for p in reversed(procs):
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
