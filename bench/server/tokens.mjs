// tokens.mjs: the JWTs of the order-sign load runs. Writes DIR/jwks.json
// (an ES384 and an RS384 public key) and DIR/tokens-<alg>.txt with N
// distinct tokens each (a jti per token: the server refuses a replay),
// valid for an hour, for the audience URL given.
//   node tokens.mjs DIR AUD N_ES384 N_RS384
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const [dir, aud, nEs, nRs] = process.argv.slice(2);
const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' });
const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = (k, kid, alg) => Object.assign(k.publicKey.export({ format: 'jwk' }), { kid, alg, use: 'sig' });
fs.writeFileSync(path.join(dir, 'jwks.json'),
  JSON.stringify({ keys: [jwk(ec, 'bench-es', 'ES384'), jwk(rsa, 'bench-rs', 'RS384')] }));
const b64u = (b) => Buffer.from(b).toString('base64url');
function write(alg, n) {
  const now = Math.floor(Date.now() / 1000);
  const head = b64u(JSON.stringify({ alg, typ: 'JWT', kid: alg === 'ES384' ? 'bench-es' : 'bench-rs' }));
  const out = [];
  for (let i = 0; i < n; i++) {
    const input = head + '.' + b64u(JSON.stringify({ iss: 'https://ehr.bench.example', aud,
      exp: now + 3000, iat: now, jti: alg + '-' + i + '-' + crypto.randomUUID() }));
    const sig = alg === 'ES384'
      ? crypto.sign('sha384', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' })
      : crypto.sign('sha384', Buffer.from(input), rsa.privateKey);
    out.push(input + '.' + b64u(sig));
  }
  fs.writeFileSync(path.join(dir, 'tokens-' + alg.toLowerCase() + '.txt'), out.join('\n') + '\n');
}
write('ES384', parseInt(nEs, 10));
write('RS384', parseInt(nRs, 10));
