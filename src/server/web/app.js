// app.js: the coder page of mednec serve. Plain JavaScript, no build
// step: it reads the form, calls the REST API (/v1) and shows what the
// server answers. Nothing is stored but the optional access token, in
// this tab's sessionStorage.
'use strict';

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids) {
    if (k === null || k === undefined || k === false) continue;
    e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return e;
}

// ---- the API ---------------------------------------------------------------

function headers(extra) {
  const h = Object.assign({}, extra || {});
  const t = $('token').value.trim();
  if (t) h.Authorization = 'Bearer ' + t;
  return h;
}

async function api(path, opts) {
  const o = Object.assign({}, opts || {});
  o.headers = headers(o.headers);
  const r = await fetch(path, o);
  const text = await r.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
  if (!r.ok) {
    const err = body && body.error ? body.error : null;
    const msg = err ? err.message + (err.where ? ' (' + err.where + ')' : '')
                    : r.status + ' ' + r.statusText;
    const e = new Error(msg);
    e.status = r.status;
    throw e;
  }
  return body;
}

function showError(msg) {
  const e = $('error');
  e.textContent = msg;
  e.hidden = !msg;
}

// ---- tabs ------------------------------------------------------------------

const tabs = ['check', 'json', 'lookup'];

function selectTab(name, focus) {
  for (const t of tabs) {
    const on = t === name;
    const tab = $('tab-' + t);
    tab.setAttribute('aria-selected', on ? 'true' : 'false');
    tab.tabIndex = on ? 0 : -1;
    $('view-' + t).hidden = !on;
    if (on && focus) tab.focus();
  }
  showError('');
  $('result').replaceChildren();
}

function setupTabs() {
  for (const t of tabs) {
    const tab = $('tab-' + t);
    tab.addEventListener('click', () => selectTab(t, false));
    tab.addEventListener('keydown', (ev) => {
      const i = tabs.indexOf(t);
      let j = -1;
      if (ev.key === 'ArrowRight') j = (i + 1) % tabs.length;
      else if (ev.key === 'ArrowLeft') j = (i + tabs.length - 1) % tabs.length;
      else if (ev.key === 'Home') j = 0;
      else if (ev.key === 'End') j = tabs.length - 1;
      if (j >= 0) {
        ev.preventDefault();
        selectTab(tabs[j], true);
      }
    });
  }
}

// ---- service lines ---------------------------------------------------------

let lineSeq = 0;

function addLine(code) {
  const n = ++lineSeq;
  const row = el('div', { class: 'line-row', 'data-line': String(n) },
    el('div', { class: 'field' },
      el('label', { for: 'code-' + n, text: 'Procedure code (CPT or HCPCS)' }),
      el('input', { id: 'code-' + n, class: 'code', type: 'text', required: true,
                    autocomplete: 'off', spellcheck: 'false', placeholder: '82306',
                    value: code || null })),
    el('div', { class: 'field' },
      el('label', { for: 'mods-' + n, text: 'Modifiers' }),
      el('input', { id: 'mods-' + n, class: 'mods', type: 'text', autocomplete: 'off',
                    spellcheck: 'false', placeholder: 'RT GA' })),
    el('div', { class: 'field units' },
      el('label', { for: 'units-' + n, text: 'Units' }),
      el('input', { id: 'units-' + n, class: 'units', type: 'number', min: '1',
                    max: '9999', value: '1', inputmode: 'numeric' })));
  const rm = el('button', { type: 'button', class: 'secondary remove',
                            'aria-label': 'Remove this service', text: 'Remove' });
  rm.addEventListener('click', () => {
    if ($('lines').children.length > 1) {
      row.remove();
      $('lines').querySelector('input.code').focus();
    }
  });
  row.append(rm);
  $('lines').append(row);
  return row;
}

// ---- diagnoses with type-ahead ----------------------------------------------

const chosen = [];
let options = [];
let active = -1;
let timer = null;
let seq = 0;

function renderChosen() {
  const ol = $('dx-chosen');
  ol.replaceChildren();
  chosen.forEach((d, i) => {
    const rm = el('button', { type: 'button', class: 'secondary small',
                              'aria-label': 'Remove ' + d.code, text: 'Remove' });
    rm.addEventListener('click', () => {
      chosen.splice(i, 1);
      renderChosen();
      $('dx-input').focus();
    });
    ol.append(el('li', {},
      el('span', { class: 'code', text: d.code }), ' ',
      el('span', { text: d.description || '' }),
      i === 0 ? el('span', { class: 'muted', text: ' (primary)' }) : null, ' ', rm));
  });
}

function addDiagnosis(code, description) {
  const c = code.trim().toUpperCase();
  if (!c || chosen.some((d) => d.code.replace('.', '') === c.replace('.', ''))) return;
  chosen.push({ code: c, description: description || '' });
  renderChosen();
}

function closeList() {
  const list = $('dx-list');
  list.hidden = true;
  list.replaceChildren();
  options = [];
  active = -1;
  $('dx-input').setAttribute('aria-expanded', 'false');
  $('dx-input').removeAttribute('aria-activedescendant');
}

function setActive(i) {
  const items = $('dx-list').children;
  if (active >= 0 && items[active]) items[active].setAttribute('aria-selected', 'false');
  active = i;
  if (i >= 0 && items[i]) {
    items[i].setAttribute('aria-selected', 'true');
    $('dx-input').setAttribute('aria-activedescendant', items[i].id);
    items[i].scrollIntoView({ block: 'nearest' });
  }
}

function pick(i) {
  const o = options[i];
  if (!o) return;
  addDiagnosis(o.code, o.description);
  $('dx-input').value = '';
  closeList();
}

async function suggest() {
  const q = $('dx-input').value.trim();
  const mine = ++seq;
  if (q.length < 2) {
    closeList();
    return;
  }
  const p = new URLSearchParams({ q, max: '10' });
  if ($('date').value) p.set('date', $('date').value);
  try {
    const body = await api('/v1/icd10?' + p.toString());
    if (mine !== seq) return;
    options = body.results || [];
    const list = $('dx-list');
    list.replaceChildren();
    options.forEach((o, i) => {
      const li = el('li', { id: 'dx-opt-' + i, role: 'option', 'aria-selected': 'false' },
        el('span', { class: 'code', text: o.code }), ' ', o.description,
        o.billable ? null : el('span', { class: 'muted', text: ' (not billable: too general)' }));
      li.addEventListener('mousedown', (ev) => { ev.preventDefault(); pick(i); });
      list.append(li);
    });
    list.hidden = options.length === 0;
    $('dx-input').setAttribute('aria-expanded', options.length ? 'true' : 'false');
    active = -1;
  } catch (e) {
    if (mine === seq) closeList();
  }
}

function setupCombo() {
  const input = $('dx-input');
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' && options.length) {
      ev.preventDefault();
      setActive(active + 1 < options.length ? active + 1 : 0);
    } else if (ev.key === 'ArrowUp' && options.length) {
      ev.preventDefault();
      setActive(active > 0 ? active - 1 : options.length - 1);
    } else if (ev.key === 'Enter') {
      ev.preventDefault();
      if (active >= 0) pick(active);
      else if (/^[A-Za-z][0-9][0-9A-Za-z](\.?[0-9A-Za-z]{1,4})?$/.test(input.value.trim())) {
        addDiagnosis(input.value, '');
        input.value = '';
        closeList();
      }
    } else if (ev.key === 'Escape') {
      closeList();
    }
  });
  input.addEventListener('blur', () => setTimeout(closeList, 100));
}

// ---- the claim ----------------------------------------------------------------

function claimFromForm() {
  const date = $('date').value;
  if (!date) throw new Error('Give the date of service.');
  const lines = [];
  for (const row of $('lines').children) {
    const code = row.querySelector('input.code').value.trim().toUpperCase();
    if (!code) continue;
    const mods = row.querySelector('input.mods').value.toUpperCase()
      .split(/[\s,]+/).filter(Boolean);
    const units = parseInt(row.querySelector('input.units').value || '1', 10);
    lines.push({ code, modifiers: mods, units: isNaN(units) ? 1 : units, date });
  }
  if (!lines.length) throw new Error('Give at least one procedure code.');
  const claim = { payer: $('payer').value, date, diagnoses: chosen.map((d) => d.code), lines };
  const j = $('jurisdiction').value.trim();
  if (j) claim.jurisdiction = j;
  if ($('pos').value) claim.place_of_service = $('pos').value;
  const patient = {};
  if ($('dob').value) patient.birth_date = $('dob').value;
  else if ($('age').value !== '') patient.age = parseInt($('age').value, 10);
  if ($('sex').value) patient.sex = $('sex').value;
  if (Object.keys(patient).length) claim.patient = patient;
  return claim;
}

async function check(claim) {
  showError('');
  const res = $('result');
  res.setAttribute('aria-busy', 'true');
  try {
    const body = await api('/v1/check', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: typeof claim === 'string' ? claim : JSON.stringify(claim),
    });
    renderResult(body);
  } catch (e) {
    res.replaceChildren();
    showError(e.message);
  } finally {
    res.setAttribute('aria-busy', 'false');
  }
}

// ---- the result ------------------------------------------------------------------

const statusWords = {
  covered: 'Covered',
  conditional: 'Covered on conditions',
  indeterminate: 'Not determined',
  not_covered: 'Not covered',
  excluded: 'Excluded',
  invalid: 'Invalid',
};
const severityWords = { deny: 'Denial', review: 'Check', info: 'Note' };
const kindWords = {
  ncd: 'NCD', lcd: 'LCD', article: 'Article', mce: 'MCE edit', code_set: 'Code set',
  rule: 'Rule', ncci: 'NCCI', mue: 'MUE',
};

function badge(status) {
  return el('span', { class: 'badge badge-' + status, text: statusWords[status] || status });
}

function citation(p) {
  if (!p || !p.kind) return null;
  let label = (kindWords[p.kind] || p.kind) + ' ' + (p.id || '');
  if (p.version) label += ' v' + p.version;
  if (p.group) label += ', group ' + p.group;
  const title = p.title ? ': ' + p.title : '';
  const body = p.url
    ? el('a', { href: p.url, target: '_blank', rel: 'noopener' }, label + title)
    : label + title;
  return el('p', { class: 'cite' }, 'Policy: ', body,
    p.related ? ' (LCD ' + p.related + ')' : '',
    p.source ? el('span', { class: 'muted', text: ' ' + p.source }) : null);
}

function finding(f) {
  const li = el('li', { class: 'finding sev-' + f.severity },
    el('p', {}, el('strong', { text: (severityWords[f.severity] || f.severity) + ': ' }),
      f.message || f.edit),
    citation(f.policy));
  if (f.carc || f.rarc) {
    li.append(el('p', { class: 'muted' },
      'Expected denial codes: ' + [f.carc ? 'CARC ' + f.carc : '', f.rarc ? 'RARC ' + f.rarc : '']
        .filter(Boolean).join(', ') + ' (' + f.edit + ')'));
  }
  if (f.fix) li.append(el('p', {}, el('strong', { text: 'What would fix it: ' }), f.fix));
  if (f.payable_again) li.append(el('p', {}, 'Payable again from ' + f.payable_again + '.'));
  const sup = f.supporting_detail || (f.supporting_diagnoses || []).map((c) => ({ code: c }));
  if (sup.length) {
    li.append(el('p', { class: 'muted', text: 'Diagnoses the policy covers (use one only when the record documents it):' }));
    const ul = el('ul', { class: 'support' });
    for (const s of sup) {
      ul.append(el('li', {}, el('span', { class: 'code', text: s.code }), ' ', s.description || ''));
    }
    li.append(ul);
  }
  return li;
}

function renderResult(r) {
  const res = $('result');
  res.replaceChildren();
  res.append(el('h2', { id: 'result-title' }, 'Result: ', badge(r.status)));
  if (r.knowledge_base) {
    res.append(el('p', { class: 'muted', text: 'Knowledge base ' + r.knowledge_base.version +
      ', built ' + r.knowledge_base.built }));
  }
  for (const ln of r.lines || []) {
    const art = el('article', { class: 'line-result', 'data-status': ln.status },
      el('h3', {}, 'Line ' + ln.line + ': ', el('span', { class: 'code', text: ln.code }), ' ', badge(ln.status)));
    if (ln.abn === 'recommended') {
      art.append(el('p', { class: 'abn' }, el('strong', { text: 'ABN advised. ' }),
        'Give the patient an Advance Beneficiary Notice (CMS-R-131) before the service.',
        ln.abn_reason ? ' Reason the patient reads: ' + ln.abn_reason : ''));
    } else if (ln.abn === 'on_file') {
      art.append(el('p', { class: 'muted', text: 'ABN on file (GA).' }));
    }
    if (ln.suggested_modifiers && ln.suggested_modifiers.length) {
      art.append(el('p', {}, el('strong', { text: 'Modifiers to add: ' }),
        ln.suggested_modifiers.join(', ')));
    }
    const ul = el('ul', { class: 'findings' });
    const shown = (ln.findings || []).filter((f) => f.edit !== 'abn.recommended' && f.edit !== 'modifier.suggested');
    for (const f of shown) ul.append(finding(f));
    if (!shown.length) ul.append(el('li', { class: 'finding', text: 'No edit applies.' }));
    art.append(ul);
    res.append(art);
  }
  res.focus();
}

// ---- lookup -------------------------------------------------------------------------

let lookupData = null;

function dxTable(title, list, filter) {
  const rows = list.filter((d) => {
    if (!filter) return true;
    const t = (d.code + ' ' + (d.description || '')).toLowerCase();
    return filter.split(/\s+/).every((w) => t.includes(w));
  });
  if (!list.length) return null;
  const wrap = el('div', { class: 'dx-table' },
    el('h4', { text: title + ' (' + rows.length + (rows.length !== list.length ? ' of ' + list.length : '') + ')' }));
  if (!rows.length) return wrap;
  const tbl = el('table', {},
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Code' }),
      el('th', { scope: 'col', text: 'Description' }), el('th', { scope: 'col', text: 'Group' }))));
  const tb = el('tbody');
  for (const d of rows.slice(0, 500)) {
    tb.append(el('tr', {}, el('td', { class: 'code', text: d.code }),
      el('td', { text: d.description || '' }), el('td', { text: d.group ? String(d.group) : '' })));
  }
  tbl.append(tb);
  wrap.append(tbl);
  if (rows.length > 500) wrap.append(el('p', { class: 'muted', text: 'The first 500 are shown; filter to see others.' }));
  return wrap;
}

function renderLookup() {
  const res = $('result');
  const r = lookupData;
  const filter = $('lookup-filter').value.trim().toLowerCase();
  res.replaceChildren();
  if (!r) return;
  res.append(el('h2', { id: 'result-title', text: 'Policies for ' + r.code }));
  if (r.description) res.append(el('p', { text: r.description }));
  if (!r.policies || !r.policies.length) {
    res.append(el('p', { text: 'No NCD or local policy governs this code here: it is judged on its own.' }));
  }
  for (const p of r.policies || []) {
    const art = el('article', { class: 'policy' },
      el('h3', {}, (kindWords[p.kind] || p.kind) + ' ' + p.id + (p.version ? ' v' + p.version : '') + ': ',
        p.url ? el('a', { href: p.url, target: '_blank', rel: 'noopener' }, p.title || '') : (p.title || '')),
      el('p', { class: 'muted', text: 'In force ' + (p.effective || 'since before the data') +
        (p.ending ? ' to ' + p.ending : '') + (p.contractors ? '; contractors ' + p.contractors : '') }));
    if (p.statutory_exclusion) art.append(el('p', { class: 'abn', text: p.statutory_exclusion }));
    const listWords = { covered: 'Covered', noncovered: 'Not covered', not_supported: 'Not supporting' };
    for (const g of p.groups || []) {
      if (g.paragraph) {
        art.append(el('p', { class: 'para' },
          (listWords[g.list] || g.list) + (g.group ? ', group ' + g.group : '') + ': ' + g.paragraph));
      }
    }
    for (const t of [dxTable('Covered diagnoses', p.covered || [], filter),
      dxTable('Not covered', p.noncovered || [], filter),
      dxTable('Do not support the service', p.not_supported || [], filter)]) {
      if (t) art.append(t);
    }
    res.append(art);
  }
}

async function lookup() {
  showError('');
  const code = $('lk-code').value.trim().toUpperCase();
  if (!code) {
    showError('Give a procedure code.');
    $('lk-code').focus();
    return;
  }
  const p = new URLSearchParams({ code });
  if ($('lk-jurisdiction').value.trim()) p.set('jurisdiction', $('lk-jurisdiction').value.trim());
  if ($('lk-date').value) p.set('date', $('lk-date').value);
  try {
    lookupData = await api('/v1/lookup?' + p.toString());
    $('lookup-filter-box').hidden = false;
    renderLookup();
  } catch (e) {
    lookupData = null;
    $('result').replaceChildren();
    showError(e.message);
  }
}

// ---- start ---------------------------------------------------------------------------

const example = {
  id: 'example-1',
  payer: 'medicare',
  jurisdiction: 'J15',
  date: '2025-03-03',
  patient: { age: 72, sex: 'F' },
  diagnoses: ['E55.9'],
  lines: [{ code: '82306', units: 1 }],
};

document.addEventListener('DOMContentLoaded', () => {
  setupTabs();
  setupCombo();
  addLine();
  $('add-line').addEventListener('click', () => addLine().querySelector('input.code').focus());
  $('claim-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    try {
      check(claimFromForm());
    } catch (e) {
      showError(e.message);
    }
  });
  $('claim-form').addEventListener('reset', () => {
    chosen.length = 0;
    renderChosen();
    $('lines').replaceChildren();
    addLine();
    $('result').replaceChildren();
    showError('');
  });
  $('json-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = $('claim-json').value;
    try {
      JSON.parse(text);
    } catch (e) {
      showError('This is not JSON: ' + e.message);
      return;
    }
    check(text);
  });
  $('json-example').addEventListener('click', () => {
    $('claim-json').value = JSON.stringify(example, null, 2);
    $('claim-json').focus();
  });
  $('lookup-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    lookup();
  });
  $('lookup-filter').addEventListener('input', renderLookup);
  const saved = sessionStorage.getItem('mednec-token');
  if (saved) $('token').value = saved;
  $('token').addEventListener('change', () => sessionStorage.setItem('mednec-token', $('token').value));
  api('/v1/kb').then((kb) => {
    $('kb-info').textContent = 'Knowledge base ' + kb.version + ', built ' + kb.built +
      (kb.stats && kb.stats.icd_codes ? ' (' + kb.stats.icd_codes.toLocaleString('en-US') + ' ICD-10-CM codes, ' +
        kb.stats.policies + ' policies)' : '');
  }).catch(() => {});
});
