// harness.mjs: what the browser tests share. Drives Debian's chromium
// through playwright-core (pinned in package-lock.json; it never downloads
// a browser). A test imports run() and gets a fresh page; screenshots go to
// $MN_ARTIFACTS (ctest sets it to <build>/artifacts), and a failed
// assertion exits 1 with the message.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

export const CHROMIUM = process.env.MN_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = process.env.MN_ARTIFACTS || path.resolve('artifacts');

// The flags a sandboxed machine with no network needs: without the
// background-networking ones chromium keeps trying to reach Google.
const FLAGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage', '--font-render-hinting=none',
];

export function check(cond, what) {
  if (!cond) throw new Error('assertion failed: ' + what);
}

export function checkEq(got, want, what) {
  if (got !== want)
    throw new Error(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

// Saves a full-page screenshot as ARTIFACTS/<name>.png and returns its path.
export async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name + '.png');
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Runs `body(page, browser)` in a new browser (playwright gives it an
// empty profile of its own) with a viewport of `width`
// x `height`; closes the browser whatever happens; exits 1 on failure.
export async function run(name, body, { width = 1280, height = 900 } = {}) {
  if (!fs.existsSync(CHROMIUM)) {
    console.error(`${name}: no browser at ${CHROMIUM} (run scripts/install-deps.sh)`);
    process.exit(1);
  }
  let browser;
  let failed = false;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, timeout: 60000 });
    const page = await browser.newPage({ viewport: { width, height } });
    page.setDefaultTimeout(15000);
    await body(page, browser);
    console.log(`${name}: ok`);
  } catch (e) {
    failed = true;
    console.error(`${name}: ${e && e.stack ? e.stack : e}`);
  } finally {
    if (browser) await browser.close().catch(() => {});
  }
  process.exit(failed ? 1 : 0);
}
