// smoke.test.mjs: the harness itself: a page from a data URL renders, a
// script runs, text is read back and a screenshot is saved.
import { run, check, checkEq, screenshot } from './harness.mjs';

run('browser smoke', async (page) => {
  await page.goto('data:text/html,<title>t</title><h1 id="h">mednec</h1>' +
                  '<script>document.getElementById("h").dataset.ok="1"</script>');
  checkEq(await page.textContent('#h'), 'mednec', 'heading text');
  checkEq(await page.getAttribute('#h', 'data-ok'), '1', 'script ran');
  const file = await screenshot(page, 'smoke');
  check(file.endsWith('smoke.png'), 'screenshot path');
});
