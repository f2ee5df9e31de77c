// documents.test.mjs: the HTML documents in a browser, as a person opens
// them: the ABN's blanks are where the form puts them and print on one
// letter page; the letter of medical necessity and the appeal show their
// sections. Documents are made with $MN_CLI; screenshots go to
// $MN_ARTIFACTS (abn.png, letter.png, appeal.png).
import { run, check, checkEq, screenshot } from './harness.mjs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CLI = process.env.MN_CLI;

const claim = {
  id: 'c-1', patient: { id: 'p', birth_date: '1952-08-14', sex: 'F' },
  diagnoses: ['Z00.00'],
  lines: [{ code: 'G0439', date: '2025-03-02', charge: 175.5 }],
  history: [{ code: 'G0439', date: '2024-06-10' }],
};
const lab = {
  id: 'c-9', patient: { id: 'p', birth_date: '1958-04-02', sex: 'F' },
  diagnoses: ['E11.65'], lines: [{ code: '83036', date: '2025-03-03', charge: 22 }],
};
const facts = {
  notifier: { name: 'Lakeside Family Medicine', address: '120 Harbor Road\nErie, PA 16501', phone: '(814) 555-0142' },
  provider: { name: 'Lakeside Family Medicine', npi: '1234567893', phone: '(814) 555-0142' },
  patient: { name: 'Zoë Ångström-Núñez', record_number: 'MRN-0042', birth_date: '1958-04-02', medicare_id: '1EG4TE5MK73' },
  payer: { name: 'Novitas Solutions' },
  prescriber: { name: 'Dana Whitfield', credentials: 'MD', npi: '1234567893', phone: '(814) 555-0142', relationship: 'primary care physician since 2015' },
  service: { quantity: '1 test', frequency: 'every 3 months', duration: '12 months' },
  condition_since: '2015', history: 'Type 2 diabetes with poor control.',
  test_results: [{ date: '2025-01-10', test: 'HbA1c', result: '9.1%' }],
  prior_treatments: [{ treatment: 'Metformin', start: '2015-06-01', outcome: 'HbA1c above 8%' }],
  functional_limits: 'Neuropathy limits walking.', rationale: 'The HbA1c guides the insulin dose.',
  consequences: 'complications may go unnoticed.', expected_outcome: 'HbA1c under 7.5% within a year.',
};

function pdfPages(buf) {
  // page objects of the PDF chromium prints: "/Type /Page" not "/Pages"
  return (buf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) || []).length;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mn-docs-'));
// run() ends the process: the folder goes on exit, whatever happened
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
{
  check(CLI && fs.existsSync(CLI), 'MN_CLI is the mednec command');
  fs.writeFileSync(path.join(dir, 'claim.json'), JSON.stringify(claim));
  fs.writeFileSync(path.join(dir, 'lab.json'), JSON.stringify(lab));
  fs.writeFileSync(path.join(dir, 'facts.json'), JSON.stringify(facts));
  const mk = (args) => execFileSync(CLI, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  mk(['abn', '--facts', 'facts.json', '-o', 'abn.html', 'claim.json']);
  mk(['letter', '--facts', 'facts.json', '--date', '2025-03-01', '-o', 'letter.html', 'lab.json']);
  mk(['appeal', '--facts', 'facts.json', '--notice-date', '2025-04-10', '--carc', '50',
      '--date', '2025-05-01', '-o', 'appeal.html', 'lab.json']);

  await run('documents in the browser', async (page) => {
    await page.goto('file://' + path.join(dir, 'abn.html'));
    checkEq(await page.title(), 'Advance Beneficiary Notice of Noncoverage (ABN)', 'ABN title');
    const blank = async (tag) => (await page.textContent(`[data-element="${tag}"]`)).trim();
    checkEq(await blank('abn.B'), 'Zoë Ångström-Núñez', 'blank B');
    checkEq(await blank('abn.C'), 'MRN-0042', 'blank C');
    checkEq(await blank('abn.F.1'), '$175.50', 'blank F');
    check((await blank('abn.E.1')).startsWith('Medicare pays for this service only a limited number'),
      'blank E is the reason a patient reads');
    checkEq(await page.locator('ul.options li').count(), 3, 'three options in G');
    checkEq(await page.locator('.checkbox').count(), 3, 'a box to check per option');
    // the form's order: notifier, patient, title, table, options, signature
    const order = await page.evaluate(() => {
      const at = (s) => document.querySelector(s).getBoundingClientRect().top;
      return [at('[data-element="abn.A"]'), at('[data-element="abn.B"]'), at('h1'),
              at('[data-element="abn.table"]'), at('ul.options'), at('table.sig')];
    });
    check(order.every((y, i) => i === 0 || y > order[i - 1]), 'blanks in the form\'s order: ' + order);
    await screenshot(page, 'abn');
    // printed from the browser, it is one letter-size page
    const pdf = await page.pdf({ format: 'Letter', printBackground: true });
    checkEq(pdfPages(pdf), 1, 'the ABN prints on one page');

    await page.goto('file://' + path.join(dir, 'letter.html'));
    checkEq(await page.title(), 'Letter of medical necessity: laboratory test', 'letter title');
    const headings = await page.locator('h2').allTextContents();
    for (const h of ['Diagnoses', 'Clinical history', 'Examination and test results', 'Prior treatments',
                     'Expected outcome', 'Coverage policy and supporting evidence'])
      check(headings.includes(h), 'letter heading ' + h);
    checkEq((await page.textContent('[data-element="letter.patient.name"]')).trim(), 'Zoë Ångström-Núñez',
      'the patient in the letter');
    check((await page.textContent('body')).includes('ICD-10-CM E11.65'), 'the diagnosis with its code');
    await screenshot(page, 'letter');

    await page.goto('file://' + path.join(dir, 'appeal.html'));
    check((await page.textContent('h1')).includes('Request for redetermination'), 'appeal title');
    check((await page.textContent('body')).includes('by August 13, 2025'), 'the filing deadline');
    checkEq(await page.locator('[data-element="appeal.levels"] tr').count(), 6, 'five levels and a header');
    await screenshot(page, 'appeal');
  });
}
