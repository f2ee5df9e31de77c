// cds.test.mjs: CDS Hooks 2.0 over HTTP, with JWTs signed as an EHR signs
// them (ES384 and RS384, the algorithms CDS Hooks recommends): discovery,
// order-sign, order-select and appointment-book requests shaped like the
// CDS Hooks and CRD examples, the shapes the Inferno CRD test kit checks
// (cards: summary < 140, indicator, source label and topic; systemActions:
// type, description, a resource; the CRD coverage-information extension),
// CORS, feedback, and the refusals (401, 400, 412, 404, 415).
import { run, check, checkEq, startServer, buildKb, tmpdir, makeKeys, jwt, readJson } from './lib.mjs';

const CI = 'http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information';
const BASE = 'https://cds.example.org';

function coverageInfo(resource) {
  return (resource.extension || []).filter((e) => e.url === CI);
}

function sub(ci, url) {
  return ci.extension.filter((e) => e.url === url);
}

// What the kit's service-response, card and system-action tests check.
function checkShapes(body, hook) {
  check(Array.isArray(body.cards), 'cards is an array');
  check(Array.isArray(body.systemActions), 'systemActions present for ' + hook);
  for (const c of body.cards) {
    check(typeof c.summary === 'string' && c.summary.length < 140, 'summary under 140: ' + c.summary);
    check(['info', 'warning', 'critical'].includes(c.indicator), 'indicator');
    check(c.source && typeof c.source.label === 'string', 'source.label');
    check(c.source.topic && c.source.topic.code && c.source.topic.system, 'source.topic coding');
    if (c.suggestions) {
      check(['at-most-one', 'any'].includes(c.selectionBehavior), 'selectionBehavior with suggestions');
      for (const s of c.suggestions) {
        check(typeof s.label === 'string', 'suggestion label');
        for (const a of s.actions) {
          check(['create', 'update', 'delete'].includes(a.type) && typeof a.description === 'string', 'action');
        }
      }
    }
    for (const o of c.overrideReasons || []) check(o.code && o.system && o.display, 'override reason coding');
    for (const l of c.links || []) {
      check(l.label && l.url && l.type === 'absolute' && !l.appContext, 'link');
    }
  }
  const types = hook === 'appointment-book' ? ['Appointment']
    : ['DeviceRequest', 'MedicationRequest', 'NutritionOrder', 'ServiceRequest', 'VisionPrescription'];
  for (const a of body.systemActions) {
    checkEq(a.type, 'update', 'systemAction type');
    check(typeof a.description === 'string', 'systemAction description');
    check(types.includes(a.resource.resourceType), 'resource type for ' + hook);
    const cis = coverageInfo(a.resource);
    checkEq(cis.length, 1, 'one coverage-information extension');
    const ci = cis[0];
    for (const url of ['coverage', 'covered', 'date', 'coverage-assertion-id']) {
      checkEq(sub(ci, url).length, 1, url + ' once');
    }
    const covered = sub(ci, 'covered')[0].valueCode;
    check(['covered', 'not-covered', 'conditional'].includes(covered), 'covered value (2.0.1)');
    checkEq(sub(ci, 'pa-needed').length, covered === 'not-covered' ? 0 : 1, 'pa-needed and crd-ci-q2');
    if (sub(ci, 'info-needed').length) checkEq(covered, 'conditional', 'crd-ci-q3');
  }
}

run('server cds', async () => {
  const dir = tmpdir('cds');
  const kb = buildKb(dir);
  const keys = makeKeys(dir);
  const s = await startServer(['--kb', kb, '--cds-jwks', keys.file,
    '--cds-issuer', 'https://ehr.example.org', '--base-url', BASE, '--today', '2025-03-01',
    '--cors-origin', 'https://sandbox.example'], { dir });
  const call = (id, body, token, extra = {}) => fetch(s.url + '/cds-services/' + id, {
    method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: Object.assign({ 'Content-Type': 'application/json' },
      token ? { Authorization: 'Bearer ' + token } : {}, extra),
  });
  const aud = (id) => BASE + '/cds-services/' + id;

  // discovery, open
  let r = await fetch(s.url + '/cds-services');
  checkEq(r.status, 200, 'discovery');
  const disc = await r.json();
  const hooks = disc.services.map((x) => x.hook).sort();
  checkEq(hooks.join(','), 'appointment-book,order-select,order-sign', 'hooks');
  for (const sv of disc.services) {
    check(sv.id && sv.description && sv.prefetch && sv.prefetch.patient, 'service fields');
    checkEq(sv.extension['mednec-crd-version'], '2.0.1', 'the CRD version is named');
  }

  // order-sign, ES384
  const sign = readJson('cds/order-sign.json');
  r = await call('mednec-order-sign', sign, jwt(keys, { aud: aud('mednec-order-sign') }),
    { Origin: 'https://sandbox.example' });
  checkEq(r.status, 200, 'order-sign');
  checkEq(r.headers.get('access-control-allow-origin'), 'https://sandbox.example', 'CORS on the call');
  const body = await r.json();
  checkShapes(body, 'order-sign');
  checkEq(body.systemActions.length, 3, 'one systemAction per order');
  const vitd = body.systemActions.find((a) => a.resource.id === 'vitd-1');
  checkEq(sub(coverageInfo(vitd.resource)[0], 'covered')[0].valueCode, 'not-covered', '82306 for I10');
  checkEq(body.cards.length, 1, 'one card');
  check(body.cards[0].detail.includes('E55.9'), 'covered diagnoses shown');
  // every id distinct across orders
  const ids = body.systemActions.map((a) => sub(coverageInfo(a.resource)[0], 'coverage-assertion-id')[0].valueString);
  checkEq(new Set(ids).size, ids.length, 'distinct coverage-assertion-ids');

  // order-select (RS384): only the selection
  const sel = readJson('cds/order-select.json');
  r = await call('mednec-order-select', sel, jwt(keys, { alg: 'RS384', aud: aud('mednec-order-select') }));
  checkEq(r.status, 200, 'order-select');
  const selBody = await r.json();
  checkShapes(selBody, 'order-select');
  checkEq(selBody.systemActions.length, 1, 'the selected order');

  // appointment-book
  const appt = readJson('cds/appointment-book.json');
  r = await call('mednec-appointment-book', appt, jwt(keys, { aud: aud('mednec-appointment-book') }));
  checkEq(r.status, 200, 'appointment-book');
  checkShapes(await r.json(), 'appointment-book');

  // refusals
  r = await call('mednec-order-sign', sign, null);
  checkEq(r.status, 401, 'no JWT');
  checkEq((await r.json()).resourceType, 'OperationOutcome', '401 body');
  const replayed = jwt(keys, { aud: aud('mednec-order-sign'), jti: 'same-jti' });
  checkEq((await call('mednec-order-sign', sign, replayed)).status, 200, 'first use');
  r = await call('mednec-order-sign', sign, replayed);
  checkEq(r.status, 401, 'replay');
  check((await r.json()).issue[0].diagnostics.includes('jti'), 'replay named');
  r = await call('mednec-order-sign', sign, jwt(keys, { aud: aud('mednec-order-select') }));
  checkEq(r.status, 401, 'another endpoint as aud');
  r = await call('mednec-order-sign', sign, jwt(keys, { aud: aud('mednec-order-sign'), exp: -600 }));
  checkEq(r.status, 401, 'expired');
  r = await call('mednec-order-sign', sign, jwt(keys, { aud: aud('mednec-order-sign'), iss: 'https://other' }));
  checkEq(r.status, 401, 'issuer not allowed');
  r = await call('mednec-order-sign', '{"hook":"order-sign"', jwt(keys, { aud: aud('mednec-order-sign') }));
  checkEq(r.status, 400, 'malformed');
  const oo = await r.json();
  checkEq(oo.resourceType, 'OperationOutcome', '400 body');
  r = await call('mednec-order-sign', {
    hook: 'order-sign', hookInstance: 'x-412',
    context: { draftOrders: { resourceType: 'Bundle', entry: [{ resource: {
      resourceType: 'ServiceRequest', id: 's', code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '82306' }] } } }] } },
  }, jwt(keys, { aud: aud('mednec-order-sign') }));
  checkEq(r.status, 412, 'nothing to judge on');
  r = await call('no-such-service', sign, jwt(keys, { aud: aud('no-such-service') }));
  checkEq(r.status, 404, 'unknown service');
  r = await fetch(s.url + '/cds-services/mednec-order-sign', { method: 'POST', body: '{}',
    headers: { 'Content-Type': 'text/plain', Authorization: 'Bearer ' + jwt(keys, { aud: aud('mednec-order-sign') }) } });
  checkEq(r.status, 415, 'Content-Type');

  // CORS preflight
  r = await fetch(s.url + '/cds-services/mednec-order-sign', { method: 'OPTIONS',
    headers: { Origin: 'https://sandbox.example', 'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization, content-type' } });
  checkEq(r.status, 204, 'preflight');
  checkEq(r.headers.get('access-control-allow-origin'), 'https://sandbox.example', 'preflight origin');
  check(r.headers.get('access-control-allow-headers').includes('Authorization'), 'preflight headers');

  // feedback: counted, nothing kept
  r = await fetch(s.url + '/cds-services/mednec-order-sign/feedback', { method: 'POST',
    headers: { 'Content-Type': 'application/json',
      Authorization: 'Bearer ' + jwt(keys, { aud: aud('mednec-order-sign') + '/feedback' }) },
    body: JSON.stringify({ feedback: [{ card: body.cards[0].uuid, outcome: 'overridden',
      overrideReason: { reason: body.cards[0].overrideReasons[0], userComment: 'signed' },
      outcomeTimestamp: '2025-03-01T10:00:00Z' }] }) });
  checkEq(r.status, 200, 'feedback');
  r = await fetch(s.url + '/metrics');
  const m = await r.text();
  check(m.includes('mednec_cds_feedback_total{outcome="overridden"} 1'), 'feedback counted');
  check(/mednec_jwt_rejected_total [1-9]/.test(m), 'refusals counted');
  const stop = await s.stop();
  checkEq(stop.code, 0, 'exit status');
  check(!s.logText.includes('pat-1') && !s.logText.includes('I10'), 'no patient data in the log');
});
