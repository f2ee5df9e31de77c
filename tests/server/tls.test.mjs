// tls.test.mjs: --tls-cert/--tls-key serve HTTPS (libmicrohttpd's GnuTLS
// support). The certificate is made for the test with the openssl command;
// the test is skipped (77) without it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { run, check, checkEq, startServer, buildKb, tmpdir } from './lib.mjs';

function get(port, p, ca) {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: p, ca, servername: 'localhost' }, (res) => {
      let body = '';
      const tls = res.socket.getProtocol();
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body, tls }));
    });
    req.on('error', reject);
  });
}

const openssl = spawnSync('openssl', ['version']);
if (openssl.status !== 0) {
  console.log('server tls: skipped (no openssl command to make a certificate)');
  process.exit(77);
}

run('server tls', async () => {
  const dir = tmpdir('tls');
  const kb = buildKb(dir);
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { encoding: 'utf8' });
  checkEq(r.status, 0, 'openssl: ' + r.stderr);
  const s = await startServer(['--kb', kb, '--tls-cert', cert, '--tls-key', key], { dir });
  const ca = fs.readFileSync(cert);
  const h = await get(s.port, '/healthz', ca);
  checkEq(h.status, 200, 'healthz over TLS');
  check(/^TLSv1\.[23]$/.test(h.tls), 'a TLS 1.2 or 1.3 session: ' + h.tls);
  const d = await get(s.port, '/cds-services', ca);
  checkEq(d.status, 200, 'discovery over TLS');
  check(s.log()[0].includes('listening on https://'), 'the log says https');
  // plain HTTP on the TLS port gets no answer
  let plainFailed = false;
  try {
    const res = await fetch(s.url + '/healthz', { signal: AbortSignal.timeout(2000) });
    plainFailed = res.status !== 200;
  } catch (e) {
    plainFailed = true;
  }
  check(plainFailed, 'plain HTTP is not served on the TLS port');
  const st = await s.stop();
  checkEq(st.code, 0, 'exit status');
});
