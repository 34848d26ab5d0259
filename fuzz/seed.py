"""Writes seed corpora for the fuzzers from the shared JOSE vectors."""
import json
import os
import sys

shared, out = sys.argv[1], sys.argv[2]
jose = os.path.join(shared, "testdata", "jose")


def write(fuzzer, name, data):
    d = os.path.join(out, fuzzer)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


for case in json.load(open(os.path.join(jose, "cases.json"))):
    if len(case["jwe"]) < 65536:
        write("jwe_fuzz", case["name"], case["jwe"])
for case in json.load(open(os.path.join(jose, "jwt_cases.json"))):
    write("jwt_fuzz", case["name"], case["jwt"])
for name in ("key.json", "jws_es256_public.json"):
    write("jwk_fuzz", name, open(os.path.join(jose, name)).read())
for i, ts in enumerate(["2025-02-27 12:12:34.0430 +0000", "2025-02-27 14:12:34.430+02:00",
                        "2025.11.13 17:16:04.227", "2024-09-05 18:35:18.210+03:00",
                        "2025-02-27T12:12:34Z"]):
    write("timestamp_fuzz", "seed%d" % i, ts)
