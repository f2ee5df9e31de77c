// shutdown.test.mjs: SIGTERM stops accepting connections, lets the
// requests in flight finish, answers /readyz with 503 on a connection still
// open, and exits 0.
import net from 'node:net';
import { run, check, checkEq, startServer, buildKb, tmpdir, sleep } from './lib.mjs';

function connect(port) {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    c.setEncoding('latin1');
    c.got = '';
    c.on('data', (d) => { c.got += d; });
    c.on('error', (e) => { c.failed = e; reject(e); });
    c.on('connect', () => resolve(c));
  });
}

run('server graceful shutdown', async () => {
  const dir = tmpdir('shutdown');
  const kb = buildKb(dir);
  const s = await startServer(['--kb', kb, '--threads', '2', '--grace', '10'], { dir });
  const claim = '{"jurisdiction":"J15","date":"2025-03-03","diagnoses":["E55.9"],"lines":[{"code":"82306"}]}';

  // a keep-alive connection, and a request whose body is still arriving
  const idle = await connect(s.port);
  idle.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  await sleep(200);
  check(idle.got.startsWith('HTTP/1.1 200'), 'keep-alive connection works');
  idle.got = '';
  const busy = await connect(s.port);
  busy.write('POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    'Content-Length: ' + claim.length + '\r\n\r\n' + claim.slice(0, 30));
  await sleep(200);

  s.signal('SIGTERM');
  await sleep(300);
  check(s.exited === null, 'still running while a request is in flight');
  // no new connections
  let refused = false;
  try {
    const c = await connect(s.port);
    c.destroy();
  } catch (e) {
    refused = true;
  }
  check(refused, 'new connections are refused');
  // the open connection: draining
  idle.write('GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n');
  await sleep(300);
  check(idle.got.startsWith('HTTP/1.1 503'), '/readyz says draining: ' + idle.got.slice(0, 40));
  check(/Connection: close/i.test(idle.got), 'and closes the connection');
  // the request in flight finishes
  busy.write(claim.slice(30));
  await sleep(500);
  check(busy.got.startsWith('HTTP/1.1 200'), 'the request in flight is answered: ' + busy.got.slice(0, 40));
  check(busy.got.includes('"status":"covered"'), 'with its result');
  busy.destroy();
  idle.destroy();
  const st = await s.exitPromise;
  checkEq(st.code, 0, 'exit status');
  check(s.log().some((l) => l.includes('stopping: ')), 'stopping logged');
  check(s.log().some((l) => /stopped after \d+ ms$/.test(l)), 'stopped without cutting requests');
});
