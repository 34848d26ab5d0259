// tokenwarden client example, Node 18 or later (fetch); README.md.
const AGENT = process.env.TOKENWARDEN_URL ?? "http://127.0.0.1:8707";
const ACCOUNT = process.env.TOKENWARDEN_ACCOUNT ?? "shop";
const CLIENT_TOKEN = process.env.TOKENWARDEN_CLIENT_TOKEN;
const BANK = process.env.BANK_URL;
const BALANCE = "/ecom/execute_request/merchant/ecom_balance/v1/get";
// The bank's codes for a session it no longer accepts.
const REJECTED = new Set(["b_expired_token", "b_used_token", "b_session_doesnt_exist", "b_session_doesnt_exists", "b_unknown_device"]);

function fail(message) {
  console.error(message);
  process.exit(1);
}

// {status, body}: body is the parsed JSON, or null.
async function request(method, url, headers = {}, body) {
  const init = { method, headers: { ...headers }, signal: AbortSignal.timeout(30000) };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  const r = await fetch(url, init);
  const text = await r.text();
  try {
    return { status: r.status, body: JSON.parse(text) };
  } catch {
    return { status: r.status, body: null };
  }
}

const auth = CLIENT_TOKEN ? { Authorization: `Bearer ${CLIENT_TOKEN}` } : {};

async function agent(method, path) {
  const { status, body } = await request(method, AGENT + path, { "Tokenwarden-Request": "1", ...auth });
  if (status !== 200) fail(`agent: ${method} ${path}: HTTP ${status} ${JSON.stringify(body)}`);
  return body;
}

function rejected({ status, body }) {
  const code = body && typeof body === "object" ? body.msgCode : undefined;
  return [status === 401 || REJECTED.has(code), code ?? `HTTP ${status}`];
}

let token = await agent("GET", `/v1/token/${ACCOUNT}`);
console.log(`token: ${ACCOUNT} generation ${token.generation}, expires ${token.expires_at}`);

if (BANK) {
  let answer = await request("POST", BANK + BALANCE, token.headers, {});
  let [isRejected, code] = rejected(answer);
  if (isRejected) {
    const old = token.generation;
    token = await agent("POST", `/v1/token/${ACCOUNT}/invalidate?generation=${old}`);
    console.log(`rejected: generation ${old} (${code}), now generation ${token.generation}`);
    answer = await request("POST", BANK + BALANCE, token.headers, {});
    [isRejected, code] = rejected(answer);
  }
  if (answer.status !== 200 || isRejected) fail(`bank: HTTP ${answer.status} ${code}`);
  console.log(`bank: HTTP ${answer.status} with generation ${token.generation}`);
}

const proxied = await request("POST", `${AGENT}/proxy/${ACCOUNT}${BALANCE}`, auth, {});
if (proxied.status !== 200) fail(`proxy: HTTP ${proxied.status} ${JSON.stringify(proxied.body)}`);
console.log(`proxy: HTTP ${proxied.status}`);
