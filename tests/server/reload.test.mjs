// reload.test.mjs: SIGHUP reloads the KB while requests keep coming, and
// none of them fails: clients post claims without pause while the KB file
// is replaced by another KB and the server is sent SIGHUP, twenty times.
// Each answer names the KB it was made with; both KBs must be seen.
import fs from 'node:fs';
import path from 'node:path';
import { run, check, checkEq, startServer, buildKb, tmpdir, sleep } from './lib.mjs';

run('server reload under load', async () => {
  const dir = tmpdir('reload');
  const a = buildKb(dir, 'a.mnkb');
  const b = buildKb(dir, 'b.mnkb', ['--no-builtin']);
  const kb = path.join(dir, 'kb.mnkb');
  fs.copyFileSync(a, kb);
  const s = await startServer(['--kb', kb, '--threads', '2', '--quiet'], { dir });
  const claim = JSON.stringify({ jurisdiction: 'J15', date: '2025-03-03',
    patient: { age: 70, sex: 'F' }, diagnoses: ['E55.9'], lines: [{ code: '82306' }] });

  let stop = false;
  let ok = 0;
  const failures = [];
  const versions = new Set();
  const client = async () => {
    while (!stop) {
      try {
        const r = await fetch(s.url + '/v1/check', { method: 'POST', body: claim,
          headers: { 'Content-Type': 'application/json' } });
        const body = await r.text();
        if (r.status !== 200) {
          failures.push(r.status + ' ' + body);
          continue;
        }
        versions.add(JSON.parse(body).knowledge_base.version);
        ok++;
      } catch (e) {
        failures.push(String(e));
      }
    }
  };
  const clients = [];
  for (let i = 0; i < 12; i++) clients.push(client());
  await sleep(300);
  const reloads = 20;
  const seen = [];
  for (let i = 0; i < reloads; i++) {
    seen.push(ok);
    // the new KB arrives by rename, as an update would install it
    const tmp = kb + '.new';
    fs.copyFileSync(i % 2 === 0 ? b : a, tmp);
    fs.renameSync(tmp, kb);
    s.signal('SIGHUP');
    await sleep(200);
  }
  await sleep(300);
  stop = true;
  await Promise.all(clients);
  checkEq(failures.length, 0, 'failed requests (' + failures.slice(0, 3).join('; ') + ')');
  // requests were answered between every two reloads (the load went on)
  seen.push(ok);
  for (let i = 1; i < seen.length; i++) check(seen[i] > seen[i - 1], 'answers after reload ' + i);
  checkEq(versions.size, 2, 'answers from both KBs');
  const m = await (await fetch(s.url + '/metrics')).text();
  checkEq(/mednec_kb_reloads_total\{result="ok"\} (\d+)/.exec(m)[1], String(reloads), 'reloads counted');
  const r = await (await fetch(s.url + '/v1/kb')).json();
  checkEq(r.generation, reloads + 1, 'generation');
  const st = await s.stop();
  checkEq(st.code, 0, 'exit status');
  checkEq(s.log().filter((l) => l.includes(' reload: kb ')).length, reloads, 'a log line per reload');
  console.log(`reload: ${ok} requests, ${reloads} reloads, 0 failures`);
});
