// limits.test.mjs: every limit answers with its status code: headers too
// large (431), a body over the route's limit (413, before the body is
// read when Content-Length says so, and for a chunked upload), more
// connections than allowed (503), a request slower than the request
// timeout (408), more batches at once than allowed (429).
import net from 'node:net';
import { run, check, checkEq, startServer, buildKb, tmpdir, sleep } from './lib.mjs';

// Sends `parts` (strings or delays in ms) on a new connection; resolves
// with what the server sent back until it closed or `wait` ms passed.
function raw(port, parts, wait = 4000) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      sock.destroy();
      resolve(got);
    };
    sock.setEncoding('latin1');
    sock.on('data', (d) => { got += d; });
    sock.on('close', finish);
    sock.on('error', finish);
    sock.on('connect', async () => {
      for (const p of parts) {
        if (typeof p === 'number') await sleep(p);
        else if (!sock.destroyed) sock.write(p);
      }
      setTimeout(finish, wait);
    });
  });
}

const status = (text) => {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
  return m ? parseInt(m[1], 10) : 0;
};

run('server limits', async () => {
  const dir = tmpdir('limits');
  const kb = buildKb(dir);
  const s = await startServer(['--kb', kb, '--header-limit', '8192', '--max-body', '4096',
    '--max-batch', '200000', '--max-connections', '4', '--max-batches', '1',
    '--request-timeout', '2', '--threads', '2'], { dir });
  const claim = '{"jurisdiction":"J15","date":"2025-03-03","diagnoses":["E55.9"],"lines":[{"code":"82306"}]}';

  // 431: headers larger than the connection's memory
  let r = await raw(s.port, ['GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ' + 'a'.repeat(20000) + '\r\n\r\n']);
  checkEq(status(r), 431, 'headers too large');

  // 413 from Content-Length: answered before the body is sent
  r = await raw(s.port, ['POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Content-Length: 100000\r\n\r\n'], 1500);
  checkEq(status(r), 413, 'declared body too large');
  check(r.includes('"too_large"'), '413 body');
  // 413 for a chunked body that grows past the limit
  r = await raw(s.port, ['POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Transfer-Encoding: chunked\r\n\r\n', '1400\r\n' + 'x'.repeat(0x1400) + '\r\n', '0\r\n\r\n'], 1500);
  checkEq(status(r), 413, 'chunked body too large');
  // and a body under the limit goes through
  r = await raw(s.port, ['POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Content-Length: ' + claim.length + '\r\nConnection: close\r\n\r\n' + claim]);
  checkEq(status(r), 200, 'a claim under the limit');

  // 408: a request whose body arrives slower than --request-timeout (2 s),
  // though never idle long enough to be dropped
  const body = claim;
  const parts = ['POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Content-Length: ' + body.length + '\r\n\r\n'];
  for (let i = 0; i < 4; i++) parts.push(body.slice(i * 10, i * 10 + 10), 700);
  parts.push(body.slice(40));
  r = await raw(s.port, parts, 2000);
  checkEq(status(r), 408, 'request too slow');

  // 503: more connections than --max-connections (4)
  const held = [];
  for (let i = 0; i < 4; i++) {
    const c = net.connect(s.port, '127.0.0.1');
    c.on('error', () => {});
    held.push(c);
  }
  await sleep(300);
  r = await raw(s.port, ['GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'], 1500);
  checkEq(status(r), 503, 'too many connections');
  check(/Retry-After: 1/i.test(r), 'Retry-After');
  for (const c of held) c.destroy();
  await sleep(300);

  // 429: a second batch while one is uploading (--max-batches 1)
  const slow = net.connect(s.port, '127.0.0.1');
  slow.on('error', () => {});
  let slowGot = '';
  slow.setEncoding('latin1');
  slow.on('data', (d) => { slowGot += d; });
  await new Promise((res) => slow.on('connect', res));
  const batch = claim + '\n' + claim + '\n';
  slow.write('POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n' +
    'Content-Length: ' + batch.length + '\r\nConnection: close\r\n\r\n' + batch.slice(0, 20));
  await sleep(300);
  r = await raw(s.port, ['POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\n' +
    'Content-Length: ' + batch.length + '\r\nConnection: close\r\n\r\n' + batch], 1500);
  checkEq(status(r), 429, 'too many batches');
  slow.write(batch.slice(20));
  await sleep(800);
  checkEq(status(slowGot), 200, 'the first batch finishes');
  slow.destroy();

  // the metrics saw them
  const m = await (await fetch(s.url + '/metrics')).text();
  for (const code of ['408', '413', '429']) {
    check(new RegExp('status="' + code + '"').test(m), code + ' in the metrics');
  }
  const stop = await s.stop();
  checkEq(stop.code, 0, 'exit status');
});
