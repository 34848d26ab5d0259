"""Writes seed corpora for the fuzzers: the shared JOSE vectors, agent
configs and local API requests."""
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
                        "2025-02-27T12:12:34Z",
                        # the ends of the range, and the finding that set them
                        "1900-01-01T00:00:00Z", "2200.01.01 02:00:00", "1900-01-01 01:35:15+0300"]):
    write("timestamp_fuzz", "seed%d" % i, ts)

# config_fuzz: the shipped example and configs from src/agent/config_test.cc.
# FuzzEnv in config_fuzz.cc sets ALLIANCE_SERVICE_CODE, NOVAPOST_API_KEY,
# PHP_CLIENT_TOKEN, REDIS_PASSWORD, EMPTY, NESTED and LISTEN; UNSET is unset.
here = os.path.dirname(os.path.abspath(__file__))
write("config_fuzz", "example.toml", open(os.path.join(here, "..", "examples", "tokenwarden.toml")).read())
np = "[[account]]\nid='np'\nprovider='novapost'\napi_key='k'\n"
configs = {
    "documented": """
[agent]
listen = "127.0.0.1:8707"
state_dir = "/var/lib/tokenwarden"

[[account]]
id = "shop"
provider = "alliance"
base_url = "https://api-ecom-prod.bankalliance.ua"
service_code = "${ALLIANCE_SERVICE_CODE}"
private_jwk_file = "/etc/tokenwarden/alliance.jwk.json"
refresh_every = "12h"

[[account]]
id = "delivery"
provider = "novapost"
base_url = "https://api.novapost.com/v.1.0"
api_key = "${NOVAPOST_API_KEY}"

[[client]]
name = "php"
token = "${PHP_CLIENT_TOKEN}"
accounts = ["shop"]

[[client]]
name = "ops"
token = "0123456789abcdef0"
accounts = ["*"]
""",
    "defaults": np,
    "lease_ttl": "[agent]\nlease_ttl='5s'\nthreads=4\nlog_level='debug'\n" + np,
    "timeout": np + "timeout='2500ms'\nmax_active_sessions=1\n",
    "escaped_dollar": "[[account]]\nid='np'\nprovider='novapost'\napi_key='a$${b}'\n",
    "env": "[agent]\nlisten='${LISTEN}'\n[[account]]\nid='np'\nprovider='novapost'\n"
           "api_key='${NESTED}${EMPTY}'\n",
    "env_unset": "[[account]]\nid='np'\nprovider='novapost'\napi_key='${UNSET}'\n",
    "redis": "[agent]\nstate='redis://tokenwarden:${REDIS_PASSWORD}@10.0.0.5:6379/0'\n"
             "master_key_file='/etc/tokenwarden/master.key'\n" + np,
    "unix": "[agent]\nlisten='unix:/run/tokenwarden/agent.sock'\nstate_dir='/tmp/tw'\n" + np,
    "insecure": np + "base_url='http://api.novapost.com/v.1.0'\nallow_insecure_http=true\n",
    "loopback": np + "base_urls=['http://127.0.0.1:9000/v.1.0', 'https://api.novaposhta.ua/v.1.0']\n"
                     "ca_file='/etc/ssl/ca.pem'\n",
    "alliance": "[[account]]\nid='s'\nprovider='alliance'\nservice_code='c'\nprivate_jwk_file='k'\n"
                "refresh_every='8h'\napi_version='v1'\n",
    "syntax_error": "[agent]\nlisten = \n",
    # Non-ASCII inside strings and comments, and one outside (util/toml_text.h).
    "cyrillic_text": "# магазин\n[[account]]\nid='крамниця'\nprovider='novapost'\napi_key=\"ключ\"\n",
    "cyrillic_key": "[agent]\nl\u0456sten = '127.0.0.1:8700'\n" + np,
}
for name, text in configs.items():
    write("config_fuzz", name + ".toml", text)

# http_request_fuzz: what local clients send the agent, one connection each.
T = "Host: 127.0.0.1:8707\r\nTokenwarden-Request: 1\r\n"
requests = {
    "token": "GET /v1/token/shop HTTP/1.1\r\n" + T + "\r\n",
    "token_bearer": "GET /v1/token/shop HTTP/1.1\r\n" + T + "Authorization: Bearer 0123456789abcdef0\r\n\r\n",
    "token_no_marker": "GET /v1/token/shop HTTP/1.1\r\nHost: localhost\r\n\r\n",
    "token_origin": "GET /v1/token/shop HTTP/1.1\r\n" + T + "Origin: https://evil.example\r\n\r\n",
    "invalidate": "POST /v1/token/shop/invalidate?generation=3 HTTP/1.1\r\n" + T + "Content-Length: 0\r\n\r\n",
    "invalidate_bad": "POST /v1/token/delivery/invalidate?generation=%2D1+x HTTP/1.1\r\n" + T + "\r\n",
    "accounts": "GET /v1/accounts HTTP/1.1\r\n" + T + "Authorization: Bearer fedcba9876543210f\r\n\r\n",
    "authorize": "POST /v1/accounts/shop/authorize HTTP/1.1\r\n" + T + "Content-Length: 0\r\n\r\n",
    "proxy": "POST /proxy/shop/ecom/execute_request/hpp/v1/create-order?x=1 HTTP/1.1\r\n" + T
             + "Content-Type: application/json\r\nContent-Length: 44\r\n\r\n"
             + '{"coinAmount":100,"merchantRequestId":"m-1"}',
    "proxy_chunked": "PUT /proxy/delivery/v.1.0/shipments HTTP/1.1\r\nHost: x\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    "metrics": "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
    "status_page": "GET / HTTP/1.0\r\n\r\n",
    "health": "GET /healthz HTTP/1.1\r\n\r\nGET /readyz HTTP/1.1\r\n\r\nGET /metrics HTTP/1.1\r\n"
              "X-Forwarded-For: 10.0.0.1\r\nConnection: close\r\n\r\n",
    "pipelined": "GET /v1/token/shop HTTP/1.1\r\n" + T + "\r\nPOST /v1/token/shop/invalidate?generation=3 HTTP/1.1\r\n"
                 + T + "Content-Length: 0\r\n\r\nDELETE /v1/accounts HTTP/1.1\r\n" + T + "\r\n",
    "not_found": "GET /v2/token/shop HTTP/1.1\r\n\r\n",
    "garbage": "\x00\xff GARBAGE / HTTP/9.9\r\n\r\n",
    "bad_length": "POST /v1/token/shop/invalidate HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n",
}
for name, text in requests.items():
    write("http_request_fuzz", name, text.encode("latin-1"))

# http_answer_fuzz: what upstreams answer the client; byte 0 is the read
# size (low 6 bits, 0: one read) and 0x40 marks an answer to HEAD.
answers = {
    "nginx_json": (5, "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 24 Nov 2026 16:31:53 GMT\r\n"
                      "Content-Type: application/json\r\nContent-Length: 49\r\nConnection: keep-alive\r\n\r\n"
                      '{"items":[{"id":1,"name":"branch 1"}],"total":1}\n'),
    "chunked": (3, "HTTP/1.1 201 Created\r\nSet-Cookie: a=1\r\nTransfer-Encoding: chunked\r\nSet-Cookie: b=2\r\n\r\n"
                   "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n"),
    "to_close": (1, "HTTP/1.1 200 OK\r\nX-Kind: eof\r\n\r\nthe body runs to the close"),
    "head": (0x40 | 7, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"),
    "no_content": (0, "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"),
    "unauthorized": (9, "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: 34\r\n\r\n"
                        '{"msgCode":"b_auth_token_expired"}'),
    "http10": (2, "HTTP/1.0 502 Bad Gateway\r\nContent-Length: 3\r\n\r\nbad"),
}
for name, (first, text) in answers.items():
    write("http_answer_fuzz", name, bytes([first]) + text.encode("latin-1"))

# record_fuzz: stored records as src/store/record_codec.cc writes them (and
# the forms its tests read: unknown members, records from before a field).
session = ('"session":{"account":"shop","provider":"alliance","generation":9,"issued_at_ms":1740000000000,'
           '"expires_at_ms":1740086400000,"refresh_at_ms":1740043200000,'
           '"headers":[["x-device_id","device-1"],["x-refresh_token","refresh-9"]],'
           '"upstream_state":"{\\"serverPublic\\":{\\"kty\\":\\"EC\\"}}"}')
head = '{"version":12,"last_used_ms":1740000000000,"needs_support":false,"support_message":""'
records = {
    "empty": head + ',"earlier_expires_at_ms":[]}',
    "alliance": head + ',"earlier_expires_at_ms":[1740000000000],' + session + "}",
    "novapost": '{"version":4,"last_used_ms":-5,"needs_support":true,"support_message":"call the bank",'
                '"earlier_expires_at_ms":[1,2,3],"session":{"account":"a","provider":"novapost","generation":2,'
                '"issued_at_ms":1,"expires_at_ms":3,"refresh_at_ms":2,"headers":[["Authorization","Bearer x"]],'
                '"upstream_state":""}}',
    "newer": '{"future":{"a":[1,{"b":null}],"c":"d"},"version":4,"last_used_ms":0,"needs_support":false,'
             '"support_message":"","also":[[true],1.5],' + session + "}",
    "older": '{"version":3,"last_used_ms":0,"needs_support":false,"support_message":""}',
}
for name, text in records.items():
    write("record_fuzz", name, text)

# answer_fuzz: byte 0 picks the reader (0 the bank's authorization answer,
# 1 its decrypted payload, 2 Nova Post's token answer, 3 the classifiers),
# bytes 1-2 the HTTP status, then "Retry-After value\nbody".
def answer(reader, status, retry_after, body):
    return bytes([reader, status >> 8, status & 0xFF]) + retry_after.encode() + b"\n" + body.encode()


answers = {}
for case in json.load(open(os.path.join(jose, "cases.json"))):
    if "-bank" in case["name"] and case["expect"] == "ok":
        answers[case["name"] + "-wrapped"] = answer(0, 200, "", json.dumps({"jwe": case["jwe"]}))
        answers[case["name"] + "-bare"] = answer(0, 200, "", case["jwe"])
        answers[case["name"] + "-payload"] = answer(1, 200, "", case["plaintext"])
bank = {"authToken": "a", "deviceId": "d", "refreshToken": "r"}
answers["payload-both-expiries"] = answer(1, 200, "", json.dumps(dict(
    bank, tokenExpiration="2026-11-25 02:00:00.000+02:00", tokenExpirationDateTime="2026-11-25 00:00:00.000 +0000")))
answers["payload-disagreeing"] = answer(1, 200, "", json.dumps(dict(
    bank, tokenExpiration="2026.11.25 02:00:00.000", tokenExpirationDateTime="2026-11-24 20:00:00.000 +0000")))
answers["payload-kyiv-only"] = answer(1, 200, "", json.dumps(dict(bank, tokenExpiration="2026.11.25 02:00:00.000")))
answers["payload-no-expiry"] = answer(1, 200, "", json.dumps(bank))
# Past 2200-01-01, the last instant a timestamp may name: refused.
answers["payload-past-2200"] = answer(1, 200, "", json.dumps(dict(
    bank, tokenExpirationDateTime="2200-06-01 00:00:00.000 +0000", tokenExpiration="2200.06.01 03:00:00.000")))
answers["payload-no-device"] = answer(1, 200, "", json.dumps({"refreshToken": "r"}))
for case in json.load(open(os.path.join(jose, "jwt_cases.json"))):
    if case["expect"] == "ok":
        answers["novapost-" + case["name"]] = answer(2, 200, "", json.dumps({"jwt": case["jwt"], "refreshToken": "x"}))
answers["novapost-no-jwt"] = answer(2, 200, "", '{"token":"x"}')
for status, retry_after, body in [
        (401, "", '{"msgCode":"b_expired_token","msgText":"expired"}'),
        (200, "", '{"msgCode":"b_auth_token_expired","msgText":"closed after 200 days"}'),
        (503, "120", '{"msgCode":"b_server_is_overloaded"}'),
        (429, "Sun, 06 Nov 1994 08:49:37 GMT", '{"error":"slow_down","error_description":"too many"}'),
        (500, "Tue, 24 Nov 2026 00:30:00 GMT", '<html>oops</html>'),
        (422, "", '{"message":"bad field"}'),
        (400, "", '{"msgCode":"b_refresh_token_absent","msgText":"' + "x" * 300 + '"}'),
        (502, "", '{"msgCode":"b_used_tok')]:
    answers["classify-%d-%d" % (status, len(answers))] = answer(3, status, retry_after, body)
    answers["authorize-%d-%d" % (status, len(answers))] = answer(0, status, retry_after, body)
for name, data in answers.items():
    write("answer_fuzz", name, data)

# The emulator's readers: the first byte picks create-order (0), reading
# order data (1), a refund (2), an operation by id (3) or by
# merchantRequestId (4); the bank's documented examples.
example_order = {"merchantRequestId": "137d9304-0368-11ed-b939-0242ac120002",
                 "merchantId": "137d9304-0368-11ed-b939-0242ac120002", "hppPayType": "PURCHASE",
                 "coinAmount": 2000, "paymentMethods": ["CARD"], "successUrl": "https://example.com/success",
                 "failUrl": "https://example.com/fail", "statusPageType": "STATUS_TIMER_PAGE",
                 "notificationUrl": "https://merchant.notification_url", "expirationTimeMinutes": 1440,
                 "customerData": {"senderCustomerId": "1258728c1"}}
write("emulator_fuzz", "create-order", "\x00" + json.dumps(example_order))
write("emulator_fuzz", "operations", "\x01" + json.dumps({"hppOrderId": "1727703854455xVnw_4_NpkJ"}))
write("emulator_fuzz", "refund", "\x02" + json.dumps({
    "merchantRequestId": "137d9304-0368-11ed-b939-0242ac120002", "merchantId": "1234567890",
    "operationId": "1712844596346b9F-WwrWZpq", "coinAmount": "2000", "date": "2025-02-27T14:12:34.00+03:00",
    "merchantComment": "merchant Comment id 1258728c1"}))
write("emulator_fuzz", "operation-by-id", "\x03" + json.dumps({"id": "16849296265235MUp5dm2pxD"}))
write("emulator_fuzz", "operation-by-merchant-request-id",
      "\x04" + json.dumps({"merchantRequestId": "72837906-f526-4aef-8d11-58d80b44cb75"}))
# Nova Post: shipment create (5, the EU-EU request example), the shipment
# list (6) and BasicTracking (7), their queries as the documentation's.
example_shipment = {
    "status": "ReadyToShip", "clientOrder": "", "note": "", "payerType": "Sender", "invoice": None, "services": [],
    "parcels": [{"cargoCategory": "parcel", "number": None, "parcelDescription": "parcel for redirect test",
                 "insuranceCost": 100.00, "rowNumber": 1, "width": 200, "length": 350, "height": 100,
                 "actualWeight": 2000, "volumetricWeight": 2000}],
    "sender": {"companyTin": "", "companyName": "", "phone": "380989058454", "email": "sender@test.com",
               "name": "Maks Tester", "countryCode": "CZ", "divisionId": 1834581, "addressParts": {}, "ioss": None},
    "recipient": {"companyTin": "", "companyName": "", "phone": "380954891992", "email": "recipient@test.com",
                  "name": "Chuck Norris", "countryCode": "PL", "divisionId": 27255, "addressParts": {}}}
write("emulator_fuzz", "shipment-create", "\x05" + json.dumps(example_shipment))
write("emulator_fuzz", "shipment-list", "\x06" + "numbers[]=SHPL6145344878&ids[]=113622&limit=1&page=1")
write("emulator_fuzz", "basic-tracking", "\x07" + "numbers[]=SHPL1234567890&extended=1")
