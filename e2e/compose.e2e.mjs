// The web page of a peer running in a container, opened from the host through its published
// port (run by .ci/containers.sh against the compose network): a search reaches the other peers
// by container name, and Get makes the page's own peer download a file another peer holds.
// Usage: node e2e/compose.e2e.mjs BASE_URL NAME SHA256 OTHER_NAME...   (exit 0, 1, or 77: skipped)
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [base, name, sha, ...others] = process.argv.slice(2);
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const log = (...a) => console.log('compose e2e:', ...a);
if (!existsSync(chromiumPath)) { log(`skipped (${chromiumPath} not found)`); process.exit(77); }
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  log('skipped (playwright-core is not installed: npm ci in e2e/)');
  process.exit(77);
}
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const profile = await mkdtemp(path.join(tmpdir(), 'peerd-compose-e2e-'));
let context;
let rc = 0;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath, headless: true, args: FLAGS, timeout: 30_000,
  });
  context.setDefaultTimeout(20_000);
  const page = context.pages()[0] || await context.newPage();
  await page.goto(base + '/');
  await page.fill('#query', name.replace(/\.[^.]*$/, ''));
  await page.click('#search-button');
  await page.waitForSelector('#search-status[data-done="true"]');
  await page.locator(`.result[data-hash="${sha}"]`).first().waitFor();
  for (const other of others) {
    await page.fill('#query', other);
    await page.click('#search-button');
    await page.waitForSelector('#search-status[data-done="true"]');
    await page.locator('.result-name', { hasText: other }).first().waitFor();
  }
  log(`the page at ${base} finds ${[name, ...others].join(', ')} on the other peers`);
  await page.fill('#query', name.replace(/\.[^.]*$/, ''));
  await page.click('#search-button');
  await page.waitForSelector('#search-status[data-done="true"]');
  await page.locator(`.result[data-hash="${sha}"] button.get`).first().click();
  const row = page.locator('.download-row').filter({ has: page.locator('.download-name', { hasText: name }) });
  await row.and(page.locator('[data-state="done"]')).waitFor({ timeout: 60_000 });
  log(`Get: the page's own peer downloaded ${name}, done in its Downloads panel`);
} catch (e) {
  console.error('compose e2e: FAILED:', e.message);
  rc = 1;
} finally {
  if (context) await context.close();
  await rm(profile, { recursive: true, force: true });
}
process.exit(rc);
