// End-to-end test of the web page in a real browser: three peers from target/peer.jar on
// loopback, Debian's Chromium driven by playwright-core. Searches, downloads, uploads, checks that
// a hostile file name stays text, and saves a screenshot.
//
//   node e2e/ui.e2e.mjs [path/to/peer.jar]     exit 0 passed, 1 failed, 77 skipped (says why)
//
// Only loopback addresses are used. Chromium runs with flags that keep it off the network.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const SKIPPED = 77;
const TOTAL_MS = 120_000;
const jar = path.resolve(process.argv[2] || 'target/peer.jar');
const outDir = path.resolve(process.env.E2E_OUT || path.join(path.dirname(jar), 'e2e'));
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const TOKEN = 'e2e-token-0123456789abcdef';
// The nastiest name the share accepts (no '/', no control characters): markup that runs script
// if a page ever turns a file name into HTML.
const EVIL = '<img src=x onerror=window.__xss=1>.txt';
// Fetched by the page's own peer: its name reaches the Downloads panel.
const EVIL_GET = '<svg onload=window.__xss=2>.bin';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const log = (...a) => console.log('e2e:', ...a);
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function skip(reason) {
  console.log(`e2e: skipped (${reason})`);
  process.exit(SKIPPED);
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

// ---- what must be there ---------------------------------------------------------------------
if (!existsSync(chromiumPath)) skip(`${chromiumPath} not found: apt-get install chromium`);
if (spawnSync('java', ['-version']).status !== 0) skip('java is not on the PATH');
if (!existsSync(jar)) {
  console.error(`e2e: FAILED: ${jar} does not exist (build it with mvn -B package)`);
  process.exit(1);
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  skip('playwright-core is not installed: run npm ci in e2e/');
}

// ---- peers ----------------------------------------------------------------------------------
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const procs = [];
const dirs = [];
let context;

async function startPeers(root) {
  const ports = [await freePort(), await freePort(), await freePort()];
  const urls = ports.map((p) => `http://127.0.0.1:${p}`);
  const common = Buffer.from('the same bytes on every peer\n');
  const files = [
    { 'alpha-one.txt': 'hello from peer one\n', [EVIL]: 'a file whose name is markup\n', 'common.txt': common },
    { 'alpha-two.txt': 'hello from peer two\n', 'common.txt': common },
    {
      'alpha-three.bin': randomBytes(300 * 1024), 'common.txt': common,
      'slow-one.bin': randomBytes(4 << 20), 'slow-two.bin': randomBytes(4 << 20), [EVIL_GET]: randomBytes(1000),
    },
  ];
  const shares = [];
  for (let i = 0; i < 3; i++) {
    const share = path.join(root, `share${i + 1}`);
    await mkdir(share, { recursive: true });
    for (const [name, body] of Object.entries(files[i])) await writeFile(path.join(share, name), body);
    shares.push(share);
    const conf = {
      name: `peer${i + 1}`,
      ip: '127.0.0.1',
      rest_port: ports[i],
      shared_dir: share,
      friends: urls.filter((u, j) => j !== i),
      self_url: urls[i],
      health_check_interval: 1,
      friend_timeout_ms: 1500,
      search_timeout_ms: 3000,
      state_dir: '',
      ...(i === 0 ? { accept_uploads: true, upload_max_bytes: 1048576, api_token: TOKEN } : {}),
      // Slow enough that the page can pause and cancel its downloads from peer3 half-way.
      ...(i === 2 ? { upload_rate_limit: 1 << 20 } : {}),
    };
    const confPath = path.join(root, `peer${i + 1}.json`);
    await writeFile(confPath, JSON.stringify(conf, null, 2));
    const out = createWriteStream(path.join(outDir, `peer${i + 1}.log`));
    const p = spawn('java', ['-Xmx64m', '-XX:+UseSerialGC', '-jar', jar, '-conf', confPath],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.pipe(out);
    p.stderr.pipe(out);
    procs.push(p);
  }
  // Up, and each sees both others healthy over secure links that proved their ids: the settled
  // network a search is meant for. Healthy alone came while the first TLS handshakes of three cold
  // JVMs were still timing out, and a search then missed a peer.
  const deadline = Date.now() + 40_000;
  for (const u of urls) {
    for (;;) {
      check(Date.now() < deadline, `${u} not healthy and authenticated with its two friends within 40 s (see ${outDir}/peer*.log)`);
      try {
        const t = (await (await fetch(`${u}/peers`)).json()).table || [];
        if (t.filter((e) => e.healthy && e.authenticated).length === 2) break;
      } catch (e) { /* not up yet */ }
      await sleep(200);
    }
  }
  return { urls, shares, files };
}

async function stopPeers() {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
  const until = Date.now() + 5000;
  while (procs.some((p) => p.exitCode === null && p.signalCode === null) && Date.now() < until) await sleep(100);
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}

// ---- the test -------------------------------------------------------------------------------
async function run() {
  await mkdir(outDir, { recursive: true });
  const root = await mkdtemp(path.join(tmpdir(), 'peerd-e2e-'));
  dirs.push(root);
  const { urls, shares, files } = await startPeers(root);
  log('three peers healthy at', urls.join(' '));

  const profile = await mkdtemp(path.join(tmpdir(), 'peerd-e2e-chromium-'));
  dirs.push(profile);
  // A persistent context is how Playwright takes a user-data-dir: a new, empty one.
  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_FLAGS,
    acceptDownloads: true,
    viewport: { width: 1360, height: 1000 },
    timeout: 30_000,
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] || await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console: ' + m.text()); });
  // Nothing but the peers on loopback: the page must not reach anywhere else.
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.hostname === '127.0.0.1') return route.continue();
    problems.push('request off loopback: ' + u.href);
    return route.abort();
  });

  const resp = await page.goto(urls[0] + '/');
  check(resp.status() === 200, 'page status ' + resp.status());
  check((resp.headers()['content-security-policy'] || '').startsWith("default-src 'self'"), 'no CSP on the page');
  await page.waitForFunction(() => document.getElementById('peer-name').textContent === 'peer1');

  // Search: results stream in from all three peers.
  await page.fill('#query', '.');
  await page.click('#search-button');
  await page.waitForSelector('#search-status[data-done="true"]');
  const holders = await page.$$eval('.holder', (els) => [...new Set(els.map((e) => e.dataset.peer))].sort());
  check(JSON.stringify(holders) === JSON.stringify([...urls].sort()), 'results from ' + holders.join(', '));
  const status = await page.textContent('#search-status');
  check(status.startsWith('3 peers answered'), 'status: ' + status);
  const commonHolders = await page.locator(`.result[data-hash="${sha256(files[0]['common.txt'])}"] .holder`).count();
  check(commonHolders === 3, `common.txt grouped by hash: ${commonHolders} holders`);
  log('search:', status);

  // The hostile name is shown as text and nothing ran.
  const evilShown = await page.locator('.result-name', { hasText: EVIL }).count();
  check(evilShown === 1, `the name ${EVIL} shown ${evilShown} times as text`);
  check(await page.evaluate(() => window.__xss) === undefined, 'window.__xss was set: a file name ran as markup');
  check(await page.locator('#results img').count() === 0, 'an <img> element made it into the results');
  log('hostile name rendered as literal text, window.__xss undefined');

  // Download from the peer that has the file (peer3, another origin) and check the bytes.
  const bin = files[2]['alpha-three.bin'];
  const link = page.locator(`.result[data-hash="${sha256(bin)}"] a.download`).first();
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  const saved = await readFile(await download.path());
  check(sha256(saved) === sha256(bin), 'downloaded bytes differ from alpha-three.bin');
  log(`download: alpha-three.bin from ${new URL(download.url()).host}, ${saved.length} bytes, sha256 matches`);

  // The routing choice reaches the daemon: a summary-routed search finds peer3's file.
  await page.selectOption('#mode', 'summary');
  await page.fill('#query', 'alpha-three');
  const [streamed] = await Promise.all([
    page.waitForRequest((r) => r.url().includes('/search/stream?')),
    page.click('#search-button'),
  ]);
  check(new URL(streamed.url()).searchParams.get('mode') === 'summary', 'mode not sent: ' + streamed.url());
  check(!new URL(streamed.url()).searchParams.has('ttl'), 'ttl "auto" must leave the parameter out');
  await page.waitForSelector('#search-status[data-done="true"]');
  const summaryHolders = await page.$$eval('.holder', (els) => els.map((e) => e.dataset.peer));
  check(summaryHolders.includes(urls[2]), 'summary search: holders ' + summaryHolders.join(', '));
  log('summary-routed search:', await page.textContent('#search-status'));
  await page.selectOption('#mode', '');
  await page.fill('#query', '.');

  // Upload through the page: first without the token (the page asks for it), then with it.
  const content = Buffer.from('uploaded through the web page ' + Date.now() + '\n');
  await page.setInputFiles('#upload-file', { name: 'from-browser.txt', mimeType: 'text/plain', buffer: content });
  await page.click('#upload-button');
  await page.waitForFunction(() => /access token/.test(document.getElementById('upload-status').textContent));
  await page.fill('#token', TOKEN);
  await page.click('#upload-button');
  await page.waitForFunction(() => document.getElementById('upload-status').textContent.startsWith('Uploaded uploads/from-browser.txt'));
  const onDisk = await readFile(path.join(shares[0], 'uploads', 'from-browser.txt'));
  check(sha256(onDisk) === sha256(content), 'uploaded bytes differ');
  await page.waitForSelector('#files td >> text=uploads/from-browser.txt');
  log('upload: uploads/from-browser.txt through the page with the token, listed, bytes match');

  // Downloads the page's own peer runs: Get on a hit, then watch it in the Downloads panel.
  async function get(name, query) {
    await page.fill('#query', query);
    await page.click('#search-button');
    await page.waitForSelector('#search-status[data-done="true"]');
    const hash = sha256(files[2][name]);
    await page.locator(`.result[data-hash="${hash}"] button.get`).first().click();
    const row = page.locator('.download-row').filter({ has: page.locator('.download-name', { hasText: name }) });
    await row.waitFor();
    return row;
  }
  const fetched = await get('alpha-three.bin', 'alpha-three');
  await fetched.and(page.locator('[data-state="done"]')).waitFor({ timeout: 30_000 });
  const got = await readFile(path.join(shares[0], 'downloads', 'alpha-three.bin'));
  check(sha256(got) === sha256(bin), 'the peer downloaded other bytes than alpha-three.bin');
  log('Get: peer1 fetched alpha-three.bin from peer3, done in the panel, sha256 on disk matches');

  const slow = await get('slow-one.bin', 'slow-one');
  await slow.and(page.locator('[data-state="active"]')).waitFor({ timeout: 30_000 });
  await slow.locator('button.pause').click();
  await slow.and(page.locator('[data-state="paused"]')).waitFor();
  check((await slow.locator('.reason').textContent()) === 'paused by the user', 'pause reason');
  await slow.locator('button.resume').click();
  await slow.and(page.locator('[data-state="done"]')).waitFor({ timeout: 40_000 });
  const slowBytes = await readFile(path.join(shares[0], 'downloads', 'slow-one.bin'));
  check(sha256(slowBytes) === sha256(files[2]['slow-one.bin']), 'slow-one.bin differs after pause and resume');
  log('pause and resume from the panel: slow-one.bin done, sha256 matches');

  const doomed = await get('slow-two.bin', 'slow-two');
  await doomed.and(page.locator('[data-state="active"]')).waitFor({ timeout: 30_000 });
  await doomed.locator('button.cancel').click();
  try {
    await doomed.waitFor({ state: 'detached' });
  } catch (e) {
    const said = await page.textContent('#downloads-status');
    const api = await (await fetch(`${urls[0]}/downloads`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    throw new Error(`the cancelled row stayed; the page said "${said}"; GET /downloads: ${api}; ${e.message}`);
  }
  check(!existsSync(path.join(shares[0], 'downloads', 'slow-two.bin')), 'a cancelled download left its file');
  log('cancel from the panel: the row went, no file');

  const evil = await get(EVIL_GET, 'onload');
  await evil.and(page.locator('[data-state="done"]')).waitFor({ timeout: 30_000 });
  check(await page.locator('#downloads img, #downloads svg').count() === 0, 'markup from a name in the Downloads panel');
  check(await page.evaluate(() => window.__xss) === undefined, 'a downloaded name ran as markup');
  log('a hostile name in the Downloads panel stays text');

  // A file's magnet, copied from its row.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: urls[0] });
  const copy = page.locator('#files button.copy-link').first();
  const magnet = await copy.getAttribute('data-magnet');
  check(magnet && magnet.startsWith('magnet:?'), 'no magnet on the copy-link button');
  await copy.click();
  await page.waitForFunction(() => document.querySelector('#files button.copy-link').textContent === 'copied');
  check(await page.evaluate(() => navigator.clipboard.readText()) === magnet, 'the clipboard does not hold the magnet');
  log('copy link: the magnet is on the clipboard');
  await page.fill('#query', '.');

  // Peers, graph and figures have filled in.
  await page.waitForFunction(() => document.querySelectorAll('#peers tr[data-peer]').length === 2);
  await page.waitForFunction(() => document.querySelectorAll('#graph circle').length >= 3);
  await page.waitForFunction(() => document.querySelector('#spark-healthy polyline') !== null);
  check(await page.textContent('#fig-healthy') === '2 of 2', 'healthy peers figure');
  // The connection doctor from the peers table: every step to a live neighbour passes, its id too.
  await page.locator(`#peers tr[data-peer="${urls[1]}"] button.diagnose`).click();
  await page.waitForSelector('#doctor[data-ok]', { timeout: 60_000 });
  const verdicts = await page.$$eval('#doctor-steps tr', (rows) => rows.map((r) => r.dataset.step + ':' + r.querySelector('.badge').textContent));
  check(verdicts.length === 7 && verdicts.every((v) => v.endsWith(':pass')),
    'diagnose: ' + verdicts.join(' ') + ' / ' + await page.textContent('#doctor-status'));
  log('diagnose:', await page.textContent('#doctor-status'));
  // A fresh search so the screenshot shows every file, the uploaded one too, and a few seconds
  // of figures in the sparklines.
  await page.click('#search-button');
  await page.waitForSelector('#search-status[data-done="true"]');
  await page.waitForTimeout(4000);
  const shot = path.join(outDir, 'ui.png');
  await page.screenshot({ path: shot, fullPage: true });
  log('screenshot:', path.relative(process.cwd(), shot));

  check(await page.evaluate(() => window.__xss) === undefined, 'window.__xss was set');
  check(problems.length === 0, 'browser problems:\n  ' + problems.join('\n  '));
}

const watchdog = setTimeout(async () => {
  console.error(`e2e: FAILED: not done within ${TOTAL_MS / 1000} s`);
  await stopPeers();
  process.exit(1);
}, TOTAL_MS);

let failed = null;
try {
  await run();
} catch (e) {
  failed = e;
} finally {
  if (context) await context.close().catch(() => {});
  await stopPeers();
  for (const d of dirs) await rm(d, { recursive: true, force: true }).catch(() => {});
  clearTimeout(watchdog);
}
if (failed) {
  console.error('e2e: FAILED:', failed.message);
  process.exit(1);
}
log('passed');
