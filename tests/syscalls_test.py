#!/usr/bin/python3
"""The system calls of a proxied request, counted on the running agent:

  tests/syscalls_test.py BUILD_DIR

The agent proxies REQUESTS keep-alive GETs, one after another, to the
emulator's Nova Post divisions while strace is attached to it; no read of
a socket may fail for want of data. Asio tries every read at once before
waiting for epoll, which on a request-answer connection fails with EAGAIN
twice per proxied request (the next request of the client, the answer of
the upstream: neither is there yet); the agent's reads tell Asio when they
drained the socket instead (src/http/draining_read.h). A change that brings
the failed reads back fails here, where a benchmark would only show a few
percent. The pool's check of a connection idle for a millisecond or more
(a MSG_PEEK that fails when all is well) is counted apart: under load it
may be made often, and it is meant to fail. The whole table is printed
for the reader."""
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from procs import emulator_and_agent

REQUESTS = 1000
PATH = "/proxy/delivery/divisions"
# Failed reads per request were 2.0 before; the first read of a new
# connection may still fail once.
MOST_FAILED_READS_PER_REQUEST = 0.05
READS = {"recvfrom", "recvmsg", "read", "readv", "recv"}


def proxied(conn, count):
    for _ in range(count):
        conn.request("GET", PATH)
        answer = conn.getresponse()
        body = answer.read()
        assert answer.status == 200, f"GET {PATH}: {answer.status} {body[:200]!r}"


def traced(pid, out):
    """strace -f -C (each call, then the summary) attached to every thread of `pid`; returns once
    attached."""
    strace = subprocess.Popen(["strace", "-f", "-C", "-qq", "-o", out, "-p", str(pid)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    tasks = os.listdir(f"/proc/{pid}/task")

    def attached():
        for task in tasks:
            status = open(f"/proc/{pid}/task/{task}/status").read()
            if re.search(r"^TracerPid:\s+0$", status, re.M):
                return False
        return True

    deadline = time.time() + 10
    while not attached():
        if strace.poll() is not None or time.time() > deadline:
            raise AssertionError(f"strace did not attach to {pid}: {strace.communicate()[1]}")
        time.sleep(0.05)
    return strace


def table(out):
    """{system call: (calls, errors)} from strace -C's summary, and the lines of the failed reads that
    were not a MSG_PEEK."""
    calls = {}
    failed = []
    summary = False  # past the summary's heading
    for line in open(out):
        fields = line.split()
        summary = summary or line.startswith("% time")
        # % time, seconds, usecs/call, calls, [errors,] syscall
        if summary and len(fields) >= 5 and re.match(r"[\d.]+$", fields[0]) and fields[-1] != "total":
            calls[fields[-1]] = (int(fields[3]), int(fields[4]) if len(fields) == 6 else 0)
        m = re.match(r"\d+\s+(\w+)\(.*\)\s+= -1 (\w+)", line)
        if m and m.group(1) in READS and "MSG_PEEK" not in line:
            failed.append(line.strip())
    return calls, failed


def main():
    binary = os.path.join(os.path.abspath(sys.argv[1]), "bin", "tokenwarden")
    if not shutil.which("strace"):
        sys.exit("syscalls_test: FAILED: strace is missing; scripts/install-deps.sh installs it")
    work = tempfile.mkdtemp(prefix="tw-syscalls-")
    try:
        with emulator_and_agent(binary, work) as (_, agent):
            port = agent.port
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            proxied(conn, 50)  # the session made, the upstream connection pooled
            out = os.path.join(work, "strace.txt")
            strace = traced(agent.proc.pid, out)
            proxied(conn, REQUESTS)
            strace.send_signal(signal.SIGINT)
            strace.wait(timeout=30)
            conn.close()
            calls, failed_reads = table(out)
            assert calls, f"strace wrote no summary: {open(out).read()[-2000:]}"
            print(f"system calls of the agent over {REQUESTS} proxied requests (calls, failed):")
            for name, (n, errors) in sorted(calls.items(), key=lambda c: -c[1][0]):
                print(f"  {name:16} {n:7} {errors:7}   {n / REQUESTS:.2f} per request")
            reads = sum(n for name, (n, _) in calls.items() if name in READS)
            assert reads >= 2 * REQUESTS, f"strace saw {reads} reads for {REQUESTS} proxied requests: not the agent's?"
            failed = len(failed_reads)
            per_request = failed / REQUESTS
            assert per_request <= MOST_FAILED_READS_PER_REQUEST, (
                f"{failed} reads (not counting MSG_PEEK checks) failed over {REQUESTS} proxied requests "
                f"({per_request:.2f} per request, at most {MOST_FAILED_READS_PER_REQUEST}): reads are tried before "
                f"the data is there, e.g.\n" + "\n".join(failed_reads[:5]))
            print(f"syscalls_test: OK ({failed} failed reads over {REQUESTS} proxied requests)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
