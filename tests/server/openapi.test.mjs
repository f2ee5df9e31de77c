// openapi.test.mjs: the OpenAPI document (docs/openapi.json, served at
// /openapi.json) and the server agree: every route the server has is
// documented with its methods and nothing else is; every documented
// operation called with its own example answers with a documented status
// and content type; the error statuses the routes give are documented.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { run, check, checkEq, startServer, buildKb, tmpdir, CLI, ROOT } from './lib.mjs';

const METHODS = ['get', 'head', 'post', 'put', 'delete', 'patch', 'options'];

function documented(doc, p, method, status) {
  const op = doc.paths[p] && doc.paths[p][method];
  if (!op) return null;
  let r = op.responses[String(status)];
  if (r && r.$ref) r = doc.components.responses[r.$ref.split('/').pop()];
  return r || null;
}

run('server openapi', async () => {
  const dir = tmpdir('openapi');
  const kb = buildKb(dir);
  const routes = spawnSync(CLI, ['serve', '--list-routes'], { encoding: 'utf8' });
  checkEq(routes.status, 0, '--list-routes');
  const served = new Set(routes.stdout.trim().split('\n'));
  const s = await startServer(['--kb', kb, '--cds-insecure', '--today', '2025-03-01',
    '--max-body', '65536'], { dir });
  const doc = await (await fetch(s.url + '/openapi.json')).json();
  // the document served is the one in the repository
  checkEq(JSON.stringify(doc), JSON.stringify(JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/openapi.json'), 'utf8'))),
    'served document');
  checkEq(doc.openapi, '3.1.0', 'OpenAPI version');

  // routes <-> paths
  const inDoc = new Set();
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) if (item[m]) inDoc.add(m.toUpperCase() + ' ' + p);
  }
  for (const r of served) check(inDoc.has(r), 'route not documented: ' + r);
  for (const r of inDoc) check(served.has(r), 'documented but not served: ' + r);

  // every operation with its examples
  for (const r of inDoc) {
    const [method, tmpl] = r.split(' ');
    const item = doc.paths[tmpl];
    const op = item[method.toLowerCase()];
    const params = (item.parameters || []).concat(op.parameters || []);
    let url = tmpl;
    const q = new URLSearchParams();
    for (const prm of params) {
      const ex = prm.example !== undefined ? prm.example : (prm.schema && prm.schema.enum ? prm.schema.enum[0] : undefined);
      if (prm.in === 'path') url = url.replace('{' + prm.name + '}', encodeURIComponent(ex));
      else if (prm.in === 'query' && ex !== undefined) q.set(prm.name, String(ex));
    }
    if ([...q].length) url += '?' + q.toString();
    const opts = { method, headers: {} };
    if (op.requestBody) {
      const [ctype, media] = Object.entries(op.requestBody.content)[0];
      opts.headers['Content-Type'] = ctype;
      opts.body = typeof media.example === 'string' ? media.example : JSON.stringify(media.example);
    }
    if (method === 'OPTIONS') {
      opts.headers.Origin = 'https://sandbox.example';
      opts.headers['Access-Control-Request-Method'] = 'POST';
    }
    const res = await fetch(s.url + url, opts);
    const text = await res.text();
    const d = documented(doc, tmpl, method.toLowerCase(), res.status);
    check(d, `${r}: status ${res.status} is not documented (${text.slice(0, 200)})`);
    check(res.status < 400, `${r}: the example answers ${res.status}: ${text.slice(0, 200)}`);
    if (d.content && res.status !== 204) {
      const ct = (res.headers.get('content-type') || '').split(';')[0];
      check(Object.keys(d.content).includes(ct), `${r}: content type ${ct} not documented`);
    }
  }

  // error statuses of the routes are documented
  const errors = [
    ['post', '/v1/check', { body: '{', headers: { 'Content-Type': 'application/json' } }],
    ['post', '/v1/check', { body: '{"lines":[]}', headers: { 'Content-Type': 'application/json' } }],
    ['post', '/v1/check', { body: '{}', headers: { 'Content-Type': 'text/csv' } }],
    ['post', '/v1/check', { body: 'x'.repeat(70000), headers: { 'Content-Type': 'application/json' } }],
    ['post', '/v1/batch', { body: '{}', headers: { 'Content-Type': 'application/json' } }],
    ['get', '/v1/lookup', {}],
    ['get', '/v1/icd10', {}],
    ['post', '/cds-services/{id}', { url: '/cds-services/mednec-order-sign', body: '{', headers: { 'Content-Type': 'application/json' } }],
    ['post', '/cds-services/{id}', { url: '/cds-services/nope', body: '{}', headers: { 'Content-Type': 'application/json' } }],
    ['post', '/cds-services/{id}', { url: '/cds-services/mednec-order-sign', body: '{}', headers: { 'Content-Type': 'text/plain' } }],
    ['post', '/cds-services/{id}', { url: '/cds-services/mednec-order-sign', body: 'x'.repeat(70000), headers: { 'Content-Type': 'application/json' } }],
    ['post', '/cds-services/{id}/feedback', { url: '/cds-services/mednec-order-sign/feedback', body: '{}', headers: { 'Content-Type': 'application/json' } }],
  ];
  for (const [m, p, o] of errors) {
    const res = await fetch(s.url + (o.url || p), { method: m.toUpperCase(), body: o.body, headers: o.headers });
    check(res.status >= 400, `${m} ${p}: an error`);
    const d = documented(doc, p, m, res.status);
    check(d, `${m} ${p}: status ${res.status} is not documented`);
    const ct = (res.headers.get('content-type') || '').split(';')[0];
    check(!d.content || Object.keys(d.content).includes(ct), `${m} ${p} ${res.status}: content type ${ct}`);
  }
  const st = await s.stop();
  checkEq(st.code, 0, 'exit status');
});
