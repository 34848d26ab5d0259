#!/usr/bin/python3
"""tokenwarden client example, Python standard library only (README.md)."""
import json
import os
import sys
import urllib.error
import urllib.request

AGENT = os.environ.get("TOKENWARDEN_URL", "http://127.0.0.1:8707")
ACCOUNT = os.environ.get("TOKENWARDEN_ACCOUNT", "shop")
CLIENT_TOKEN = os.environ.get("TOKENWARDEN_CLIENT_TOKEN")
BANK = os.environ.get("BANK_URL")
BALANCE = "/ecom/execute_request/merchant/ecom_balance/v1/get"
# The bank's codes for a session it no longer accepts.
REJECTED = {"b_expired_token", "b_used_token", "b_session_doesnt_exist", "b_session_doesnt_exists", "b_unknown_device"}


def request(method, url, headers=None, body=None):
    """(status, parsed JSON or None); an HTTP error status is an answer too."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, text = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, None


def agent(method, path):
    headers = {"Tokenwarden-Request": "1"}
    if CLIENT_TOKEN:
        headers["Authorization"] = "Bearer " + CLIENT_TOKEN
    status, body = request(method, AGENT + path, headers)
    if status != 200:
        sys.exit(f"agent: {method} {path}: HTTP {status} {body}")
    return body


def rejected(status, body):
    code = body.get("msgCode") if isinstance(body, dict) else None
    return status == 401 or code in REJECTED, code or f"HTTP {status}"


token = agent("GET", f"/v1/token/{ACCOUNT}")
print(f"token: {ACCOUNT} generation {token['generation']}, expires {token['expires_at']}")

if BANK:
    status, body = request("POST", BANK + BALANCE, token["headers"], {})
    is_rejected, code = rejected(status, body)
    if is_rejected:
        old = token["generation"]
        token = agent("POST", f"/v1/token/{ACCOUNT}/invalidate?generation={old}")
        print(f"rejected: generation {old} ({code}), now generation {token['generation']}")
        status, body = request("POST", BANK + BALANCE, token["headers"], {})
        is_rejected, code = rejected(status, body)
    if status != 200 or is_rejected:
        sys.exit(f"bank: HTTP {status} {code}")
    print(f"bank: HTTP {status} with generation {token['generation']}")

status, body = request("POST", f"{AGENT}/proxy/{ACCOUNT}{BALANCE}", {"Authorization": "Bearer " + CLIENT_TOKEN} if CLIENT_TOKEN else {}, {})
if status != 200:
    sys.exit(f"proxy: HTTP {status} {body}")
print(f"proxy: HTTP {status}")
