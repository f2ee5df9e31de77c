// coder.test.mjs: the coder page of mednec serve in headless chromium. The
// server runs on an ephemeral port with the server fixture KB; the test
// fills the claim form with the keyboard (the diagnosis through the
// type-ahead), submits, and reads what is shown; then the page on a phone,
// the lookup view with its filter, and a pasted claim. Screenshots:
// coder-laptop, coder-phone, coder-lookup (in $MN_ARTIFACTS).
import { run, check, checkEq, screenshot } from './harness.mjs';
import { startServer, buildKb, tmpdir } from '../server/lib.mjs';

run('coder page', async (page, browser) => {
  const dir = tmpdir('page');
  const kb = buildKb(dir);
  const s = await startServer(['--kb', kb, '--quiet'], { dir });
  try {
    await page.goto(s.url + '/');
    checkEq(await page.title(), 'mednec: Medicare medical-necessity check', 'title');
    await page.waitForFunction(() => document.getElementById('kb-info').textContent.includes('Knowledge base'));

    // every field has a label
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
      .filter((e) => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
      .map((e) => e.id || e.name));
    checkEq(unlabelled.join(','), '', 'fields without a label');

    // the claim, with the keyboard
    await page.focus('#lines input.code');
    await page.keyboard.type('82306');
    await page.keyboard.press('Tab'); // modifiers
    await page.keyboard.press('Tab'); // units
    await page.focus('#dx-input');
    await page.keyboard.type('hypert');
    await page.waitForSelector('#dx-list [role=option]');
    const first = await page.textContent('#dx-list [role=option]');
    check(first.includes('I10'), 'the type-ahead offers I10: ' + first);
    checkEq(await page.getAttribute('#dx-input', 'aria-expanded'), 'true', 'the list is announced open');
    await page.keyboard.press('ArrowDown');
    checkEq(await page.getAttribute('#dx-input', 'aria-activedescendant'), 'dx-opt-0', 'active option');
    await page.keyboard.press('Enter');
    checkEq((await page.textContent('#dx-chosen')).includes('I10'), true, 'I10 chosen');
    await page.fill('#date', '2025-03-03');
    await page.fill('#jurisdiction', 'J15');
    await page.fill('#age', '74');
    await page.selectOption('#sex', 'F');
    await page.focus('#check');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#result .line-result');

    checkEq((await page.textContent('#result h2')).trim(), 'Result: Not covered', 'claim status');
    checkEq((await page.textContent('.line-result .badge')).trim(), 'Not covered', 'line badge');
    check(!(await page.textContent('#result')).includes('undefined'), 'no "undefined" shown');
    check((await page.textContent('.line-result .abn')).includes('ABN advised'), 'ABN advice');
    check((await page.textContent('.line-result')).includes('Modifiers to add: GA'), 'modifier to add');
    const finding = await page.textContent('.finding.sev-deny');
    check(finding.includes("None of the line's diagnoses is on the policy's covered list."), 'finding in words');
    check(finding.includes('E55.9'), 'supporting diagnoses shown');
    const link = await page.getAttribute('.finding.sev-deny .cite a', 'href');
    check(link.startsWith('https://www.cms.gov/medicare-coverage-database/view/article.aspx?articleid=99911'), 'policy link: ' + link);
    check((await page.textContent('.finding.sev-deny .cite a')).includes('Article A99911 v1'), 'citation text');
    await screenshot(page, 'coder-laptop');

    // a phone: one column, nothing wider than the screen
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.goto(s.url + '/');
    await phone.fill('#lines input.code', '82306');
    await phone.fill('#dx-input', 'E55.9');
    await phone.press('#dx-input', 'Enter');
    await phone.fill('#date', '2025-03-03');
    await phone.fill('#jurisdiction', 'KY');
    await phone.click('#check');
    await phone.waitForSelector('#result .line-result');
    checkEq((await phone.textContent('.line-result .badge')).trim(), 'Covered', 'covered on the phone');
    const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
    check(wide <= 390, 'no horizontal scrolling on a phone: ' + wide);
    await screenshot(phone, 'coder-phone');
    await phone.close();

    // the lookup view, reached with the arrow keys on the tabs
    await page.focus('#tab-check');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    checkEq(await page.getAttribute('#tab-lookup', 'aria-selected'), 'true', 'lookup tab');
    check(await page.isVisible('#view-lookup'), 'lookup view shown');
    await page.fill('#lk-code', '82306');
    await page.fill('#lk-jurisdiction', 'KY');
    await page.fill('#lk-date', '2025-03-03');
    await page.press('#lk-code', 'Enter');
    await page.waitForSelector('#result .policy');
    check((await page.textContent('#result .policy h3')).includes('A99911'), 'the article');
    checkEq(await page.locator('#result .policy tbody tr').count(), 9, 'covered and non-covered diagnoses');
    check(!(await page.textContent('#result')).includes('null'), 'no "null" shown');
    await page.fill('#lookup-filter', 'rick');
    checkEq(await page.locator('#result .policy tbody tr').count(), 1, 'filtered');
    checkEq((await page.textContent('#result .policy tbody tr td.code')).trim(), 'E55.0', 'the filtered code');
    await page.fill('#lookup-filter', '');
    await screenshot(page, 'coder-lookup');

    // a pasted claim
    await page.click('#tab-json');
    await page.fill('#claim-json', JSON.stringify({ jurisdiction: 'J15', date: '2025-03-03',
      diagnoses: ['Z00.00'], lines: [{ code: '82306' }] }));
    await page.click('#view-json button[type=submit]');
    await page.waitForSelector('#result .line-result');
    checkEq((await page.textContent('.line-result .badge')).trim(), 'Not covered', 'pasted claim');
    // malformed JSON is refused on the page, with the reason
    await page.fill('#claim-json', '{"lines": [');
    await page.click('#view-json button[type=submit]');
    check((await page.textContent('#error')).includes('This is not JSON'), 'JSON error shown');
  } finally {
    await s.stop();
  }
});
