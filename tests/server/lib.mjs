// lib.mjs: what the mednec serve tests share: build the fixture KB, start
// `mednec serve` on an ephemeral loopback port (read back from
// --port-file), collect its log, stop it whatever happens, sign CDS Hooks
// JWTs with node's crypto. Every test is a script that exits 0 or 1 (77:
// skipped), run by ctest with MN_CLI in its environment.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = process.env.MN_CLI || path.resolve('../../build/mednec');
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(ROOT, 'tests/fixtures');

export function check(cond, what) {
  if (!cond) throw new Error('assertion failed: ' + what);
}

export function checkEq(got, want, what) {
  if (got !== want) throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

export function tmpdir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mednec-' + name + '-'));
}

// Builds the server fixture KB (tests/fixtures/server) into dir/name.
export function buildKb(dir, name = 'kb.mnkb', extra = []) {
  const out = path.join(dir, name);
  const r = spawnSync(CLI, ['build', '--quiet', '--built', '2025-01-01', ...extra, '-o', out,
    path.join(FIXTURES, 'server')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('mednec build failed: ' + r.stderr);
  return out;
}

const running = new Set();

// Whatever ends this process (a failed assertion, an exception thrown in a
// callback), no server it started outlives it.
process.on('exit', () => {
  for (const s of running) {
    try { s.proc.kill('SIGKILL'); } catch (e) { /* gone */ }
  }
});
process.on('uncaughtException', (e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});

// Starts mednec serve; resolves when it listens.
export async function startServer(args = [], { env = {}, dir = null } = {}) {
  const d = dir || tmpdir('serve');
  const portFile = path.join(d, 'port');
  const proc = spawn(CLI, ['serve', '--listen', '127.0.0.1:0', '--port-file', portFile, ...args],
    { env: Object.assign({}, process.env, env), stdio: ['ignore', 'ignore', 'pipe'] });
  const s = { proc, dir: d, logText: '', exited: null };
  running.add(s);
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (t) => { s.logText += t; });
  s.exitPromise = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      s.exited = { code, signal };
      running.delete(s);
      resolve(s.exited);
    });
  });
  const t0 = Date.now();
  while (!fs.existsSync(portFile)) {
    if (s.exited) throw new Error('mednec serve exited: ' + s.logText);
    if (Date.now() - t0 > 20000) throw new Error('mednec serve did not start: ' + s.logText);
    await sleep(20);
  }
  s.port = parseInt(fs.readFileSync(portFile, 'utf8'), 10);
  s.url = 'http://127.0.0.1:' + s.port;
  s.log = () => s.logText.split('\n').filter(Boolean);
  s.signal = (sig) => proc.kill(sig);
  // SIGTERM and the exit status (SIGKILL after 15 s)
  s.stop = async () => {
    if (s.exited) return s.exited;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15000);
    const r = await s.exitPromise;
    clearTimeout(timer);
    return r;
  };
  return s;
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// Runs the test body; always stops every server it started.
export async function run(name, body) {
  let failed = false;
  try {
    await body();
    console.log(`${name}: ok`);
  } catch (e) {
    failed = true;
    console.error(`${name}: ${e && e.stack ? e.stack : e}`);
  } finally {
    for (const s of [...running]) {
      try { await s.stop(); } catch (e) { /* already gone */ }
    }
  }
  process.exit(failed ? 1 : 0);
}

// ---- CDS Hooks JWTs ------------------------------------------------------------

// An EC P-384 and an RSA key pair, and a JWK Set file of their public keys.
export function makeKeys(dir) {
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ecJwk = Object.assign(ec.publicKey.export({ format: 'jwk' }), { kid: 'es-1', use: 'sig', alg: 'ES384' });
  const rsaJwk = Object.assign(rsa.publicKey.export({ format: 'jwk' }), { kid: 'rs-1', use: 'sig', alg: 'RS384' });
  const file = path.join(dir, 'jwks.json');
  fs.writeFileSync(file, JSON.stringify({ keys: [ecJwk, rsaJwk] }));
  return { ec, rsa, file };
}

const b64u = (buf) => Buffer.from(buf).toString('base64url');

// A signed JWT as a CDS client sends it (CDS Hooks 2.0).
export function jwt(keys, { alg = 'ES384', iss = 'https://ehr.example.org', aud, exp = 300,
                            jti = crypto.randomUUID(), kid } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg, typ: 'JWT', kid: kid || (alg.startsWith('ES') ? 'es-1' : 'rs-1') };
  const payload = { iss, aud, exp: now + exp, iat: now, jti };
  const input = b64u(JSON.stringify(header)) + '.' + b64u(JSON.stringify(payload));
  let sig;
  if (alg === 'ES384') {
    sig = crypto.sign('sha384', Buffer.from(input), { key: keys.ec.privateKey, dsaEncoding: 'ieee-p1363' });
  } else {
    sig = crypto.sign('sha384', Buffer.from(input), keys.rsa.privateKey);
  }
  return input + '.' + b64u(sig);
}

export function readJson(name) {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
}
