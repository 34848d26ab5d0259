// A merchant's own Alliance Bank client, written from the bank's public
// documentation (authorization, creating an order, receiving order data),
// as a shop would write it, and as the bank's SDK behaves: it authorizes
// before every call. Pointed at tokenwarden's drop-in listener by its base
// URL alone, every process shares the agent's one session.
//
//   BASE_URL=http://127.0.0.1:8708 SERVICE_CODE=... KEY_FILE=private.jwk.json \
//   MERCHANT_ID=... CALLS=3 [PAYER_URL=http://127.0.0.1:EMULATOR] node alliance_client.mjs
//
// With PAYER_URL (the emulator's address; its control API plays the
// customer who pays on the bank's page) each order is paid, then refunded
// (refund, encrypted to the session's serverPublic as the bank documents)
// in part, then in full, and a refund past the amount paid must be refused.
//
// Prints one JSON line: {"calls": N, "authorizations": N, "orders": [...],
// "ms": time taken}.
// Exits 1, naming the step and the answer, on the first failure.
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, importJWK } from 'jose';

const base = process.env.BASE_URL.replace(/\/$/, '');
const serviceCode = process.env.SERVICE_CODE;
const jwk = JSON.parse(readFileSync(process.env.KEY_FILE, 'utf8'));
const merchantId = process.env.MERCHANT_ID || randomUUID();
const calls = Number(process.env.CALLS || 1);

function fail(step, status, text) {
  console.error(JSON.stringify({ failed: step, status, answer: text.slice(0, 400) }));
  process.exit(1);
}

async function post(step, path, headers, body) {
  const r = await fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { fail(step, r.status, text); }
  // The bank reports errors with msgType ERROR, sometimes under HTTP 200.
  if (r.status !== 200 || json.msgType === 'ERROR') fail(step, r.status, text);
  return json;
}

// Authorization: POST /api-gateway/authorize_virtual_device {serviceCode};
// the answer's JWE (ECDH-ES+A256KW, A256GCM) is read with the merchant's key.
async function authorize() {
  const answer = await post('authorize', '/api-gateway/authorize_virtual_device', { 'x-api_version': 'v1' }, { serviceCode });
  const key = await importJWK(jwk, 'ECDH-ES+A256KW');
  const { plaintext } = await compactDecrypt(answer.jwe || answer.data, key);
  const session = JSON.parse(new TextDecoder().decode(plaintext));
  for (const f of ['deviceId', 'refreshToken', 'serverPublic']) {
    if (!session[f]) fail('authorize', 200, `decrypted answer lacks ${f}`);
  }
  return session;
}

function sessionHeaders(session) {
  return { 'x-api_version': 'v1', 'x-device_id': session.deviceId, 'x-refresh_token': session.refreshToken, 'x-request_id': randomUUID() };
}

const payerUrl = process.env.PAYER_URL;

async function pay(hppOrderId) {
  const r = await fetch(payerUrl + '/_emulator/alliance/orders/pay', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ hppOrderId }) });
  if (r.status !== 200) fail('pay', r.status, await r.text());
}

// Refund: the request's body is a compact JWE (ECDH-ES+A256KW, A256GCM) to
// the session's serverPublic, sent as text; the answer a JWE to our key.
// `refused`: the msgCode the bank must answer instead, or undefined.
async function refund(session, operationId, coinAmount, refused) {
  const { kty, crv, x, y } = session.serverPublic;
  const serverKey = await importJWK({ kty, crv, x, y }, 'ECDH-ES+A256KW');
  const payload = { merchantRequestId: randomUUID(), merchantId, operationId, coinAmount: String(coinAmount), date: new Date().toISOString() };
  const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM' }).encrypt(serverKey);
  const r = await fetch(base + '/ecom/execute_request/payments/v3/refund', { method: 'POST', headers: { ...sessionHeaders(session), 'Content-Type': 'text/plain' }, body: jwe });
  const text = await r.text();
  let json;
  try { json = JSON.parse(text); } catch { fail('refund', r.status, text); }
  if (refused) {
    if (json.msgCode !== refused) fail('refund beyond the amount paid', r.status, text);
    return json;
  }
  if (r.status !== 200 || !json.jwe) fail('refund', r.status, text);
  const { plaintext } = await compactDecrypt(json.jwe, await importJWK(jwk, 'ECDH-ES+A256KW'));
  const operation = JSON.parse(new TextDecoder().decode(plaintext));
  if (operation.status !== 'SUCCESS' || Number(operation.coinAmount) !== coinAmount) fail('refund', r.status, JSON.stringify(operation));
  return operation;
}

async function journey(i, hppOrderId, amount) {
  await pay(hppOrderId);
  let session = await authorize();
  const read = await post('operations', '/ecom/execute_request/hpp/v1/operations', sessionHeaders(session), { hppOrderId });
  const purchase = (read.operations || []).find((o) => o.type === 'PURCHASE' && o.status === 'SUCCESS');
  if (read.orderStatus !== 'SUCCESS' || !purchase) fail('operations after paying', 200, JSON.stringify(read));
  const half = Math.floor(amount / 2);
  session = await authorize();
  await refund(session, purchase.operationId, half);
  session = await authorize();
  await refund(session, purchase.operationId, amount - half);
  session = await authorize();
  await refund(session, purchase.operationId, 1, 'b_payment_invalid_refund_amount');
  return 4;  // calls made
}

const orders = [];
let authorizations = 0;
let apiCalls = 0;
const started = performance.now();
for (let i = 0; i < calls; i++) {
  let session = await authorize();
  authorizations++;
  const merchantRequestId = randomUUID();
  const order = await post('create-order', '/ecom/execute_request/hpp/v1/create-order', sessionHeaders(session), {
    merchantRequestId, merchantId, hppPayType: 'PURCHASE', coinAmount: 2000 + i, paymentMethods: ['CARD'],
    language: 'uk', successUrl: 'https://shop.example/ok', failUrl: 'https://shop.example/fail',
    statusPageType: 'STATUS_TIMER_PAGE', purpose: 'For goods',
    customerData: { senderCustomerId: 'customer-' + i },
  });
  if (!order.hppOrderId) fail('create-order', 200, JSON.stringify(order));
  apiCalls += 2;
  session = await authorize();
  authorizations++;
  const read = await post('operations', '/ecom/execute_request/hpp/v1/operations', sessionHeaders(session), { hppOrderId: order.hppOrderId });
  orders.push(order.hppOrderId);
  if (read.hppOrderId && read.hppOrderId !== order.hppOrderId) fail('operations', 200, JSON.stringify(read));
  if (payerUrl) {
    apiCalls += await journey(i, order.hppOrderId, 2000 + i);
    authorizations += 4;
  }
}
console.log(JSON.stringify({ calls: apiCalls, authorizations, orders, ms: Math.round(performance.now() - started) }));
