// The node `jose` side of bench/jwe_peers.py, which copies this file next to
// its node_modules (so `import 'jose'` resolves) and runs it there.
// Reads a JSON job on stdin, writes JSON figures on stdout; the python side
// checks every plaintext, so this file only measures.
import { readFileSync } from 'node:fs';
import * as jose from 'jose';

const job = JSON.parse(readFileSync(0, 'utf8'));
const payload = new TextEncoder().encode(job.payload);
const header = { alg: 'ECDH-ES+A256KW', enc: 'A256GCM' };

const encrypt = (key) => new jose.CompactEncrypt(payload).setProtectedHeader(header).encrypt(key);
const decrypt = async (token, key) => new TextDecoder().decode((await jose.compactDecrypt(token, key)).plaintext);

// Awaits one operation at a time; the warm-up lets V8 optimize the hot path first.
async function rate(op) {
  for (const end = performance.now() + job.warmup * 1000; performance.now() < end;) await op();
  const start = performance.now();
  let n = 0, now, last;
  do {
    last = await op();
    n++;
    now = performance.now();
  } while (now - start < job.seconds * 1000);
  return { opsPerS: n / ((now - start) / 1000), ops: n, last };
}

const { privateKey, publicKey } = await jose.generateKeyPair('ECDH-ES+A256KW', { crv: 'P-384' });
const token = await encrypt(publicKey);
const dec = await rate(() => decrypt(token, privateKey));
const enc = await rate(() => encrypt(publicKey));

// Interop: open jwcrypto's token with its key, and seal one for jwcrypto to open.
const shared = await jose.importJWK(job.interop_jwk, header.alg);
const { d, ...sharedPublic } = job.interop_jwk;
process.stdout.write(JSON.stringify({
  node: process.version,
  openssl: process.versions.openssl,
  decrypt: { ops_per_s: dec.opsPerS, ops: dec.ops, plaintext: dec.last },
  encrypt: { ops_per_s: enc.opsPerS, ops: enc.ops },
  interop_plaintext: await decrypt(job.interop_token, shared),
  interop_token: await encrypt(await jose.importJWK(sharedPublic, header.alg)),
}));
