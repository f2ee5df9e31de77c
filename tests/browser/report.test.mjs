// report.test.mjs: `mednec report` as a person sees it. Synthetic claims
// (tools/gen_claims: 12 providers, one of them billing a non-supporting
// diagnosis five times as often) go through `mednec batch` as an 837 with
// the data-driven cases' KB, plus a JSON Lines file with one claim that is
// not valid (an error record); the HTML report is opened from disk in
// headless Chromium. The page must make no request, hold no script, and
// show the same figures as `mednec report --json` (the cards, every row of
// the tables, the outliers); the screenshot and the printed PDF (letter)
// are saved in MN_ARTIFACTS.
import { run, check, checkEq, screenshot, ARTIFACTS } from './harness.mjs';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CLI = process.env.MN_CLI;
const BUILD = process.env.MN_BUILD_DIR;
const CASES = path.resolve('..', 'cases', 'kb');

if (!CLI || !BUILD) {
  console.error('report: MN_CLI and MN_BUILD_DIR must be set (ctest sets them)');
  process.exit(1);
}

// Runs the CLI; exit codes other than `ok` fail the test.
function cli(args, ok = [0]) {
  const r = spawnSync(CLI, args, { encoding: 'utf8' });
  if (!ok.includes(r.status))
    throw new Error(`mednec ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const n = (v) => v.toLocaleString('en-US');
const money = (v) => (v < 0 ? '-' : '') + '$' + Math.abs(v).toLocaleString('en-US', {
  minimumFractionDigits: 2, maximumFractionDigits: 2 });
const pct = (v) => (v * 100).toFixed(1) + '%';

run('report', async (page) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mn_report_'));
  try {
    const kb = path.join(dir, 'cases.mnkb');
    cli(['build', '--quiet', '-o', kb, CASES]);
    const x837 = path.join(dir, 'claims.837');
    execFileSync(path.join(BUILD, 'gen_claims'),
                 ['--lines', '3000', '--providers', '12', '--patients', '300',
                  '--claims-per-set', '100', '--seed', '7', '-o', x837],
                 { stdio: ['ignore', 'ignore', 'ignore'] });
    const bad = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(bad,
      '{"id":"B1","jurisdiction":"KY","diagnoses":["E55.9"],"lines":[{"code":"82306","units":1,"date":"2024-06-03"}]}\n' +
      '{"id":"B2","lines":"not an array"}\n');
    const results = path.join(dir, 'results.jsonl');
    const a = cli(['batch', '--kb', kb, '--detail', 'brief', '--no-progress', x837], [1]);
    const b = cli(['batch', '--kb', kb, '--no-progress', bad], [1, 3]);
    fs.writeFileSync(results, a + b);
    const html = path.join(dir, 'report.html');
    cli(['report', '--title', 'Synthetic claims, 2024', '-o', html, results]);
    const fig = JSON.parse(cli(['report', '--json', results]));

    // the figures the page must show
    check(fig.claims > 1000, `claims: ${fig.claims}`);
    checkEq(fig.error_records, 1, 'error records');
    check(fig.totals.denied > 0 && fig.totals.mue > 0 && fig.totals.ptp > 0,
          'denials of several kinds');

    const requests = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file://')) requests.push(r.url());
    });
    await page.goto('file://' + html);
    checkEq(await page.title(), 'Synthetic claims, 2024', 'title');
    checkEq(requests.length, 0, 'requests other than the file');
    checkEq(await page.locator('script, link, img, iframe, object').count(), 0,
            'scripts or external resources');
    check(await page.locator('svg').count() >= 5, 'inline charts');

    const text = async (sel) => (await page.textContent(sel)).trim();
    checkEq(await text('#claims'), n(fig.claims), 'claims card');
    checkEq(await text('#lines'), n(fig.totals.lines), 'lines card');
    checkEq(await text('#denied'), n(fig.totals.denied), 'denied card');
    checkEq(await text('#denial-rate'), pct(fig.totals.denial_rate), 'rate card');
    checkEq(await text('#review'), n(fig.totals.review), 'review card');
    checkEq(await text('#charges'), money(fig.totals.charges), 'charges card');
    checkEq(await text('#at-risk'), money(fig.totals.charges_at_risk), 'at-risk card');
    checkEq(await text('#errors'), n(fig.error_records + fig.unreadable_lines),
            'errors card');

    // a table's rows against the JSON: key, lines, denied, rate, at risk
    const rows = async (id) => page.$$eval(`#${id} tbody tr`, (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
    const expectRows = (list, key, withTitle) => list
      .filter((r) => r.denied > 0 || r.review > 0).slice(0, 25)
      .map((r) => [r[key], ...(withTitle ? [r.title || ''] : []), n(r.lines),
                   n(r.denied), pct(r.denial_rate), money(r.charges_at_risk)]);
    const same = (got, want, what) =>
      checkEq(JSON.stringify(got), JSON.stringify(want), what);
    same(await rows('by-edit'), expectRows(fig.by_edit, 'edit', true), 'by edit');
    same(await rows('by-policy'), expectRows(fig.by_policy, 'policy'), 'by policy');
    same(await rows('by-carc'), expectRows(fig.by_carc, 'carc'), 'by CARC');
    same(await rows('by-code'), expectRows(fig.by_code, 'code'), 'by code');
    same(await rows('by-month'), fig.by_month.map((r) => [r.month, n(r.lines),
      n(r.denied), pct(r.denial_rate), money(r.charges_at_risk)]), 'by month');
    checkEq(fig.by_month.length, 12, 'twelve months');
    same(await rows('pairs'), fig.unsupported_pairs.slice(0, 25).map((r) =>
      [r.code, r.diagnosis, n(r.lines), money(r.charges_at_risk)]), 'pairs');
    check(fig.unsupported_pairs.some((r) => r.code === '82306' && r.diagnosis === 'I10'),
          'vitamin D with I10 among the unsupported pairs');

    // providers: the flagged rows are the JSON's outliers, the skewed
    // provider (gen_claims' first, NPI 1000010003) among them
    const outliers = fig.providers.filter((p) => p.outlier);
    check(outliers.some((p) => p.provider === '1000010003' && p.z_denial_rate >= 2),
          'the skewed provider is an outlier by its denial rate');
    checkEq(await text('#outliers'), n(outliers.length), 'outlier count');
    const flagged = await page.$$eval('#providers tr.flag td:first-child',
      (tds) => tds.map((td) => td.textContent.trim()));
    same(flagged.sort(), outliers.map((p) => p.provider).sort(), 'flagged providers');
    checkEq(fig.outlier_test.providers, 12, 'providers in the outlier test');

    const png = await screenshot(page, 'report');
    check(fs.statSync(png).size > 20000, 'screenshot saved');

    // printed on letter paper: every page is letter-sized, and the charts
    // and tables are whole on their pages (break-inside: avoid)
    await page.emulateMedia({ media: 'print' });
    const pdf = path.join(ARTIFACTS, 'report.pdf');
    await page.pdf({ path: pdf, format: 'Letter', printBackground: true,
                     preferCSSPageSize: true });
    const info = spawnSync('pdfinfo', [pdf], { encoding: 'utf8' });
    if (info.status === 0) {
      const pages = Number(/Pages:\s+(\d+)/.exec(info.stdout)[1]);
      check(pages >= 2 && pages <= 8, `printed pages: ${pages}`);
      check(/Page size:\s+612 x 792 pts/.test(info.stdout), 'letter paper');
      spawnSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '2', pdf,
                             path.join(ARTIFACTS, 'report-print')]);
    } else {
      console.log('report: pdfinfo not found: the PDF is not checked');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
