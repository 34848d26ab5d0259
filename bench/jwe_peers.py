#!/usr/bin/python3
"""Our JWE against python3-jwcrypto and node's jose, one operation at a time.

The same work everywhere: a 449-byte bank answer (jwe_bench.cc's BankAnswer()),
ECDH-ES+A256KW on P-384 with A256GCM, compact serialization, single thread.
Each side makes its own key, encrypts the payload once and times decrypts of
that token, then times encrypts (each with a fresh ephemeral key). Ours is
build/bin/jwe_bench; the peers run for JWE_PEER_SECONDS (default 3) after a
short warm-up. A token from jwcrypto must open in jose and the reverse, so
both peers provably do the same work. Prints a Markdown section for the report.

  bench/jwe_peers.py BUILD_DIR [--json PATH]

jose@5 is installed into BUILD_DIR/bench-node with npm when it is not there
(scripts/node_clients.py).
"""
import argparse
import importlib.metadata
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
import node_clients  # noqa: E402
ALG, ENC, CRV = "ECDH-ES+A256KW", "A256GCM", "P-384"
WARMUP = 0.5  # seconds, untimed: lets V8 optimize and python fill its caches
OUR_BENCH = ["--benchmark_format=json", "--benchmark_filter=BM_JweDecrypt449|BM_JweEncrypt449",
             "--benchmark_min_time=2"]  # Google Benchmark 1.7: plain seconds

# The same bytes as BankAnswer() in jwe_bench.cc: padded with spaces to 448, then "}".
PAYLOAD = (
    '{"authToken":"8d0e6c0a-6a4b-4b7e-9d1b-0b8f6f0f2a11","deviceId":"2b9c7d1e-5f3a-4c8b-a1e2-3d4f5a6b7c8d",'
    '"refreshToken":"f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9","serverPublic":{"kty":"EC","crv":"P-384",'
    '"x":"YU4rRUzdmVqmRtWOs2OpDE_T5fsNIodcG8G5FWPrTPMyxpzsSOGaQLpe2FpxBmu2",'
    '"y":"A8-yxCHxkfBz3hKZfI1jUYMjUhsEveZ9THuwFjH2sCNdtksRJU7D5-SkgaFL1ETP"},'
    '"tokenExpirationDateTime":"2025-02-27 12:12:34.0430 +0000","tokenExpiration":"2025-02-27 14:12:34.430+02:00"'
).ljust(448) + "}"
assert len(PAYLOAD.encode()) == 449


def rate(op, seconds):
    """Calls op back to back for `seconds` after the warm-up; ops/s, op count, last result."""
    end = time.perf_counter() + WARMUP
    while time.perf_counter() < end:
        op()
    start = time.perf_counter()
    n = 0
    while True:
        last = op()
        n += 1
        now = time.perf_counter()
        if now - start >= seconds:
            return n / (now - start), n, last


def check(what, got):
    if got != PAYLOAD:
        sys.exit(f"bench: {what} did not return the payload: {got[:80]!r}...")


def ours(binary):
    done = subprocess.run([binary] + OUR_BENCH, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"bench: {binary} failed:\n{done.stderr}")
    per_s = {"ns": 1e9, "us": 1e6, "ms": 1e3, "s": 1.0}
    ops = {b["name"]: per_s[b["time_unit"]] / b["real_time"] for b in json.loads(done.stdout)["benchmarks"]}
    openssl = subprocess.run(["openssl", "version"], capture_output=True, text=True, check=True).stdout
    # "OpenSSL 3.0.19 27 Jan 2026 (Library: OpenSSL 3.0.19 ...)": the library is what jwe_bench loads.
    lib = re.search(r"Library: (OpenSSL \S+)", openssl) or re.match(r"(OpenSSL \S+)", openssl)
    commit = subprocess.run(["git", "-C", HERE, "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip()
    return {"name": f"tokenwarden ({lib.group(1)})", "version": commit or "unknown",
            "decrypt_ops_per_s": ops["BM_JweDecrypt449"], "encrypt_ops_per_s": ops["BM_JweEncrypt449"]}


def jwcrypto_side():
    """jwcrypto's encrypt and decrypt, and its version line."""
    try:
        from jwcrypto import jwe, jwk
        from cryptography.hazmat.backends.openssl import backend
    except ImportError:
        sys.exit("bench: python3-jwcrypto is missing (apt-get install python3-jwcrypto)")
    header = json.dumps({"alg": ALG, "enc": ENC})

    def encrypt(public):
        token = jwe.JWE(PAYLOAD.encode(), protected=header)
        token.add_recipient(public)
        return token.serialize(compact=True)

    def decrypt(token, key):
        out = jwe.JWE()
        out.deserialize(token, key=key)
        return out.payload.decode()

    version = (f"{importlib.metadata.version('jwcrypto')} (cryptography {importlib.metadata.version('cryptography')},"
               f" {' '.join(backend.openssl_version_text().split()[:2])})")
    return jwk, encrypt, decrypt, version


def jwcrypto_bench(seconds):
    jwk, encrypt, decrypt, version = jwcrypto_side()
    key = jwk.JWK.generate(kty="EC", crv=CRV)
    public = jwk.JWK(**key.export_public(as_dict=True))
    token = encrypt(public)
    dec, dec_n, plain = rate(lambda: decrypt(token, key), seconds)
    check("jwcrypto decrypt", plain)
    enc, enc_n, _ = rate(lambda: encrypt(public), seconds)
    return {"name": "python3-jwcrypto", "version": version, "decrypt_ops_per_s": dec, "encrypt_ops_per_s": enc,
            "decrypt_ops": dec_n, "encrypt_ops": enc_n}


def node_dir(build):
    """BUILD/bench-node with jose@5 in it (installed once) and jwe_jose.mjs beside it."""
    if not shutil.which("node"):
        sys.exit("bench: node is missing")
    # The script sits beside node_modules so that `import 'jose'` resolves.
    return node_clients.prepare(os.path.join(os.path.abspath(build), "bench-node"),
                                [os.path.join(HERE, "jwe_jose.mjs")])


def jose_bench(where, seconds):
    """node jose timed on its own key, plus the interop round with a jwcrypto key."""
    jwk, encrypt, decrypt, _ = jwcrypto_side()
    shared = jwk.JWK.generate(kty="EC", crv=CRV)
    job = {"payload": PAYLOAD, "seconds": seconds, "warmup": WARMUP,
           "interop_jwk": shared.export_private(as_dict=True), "interop_token": encrypt(shared)}
    done = subprocess.run(["node", os.path.join(where, "jwe_jose.mjs")], input=json.dumps(job),
                          capture_output=True, text=True, cwd=where)
    if done.returncode != 0:
        sys.exit(f"bench: node jose failed:\n{done.stderr}")
    out = json.loads(done.stdout)
    check("jose decrypt", out["decrypt"]["plaintext"])
    check("jose decrypt of a jwcrypto token", out["interop_plaintext"])
    check("jwcrypto decrypt of a jose token", decrypt(out["interop_token"], shared))
    with open(os.path.join(where, "node_modules", "jose", "package.json")) as f:
        version = json.load(f)["version"]
    return {"name": "node jose", "version": f"{version} (node {out['node']}, OpenSSL {out['openssl']})",
            "decrypt_ops_per_s": out["decrypt"]["ops_per_s"], "encrypt_ops_per_s": out["encrypt"]["ops_per_s"],
            "decrypt_ops": out["decrypt"]["ops"], "encrypt_ops": out["encrypt"]["ops"]}


def table(rows, command, seconds):
    us = rows[0]
    for r in rows[1:]:
        r["decrypt_ratio"] = us["decrypt_ops_per_s"] / r["decrypt_ops_per_s"]
        r["encrypt_ratio"] = us["encrypt_ops_per_s"] / r["encrypt_ops_per_s"]
    lines = [f"## 5. JWE ({ALG}, {CRV}, {ENC}), one operation at a time", "",
             "| implementation | version | decrypt ops/s | encrypt ops/s | decrypt ratio (ours / peer) | encrypt ratio |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        ratios = [f"{r[k]:.2f}" if k in r else "—" for k in ("decrypt_ratio", "encrypt_ratio")]
        lines.append(f"| {r['name']} | {r['version']} | {r['decrypt_ops_per_s']:,.0f} | "
                     f"{r['encrypt_ops_per_s']:,.0f} | {ratios[0]} | {ratios[1]} |")
    lines += ["", f"Command: `{command}`; payload {len(PAYLOAD.encode())} bytes, compact serialization, single thread; "
              f"ours is jwe_bench real_time (`{' '.join(OUR_BENCH)}`), each peer {seconds:g} s of decrypts then "
              f"{seconds:g} s of encrypts after a {WARMUP:g} s warm-up; {os.cpu_count()} CPUs."]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build")
    ap.add_argument("--json", metavar="PATH", help="also write the figures as JSON here")
    args = ap.parse_args()
    seconds = float(os.environ.get("JWE_PEER_SECONDS", "3"))
    env = f"JWE_PEER_SECONDS={os.environ['JWE_PEER_SECONDS']} " if "JWE_PEER_SECONDS" in os.environ else ""
    command = env + shlex.join(["bench/jwe_peers.py"] + sys.argv[1:])

    binary = os.path.join(args.build, "bin", "jwe_bench")
    if not os.path.exists(binary):
        sys.exit(f"bench: {binary} is missing (build the benchmarks first)")
    jwcrypto_side()  # fail on a missing peer before anything is measured
    where = node_dir(args.build)
    # One after the other, so no side competes with another for a core.
    rows = [ours(binary), jwcrypto_bench(seconds), jose_bench(where, seconds)]
    print(table(rows, command, seconds))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"command": command, "payload_bytes": len(PAYLOAD.encode()), "peer_seconds": seconds,
                       "implementations": rows}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
