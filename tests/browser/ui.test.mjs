// ui.test.mjs - end-to-end tests of the HTML report and the served web UI
// in Debian's headless chromium, driven by playwright-core (no browser
// download). Registered in ctest as browser_ui (tests/CMakeLists.txt).
//
// Cases: the demo (examples/demo) and a hostile one (tests/data/ui/hostile:
// names with <script>, <img onerror>, </title><svg onload>, quotes,
// javascript: URLs, spreadsheet formulas), written into a folder whose own
// name is markup. Checked in the browser: the report opens from a file URL
// and fetches nothing; paging, search, a cluster graph and a person page
// with heatmap and login timeline render; nothing from the case executes
// (window.__pwned stays unset, no dialog, no CSP violation, no page error)
// while the hostile text still shows; the served UI needs the token, records
// a verdict that then sits in case.db (read back with sqlite3), and sends a
// CSP without 'unsafe-inline'. Screenshots go to $UM_ARTIFACTS.
//
// Env: UNMASK (binary), UM_SRC_DIR (repository), UM_ARTIFACTS (screenshot
// folder), UM_PORT (loopback port for the server).
import { chromium } from 'playwright-core';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const UNMASK = process.env.UNMASK;
const SRC = process.env.UM_SRC_DIR;
const ART = process.env.UM_ARTIFACTS || path.join(os.tmpdir(), 'unmask-browser-artifacts');
const PORT = Number(process.env.UM_PORT || 18320);
if (!UNMASK || !SRC) { console.error('UNMASK and UM_SRC_DIR must be set'); process.exit(2); }
fs.mkdirSync(ART, { recursive: true });

let passed = 0, failed = 0;
function check(cond, what) {
  if (cond) passed++;
  else { failed++; console.error('FAIL: ' + what); }
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'unmask-ui-'));
const env = { ...process.env, UNMASK_DATA_DIR: path.join(SRC, 'data') };
function run(args) { return execFileSync(UNMASK, args, { env, stdio: ['ignore', 'pipe', 'pipe'] }).toString(); }
function scan(input, out) {
  try { run(['scan', '-q', '--fail-on', 'never', '-o', out, input]); } catch (e) { if (e.status !== 1) throw e; }
}

const demo = path.join(work, 'demo');
const hostileName = 'case-"><img src=x onerror=window.__pwned=9>';
const hostile = path.join(work, hostileName);
scan(path.join(SRC, 'examples/demo'), demo);
scan(path.join(SRC, 'tests/data/ui/hostile'), hostile);
run(['report', demo, '-o', path.join(demo, 'report.html')]);
run(['report', hostile]);
check(fs.existsSync(path.join(hostile, 'report.html')), 'report.html written beside case.db by default');

const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'unmask-chromium-'));
const ctx = await chromium.launchPersistentContext(userData, {
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
});
const events = { dialogs: [], errors: [], csp: [], foreign: [] };
// Every request must be the report file itself or our own loopback server.
await ctx.route('**/*', (route) => {
  const u = route.request().url();
  if (u.startsWith('file://') || u.startsWith(`http://127.0.0.1:${PORT}/`) || u.startsWith('data:')) return route.continue();
  events.foreign.push(u);
  return route.abort();
});
function watch(page) {
  page.on('dialog', (d) => { events.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('pageerror', (e) => events.errors.push(e.message));
  page.on('console', (m) => { if (/Content Security Policy|Refused to/.test(m.text())) events.csp.push(m.text()); });
  return page;
}
async function pwned(page) { return page.evaluate(() => window.__pwned); }
async function shot(page, name) { await page.screenshot({ path: path.join(ART, name + '.png'), fullPage: true }); }

const page = watch(await ctx.newPage());
let server = null;
try {
  // ---- the demo report from a file URL ----
  const demoUrl = 'file://' + path.join(demo, 'report.html');
  await page.goto(demoUrl);
  await page.waitForSelector('table.queue tbody tr');
  check((await page.locator('table.queue tbody tr').count()) === 50, 'report: first page has 50 people');
  check(/page 1 of 7 \(350 people\)/.test(await page.locator('.pager').textContent()), 'report: pager says 350 people');
  await shot(page, 'report-queue');
  await page.click('#next');
  await page.waitForFunction(() => /page 2 of/.test(document.querySelector('.pager').textContent));
  check(true, 'report: next page');
  await page.fill('#search', 'Linda Moore');
  await page.waitForFunction(() => document.querySelectorAll('table.queue tbody tr').length === 1);
  check((await page.locator('table.queue a.person').first().textContent()) === 'Linda Moore', 'report: search by name');
  await page.fill('#search', '+16025472074'); // a phone several people share
  await page.waitForFunction(() => document.querySelectorAll('table.queue tbody tr').length >= 2);
  check(true, 'report: search by identifier value');
  await page.click('nav >> text=Clusters');
  await page.waitForSelector('a.cluster');
  await page.locator('a.cluster').first().click();
  await page.waitForSelector('svg.graph .node.person');
  const nPeople = await page.locator('svg.graph .node.person').count();
  const nIdent = await page.locator('svg.graph .node.ident').count();
  check(nPeople >= 2 && nIdent >= 1, `report: cluster graph shows people (${nPeople}) and identifiers (${nIdent})`);
  check((await page.locator('svg.graph .elabel').count()) >= 1, 'report: graph edges are labelled');
  await shot(page, 'report-cluster');
  await page.locator('svg.graph .node.person').first().click();
  await page.waitForSelector('svg.heat');
  check((await page.locator('svg.heat').count()) >= 2, 'report: person page has the heatmaps');
  check((await page.locator('svg.timeline circle').count()) >= 1, 'report: person page has the login timeline');
  check((await page.locator('tr.finding').count()) >= 1, 'report: person page lists findings');
  await shot(page, 'report-person');
  await page.click('nav >> text=Rejected input');
  // the person page has an h1 too: wait for the rejects page's own (a wait
  // on any h1 read the person's page when the click was slow to render)
  const rejectsShown = await page
    .waitForFunction(() => /Rejected input records/.test(document.querySelector('h1')?.textContent || ''), null, { timeout: 15000 })
    .then(() => true, () => false);
  check(rejectsShown, 'report: rejects page');

  // ---- the hostile report ----
  await page.goto('file://' + path.join(hostile, 'report.html'));
  await page.waitForSelector('table.queue tbody tr');
  const names = await page.locator('table.queue a.person').allTextContents();
  check(names.some((n) => n.includes("<script>window.__pwned='script'</script>")), 'hostile report: <script> name shows as text');
  check(names.some((n) => n.includes('<img src=x onerror=')), 'hostile report: <img onerror> name shows as text');
  check(names.some((n) => n.includes('</title><svg onload=')), 'hostile report: </title><svg> name shows as text');
  check(names.some((n) => n.startsWith('=HYPERLINK(')), 'hostile report: formula name shows as text');
  check((await page.title()).includes(hostileName), 'hostile report: the case folder name is the title, as text');
  for (let i = 0; i < names.length; i++) {
    await page.locator('table.queue a.person').nth(i).click();
    await page.waitForSelector('h1 .name');
    check((await page.locator('h1 .name').textContent()) === names[i], `hostile report: person page ${i} shows the name as text`);
    const hrefs = await page.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    check(hrefs.every((h) => h === null || h.startsWith('#/')), `hostile report: person page ${i} links only to #routes`);
    if (i === 0) await shot(page, 'report-hostile-person');
    await page.goBack();
    await page.waitForSelector('table.queue tbody tr');
  }
  await shot(page, 'report-hostile-queue');
  check((await pwned(page)) === undefined, 'hostile report: nothing executed');

  // ---- the served UI ----
  const live = path.join(work, 'live');
  fs.cpSync(demo, live, { recursive: true });
  server = spawn(UNMASK, ['serve', live, '--listen', `127.0.0.1:${PORT}`], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('server did not start')), 60000);
    server.stdout.on('data', (d) => { if (/listening on/.test(d.toString())) { clearTimeout(t); resolve(); } });
    server.on('exit', (c) => reject(new Error('server exited ' + c)));
  });
  const token = fs.readFileSync(path.join(live, 'api-token'), 'utf8').trim();
  check((fs.statSync(path.join(live, 'api-token')).mode & 0o777) === 0o600, 'serve: token file is mode 0600');
  const base = `http://127.0.0.1:${PORT}/`;
  const r0 = await page.goto(base);
  const csp = r0.headers()['content-security-policy'] || '';
  check(/script-src 'self'/.test(csp) && !/unsafe-inline/.test(csp), 'serve: CSP forbids inline script');
  await page.waitForSelector('#token');
  check(true, 'serve: without a token the UI asks for one');
  const api401 = await page.evaluate(async () => (await fetch('/v1/subjects')).status);
  check(api401 === 401, 'serve: /v1 without the token is 401');
  await page.fill('#token', token);
  await page.press('#token', 'Enter');
  await page.waitForSelector('table.queue tbody tr');
  await shot(page, 'serve-queue');
  await page.click('nav >> text=Clusters');
  await page.waitForSelector('a.cluster');
  await page.locator('a.cluster').first().click();
  await page.waitForSelector('svg.graph .node.person');
  const clusterId = decodeURIComponent(page.url().split('#/cluster/')[1]);
  await page.fill('.card .verdict input.who >> nth=0', 'browser-test analyst');
  await page.locator('.card .verdict button[data-verdict="confirmed"]').first().click();
  await page.waitForFunction(() => /Saved: confirmed/.test(document.body.textContent));
  await shot(page, 'serve-cluster-verdict');
  await page.locator('svg.graph .node.person').first().click();
  await page.waitForSelector('svg.heat');
  const subjectId = decodeURIComponent(page.url().split('#/subject/')[1]);
  await page.fill('.card .verdict input.note >> nth=0', '=cmd|" /C calc"!A0 <b>note</b>');
  await page.locator('.card .verdict button[data-verdict="cleared"]').first().click();
  await page.waitForFunction(() => /Saved: cleared/.test(document.body.textContent));
  await page.waitForSelector('text=<b>note</b>');
  await shot(page, 'serve-person-verdict');
  const rows = execFileSync('sqlite3', ['-separator', '|', path.join(live, 'case.db'),
    'SELECT target_kind, target_a, verdict, who, note FROM verdicts ORDER BY id']).toString().trim().split('\n');
  check(rows.length === 2, 'serve: two verdicts in case.db');
  check(rows[0] === `cluster|${clusterId}|confirmed|browser-test analyst|`, 'serve: cluster verdict landed in case.db: ' + rows[0]);
  check(rows[1] === `subject|${subjectId}|cleared|browser-test analyst|=cmd|" /C calc"!A0 <b>note</b>`, 'serve: subject verdict landed in case.db: ' + rows[1]);

  // the hostile case served live, and the applicant screen with a hostile name
  server.kill('SIGTERM');
  await new Promise((r) => server.on('exit', r));
  server = spawn(UNMASK, ['serve', hostile, '--listen', `127.0.0.1:${PORT}`], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('server did not start')), 60000);
    server.stdout.on('data', (d) => { if (/listening on/.test(d.toString())) { clearTimeout(t); resolve(); } });
  });
  const htoken = fs.readFileSync(path.join(hostile, 'api-token'), 'utf8').trim();
  await page.goto(base + '#token=' + htoken);
  await page.waitForSelector('table.queue tbody tr');
  check(!page.url().includes(htoken), 'serve: the token is removed from the address bar');
  const live_names = await page.locator('table.queue a.person').allTextContents();
  check(live_names.some((n) => n.includes("<script>window.__pwned='script'</script>")), 'hostile UI: <script> name shows as text');
  for (let i = 0; i < live_names.length; i++) {
    await page.locator('table.queue a.person').nth(i).click();
    await page.waitForSelector('h1 .name');
    check((await page.locator('h1 .name').textContent()) === live_names[i], `hostile UI: person page ${i} shows the name as text`);
    await page.goBack();
    await page.waitForSelector('table.queue tbody tr');
  }
  await shot(page, 'serve-hostile-queue');
  // the exported CSV keeps formula cells neutralised
  const csv = await page.evaluate(async (t) => (await fetch('/v1/export/subjects.csv', { headers: { Authorization: 'Bearer ' + t } })).text(), htoken);
  check(csv.includes(`"'=HYPERLINK(""http://evil.example""`), 'hostile UI: the formula name is exported with a leading quote');
  check(csv.split('\r\n').every((l) => !/(^|,)"?[=+\-@]/.test(l)), 'hostile UI: exported CSV has no live formula cell');
  await page.click('nav >> text=Clusters');
  await page.waitForSelector('a.cluster');
  await page.locator('a.cluster').first().click();
  await page.waitForSelector('svg.graph .node.person');
  await shot(page, 'serve-hostile-cluster');
  await page.click('nav >> text=Screen an applicant');
  await page.fill('input[name=name]', '<img src=x onerror="window.__pwned=\'screen\'">');
  await page.fill('input[name=urls]', 'javascript:window.__pwned=5');
  await page.click('form.screen button[type=submit]');
  await page.waitForSelector('#screen-out h2');
  check(/Decision/.test(await page.locator('#screen-out h2').textContent()), 'hostile UI: screen answers');
  await shot(page, 'serve-screen');
  check((await pwned(page)) === undefined, 'hostile UI: nothing executed');
} catch (e) {
  failed++;
  console.error('FAIL: ' + (e && e.stack ? e.stack : e));
  await shot(page, 'failure').catch(() => {});
} finally {
  if (server && server.exitCode === null) server.kill('SIGTERM');
  await ctx.close();
  fs.rmSync(userData, { recursive: true, force: true });
}
// the hostile report with JavaScript off: the escaped <noscript> table
{
  const ud = fs.mkdtempSync(path.join(os.tmpdir(), 'unmask-chromium-'));
  const nojs = await chromium.launchPersistentContext(ud, {
    executablePath: '/usr/bin/chromium', headless: true, javaScriptEnabled: false,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const p = await nojs.newPage();
    await p.goto('file://' + path.join(hostile, 'report.html'));
    const cells = await p.locator('noscript table td').allTextContents();
    check(cells.some((c) => c.includes("<script>window.__pwned='script'</script>")), 'no-JS report: hostile name shows as text');
    check(cells.some((c) => c.startsWith('</title><svg onload=')), 'no-JS report: </title><svg> name shows as text');
    check((await p.locator('img, svg, iframe').count()) === 0, 'no-JS report: no element made from case text');
    await p.screenshot({ path: path.join(ART, 'report-hostile-nojs.png'), fullPage: true });
  } catch (e) {
    failed++;
    console.error('FAIL: no-JS report: ' + e.message);
  } finally {
    await nojs.close();
    fs.rmSync(ud, { recursive: true, force: true });
  }
}
check(events.dialogs.length === 0, 'no dialog opened: ' + events.dialogs.join(' | '));
check(events.errors.length === 0, 'no page error: ' + events.errors.join(' | '));
check(events.csp.length === 0, 'no CSP violation: ' + events.csp.join(' | '));
check(events.foreign.length === 0, 'no request left the report/server: ' + events.foreign.join(' | '));
fs.rmSync(work, { recursive: true, force: true });
console.log(`screenshots in ${ART}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
