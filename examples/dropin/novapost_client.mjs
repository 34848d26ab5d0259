// A merchant's own Nova Post client, written from Nova Post's public
// documentation: GET {base}/clients/authorization?apiKey=KEY gives
// {"jwt": ...}, sent bare in Authorization on every call. Like many
// clients it authorizes before every call. Pointed at tokenwarden's
// drop-in listener by its base URL alone.
//
//   BASE_URL=http://127.0.0.1:8708/v.1.0/ API_KEY=... CALLS=3 node novapost_client.mjs
//
// Prints one JSON line: {"calls": N, "authorizations": N, "ms": time taken}. Exits 1, naming
// the step and the answer, on the first failure.
const base = process.env.BASE_URL;  // kept as given: this client concatenates
const apiKey = process.env.API_KEY;
const calls = Number(process.env.CALLS || 1);

function fail(step, status, text) {
  console.error(JSON.stringify({ failed: step, status, answer: text.slice(0, 400) }));
  process.exit(1);
}

async function call(step, path, init = {}) {
  const r = await fetch(base + path, init);
  const text = await r.text();
  if (r.status !== 200) fail(step, r.status, text);
  try { return JSON.parse(text); } catch { fail(step, r.status, text); }
}

let authorizations = 0;
const started = performance.now();
for (let i = 0; i < calls; i++) {
  const { jwt } = await call('authorization', 'clients/authorization?apiKey=' + encodeURIComponent(apiKey));
  authorizations++;
  if (!jwt || jwt.split('.').length !== 3) fail('authorization', 200, 'no JWT in the answer');
  await call('divisions', 'divisions?countryCodes[]=UA&limit=5', { headers: { Authorization: jwt } });
}
console.log(JSON.stringify({ calls, authorizations, ms: Math.round(performance.now() - started) }));
