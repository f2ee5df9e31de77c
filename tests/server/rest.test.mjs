// rest.test.mjs: the /v1 REST API over HTTP: check (JSON and text),
// batch (JSON Lines in input order, a spooled upload, streamed back),
// lookup, icd10, kb, health, metrics, the error statuses, bearer tokens,
// and the log: one line per request, no patient data.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { run, check, checkEq, startServer, buildKb, tmpdir, CLI } from './lib.mjs';

const claim = {
  id: 'c-rest-1', payer: 'medicare', jurisdiction: 'J15', date: '2025-03-03',
  patient: { id: 'PHI-PATIENT-777', birth_date: '1950-04-02', sex: 'F' },
  diagnoses: ['I10'], lines: [{ code: '82306', units: 1 }],
};
const TOKEN = 'rest-token-0123456789abcdef';

run('server rest', async () => {
  const dir = tmpdir('rest');
  const kb = buildKb(dir);
  fs.writeFileSync(path.join(dir, 'tokens'), TOKEN + '\n');
  // a history store: this patient had an annual wellness visit last fall
  const hist = path.join(dir, 'history.db');
  const imp = spawnSync(CLI, ['history', 'import', '--quiet', '--db', hist, '-'], { encoding: 'utf8',
    input: JSON.stringify({ patient: { id: 'p-hist' }, diagnoses: ['Z00.00'],
      lines: [{ code: 'G0439', date: '2024-09-10' }] }) + '\n' });
  checkEq(imp.status, 0, 'history import: ' + imp.stderr);
  const s = await startServer(['--kb', kb, '--token-file', path.join(dir, 'tokens'),
    '--threads', '2', '--max-body', '65536', '--history', hist], { dir });
  const auth = { Authorization: 'Bearer ' + TOKEN };
  const json = Object.assign({ 'Content-Type': 'application/json' }, auth);
  let requests = 0;
  const req = async (p, o = {}) => {
    requests++;
    return fetch(s.url + p, o);
  };

  // /healthz open, /v1 behind the token
  let r = await req('/healthz');
  checkEq(r.status, 200, '/healthz');
  check(/^[0-9a-f]{16}$/.test(r.headers.get('x-request-id')), 'X-Request-Id');
  r = await req('/v1/check', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(claim) });
  checkEq(r.status, 401, 'no token');
  check((r.headers.get('www-authenticate') || '').startsWith('Bearer'), 'WWW-Authenticate');
  checkEq((await r.json()).error.code, 'unauthorized', 'error code');

  // check: JSON and text
  r = await req('/v1/check', { method: 'POST', headers: json, body: JSON.stringify(claim) });
  checkEq(r.status, 200, 'check');
  const res = await r.json();
  checkEq(res.id, 'c-rest-1', 'result id');
  checkEq(res.status, 'not_covered', 'status');
  checkEq(res.lines[0].abn, 'recommended', 'abn');
  const f = res.lines[0].findings.find((x) => x.edit === 'policy.dx_not_supported');
  check(f && f.policy.id === 'A99911', 'the article is cited');
  check(f.supporting_diagnoses.includes('E55.9'), 'supporting diagnoses');
  r = await req('/v1/check?format=text', { method: 'POST', headers: json, body: JSON.stringify(claim) });
  checkEq(r.status, 200, 'text');
  check(r.headers.get('content-type').startsWith('text/plain'), 'text content type');
  check((await r.text()).includes('NOT COVERED'), 'text result');

  // prior services come from the history store (--history)
  r = await req('/v1/check', { method: 'POST', headers: json, body: JSON.stringify({
    patient: { id: 'p-hist', age: 70, sex: 'F' }, date: '2025-03-03', diagnoses: ['Z00.00'],
    lines: [{ code: 'G0439' }] }) });
  const awv = await r.json();
  checkEq(awv.lines[0].status, 'not_covered', 'a second AWV within the year');
  check(awv.lines[0].findings.some((x) => x.edit === 'frequency.exceeded'), 'frequency from the history store');

  // HEAD on the page: headers, no body
  r = await req('/', { method: 'HEAD' });
  checkEq(r.status, 200, 'HEAD /');
  checkEq((await r.text()).length, 0, 'no body for HEAD');

  // errors, each with its status and a JSON body
  const errors = [
    ['/v1/check', { method: 'POST', headers: json, body: '{"lines": [' }, 400, 'invalid_json'],
    ['/v1/check', { method: 'POST', headers: json, body: '{"lines":[{"code":"82306","date":"2025-02-30"}]}' }, 422, 'invalid_input'],
    ['/v1/check', { method: 'POST', headers: Object.assign({}, auth, { 'Content-Type': 'text/plain' }), body: '{}' }, 415, 'unsupported_media_type'],
    ['/v1/check', { method: 'POST', headers: json, body: '{' + ' '.repeat(70000) + '}' }, 413, 'too_large'],
    ['/v1/check', { method: 'GET', headers: auth }, 405, 'method_not_allowed'],
    ['/v1/nothing', { headers: auth }, 404, 'not_found'],
    ['/v1/icd10?q=', { headers: auth }, 400, 'invalid_parameter'],
    ['/v1/lookup', { headers: auth }, 400, 'invalid_parameter'],
  ];
  for (const [p, o, status, code] of errors) {
    r = await req(p, o);
    checkEq(r.status, status, p + ' status');
    const body = await r.json();
    checkEq(body.error.code, code, p + ' error code');
    check(typeof body.error.message === 'string' && body.error.message, p + ' message');
  }
  r = await req('/v1/check', { method: 'POST', headers: json, body: '{"lines":[{"code":"82306","date":"2025-02-30"}]}' });
  checkEq((await r.json()).error.where, 'lines[0].date', '422 names the field');

  // reference
  r = await req('/v1/icd10?q=vitamin%20d%20def&max=3', { headers: auth });
  const icd = await r.json();
  checkEq(icd.results[0].code, 'E55.9', 'type-ahead best match');
  r = await req('/v1/lookup?code=82306&jurisdiction=KY&date=2025-03-03', { headers: auth });
  const lk = await r.json();
  check(lk.policies.some((p) => p.id === 'A99911'), 'lookup finds the article');
  r = await req('/v1/kb', { headers: auth });
  const kbi = await r.json();
  checkEq(kbi.built, '2025-01-01', 'kb built');
  checkEq(kbi.generation, 1, 'kb generation');
  // what the KB covers, as mednec kb info says it, without its path
  check(Array.isArray(kbi.coverage) && kbi.coverage.some((c) => c.kind === 'icd10cm' && c.from && c.rows > 0),
    'kb coverage lists the ICD-10-CM versions with their dates');
  check(Array.isArray(kbi.covers) && kbi.covers.every((c) => Array.isArray(c.periods)), 'kb covers: periods by kind');
  check(Array.isArray(kbi.missing), 'kb missing kinds');
  check(kbi.counts && kbi.counts.icd10cm_codes > 0, 'kb counts');
  check(!JSON.stringify(kbi).includes('/'), 'no path of the server in /v1/kb');
  r = await req('/readyz');
  checkEq((await r.json()).status, 'ready', 'readyz');

  // batch: results in input order, errors in place; > 1 MiB spooled
  const lines = [];
  for (let i = 0; i < 6000; i++) {
    const c = Object.assign({}, claim, { id: 'b-' + i });
    lines.push(i % 1000 === 999 ? '{"lines":[{"code":"82306","date":"2025-02-30"}]}' : JSON.stringify(c));
    if (i % 1500 === 0) lines.push('');
  }
  const upload = lines.join('\n') + '\n';
  check(upload.length > (1 << 20), 'the batch is larger than 1 MiB');
  r = await req('/v1/batch', { method: 'POST', body: upload,
    headers: Object.assign({ 'Content-Type': 'application/x-ndjson' }, auth) });
  checkEq(r.status, 200, 'batch');
  checkEq(r.headers.get('transfer-encoding'), 'chunked', 'streamed');
  const out = (await r.text()).trimEnd().split('\n');
  checkEq(out.length, 6000, 'one answer per claim');
  let inputLine = 0;
  let k = 0;
  for (const line of lines) {
    inputLine++;
    if (!line) continue;
    const o = JSON.parse(out[k]);
    if (line.startsWith('{"lines"')) {
      checkEq(o.input_line, inputLine, 'error names its input line');
      check(o.error.includes('lines[0].date'), 'batch error message');
    } else {
      checkEq(o.id, JSON.parse(line).id, 'input order at ' + k);
    }
    k++;
  }

  // a line longer than a claim may be (4 MiB) is an error in its place;
  // the lines after it are read
  const longBatch = JSON.stringify(claim) + '\n{"id":"' + 'x'.repeat(5 << 20) + '"}\n' +
    JSON.stringify(Object.assign({}, claim, { id: 'after-long' })) + '\n';
  r = await req('/v1/batch', { method: 'POST', body: longBatch,
    headers: Object.assign({ 'Content-Type': 'application/x-ndjson' }, auth) });
  const longOut = (await r.text()).trimEnd().split('\n').map((l) => JSON.parse(l));
  checkEq(longOut.length, 3, 'three answers');
  checkEq(longOut[1].input_line, 2, 'the long line');
  check(longOut[1].error.includes('longer than'), 'the long line named as such');
  checkEq(longOut[2].id, 'after-long', 'the line after it');

  // metrics: requests by route and status, latency, findings; no PHI
  r = await req('/metrics', { headers: auth });
  const m = await r.text();
  check(m.includes('mednec_http_requests_total{route="/v1/check",status="200"} 3'), 'requests by route');
  check(m.includes('mednec_http_requests_total{route="/v1/check",status="422"}'), '422 counted');
  check(m.includes('mednec_http_request_duration_seconds_bucket{route="/v1/batch",le="+Inf"} 2'), 'histogram');
  check(/mednec_claims_checked_total (\d+)/.exec(m)[1] >= 5995, 'claims counted');
  check(m.includes('mednec_findings_total{edit="policy.dx_not_supported"}'), 'findings by edit');
  check(!m.includes('PHI-PATIENT-777') && !m.includes('I10'), 'no patient data in metrics');

  // the log: a request line for each request, and never patient data
  const stop = await s.stop();
  checkEq(stop.code, 0, 'exit status');
  const reqLines = s.log().filter((l) => / req=[0-9a-f]{16} /.test(l));
  checkEq(reqLines.length, requests, 'one log line per request');
  check(reqLines.some((l) => / POST \/v1\/check 200 [0-9.]+ms in=\d+ out=\d+$/.test(l)), 'log line format');
  check(!s.logText.includes('PHI-PATIENT-777'), 'no patient id in the log');
  check(!s.logText.includes('I10') && !s.logText.includes('1950-04-02'), 'no diagnosis or birth date in the log');
  check(!s.logText.includes('vitamin'), 'no query text in the log');
});
