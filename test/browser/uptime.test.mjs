// Browser tests of monitoring on the public page (issue 3, "History and the page"): a real
// `tocsin serve --demo`, a monitor assigned to a remote location, results pushed as that
// location's probe would push them, then Debian's Chromium with JavaScript off.
//
//   TOCSIN_BIN=build/bin/tocsin node --test test/browser/uptime.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, ownerToken, tocsinCli, fetchJson, launchBrowser, newContext, screenshot, pollUntil,
} from './support.mjs';

const TEST = { timeout: 60_000 };
const MINUTE = 60_000;

let server;
let browser;
let component;
let pushedResults = [];  // what before() pushed, for the per-day expectations
const monitorName = 'Web <shop> & "API"';

/** Results every minute for the last 40 minutes: minutes 30 to 21 ago down, the rest up. */
function history(monitorId) {
  const now = Date.now();
  const results = [];
  for (let i = 40; i >= 1; i--) {
    const down = i <= 30 && i > 20;
    results.push({
      monitor_id: monitorId,
      at: new Date(now - i * MINUTE).toISOString(),
      outcome: down ? 'down' : 'up',
      error: down ? 'connect' : 'none',
      status_code: down ? 0 : 200,
      total_us: 20_000 + i * 1_000,
    });
  }
  return results;
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const token = await ownerToken(server.dataDir);
  const out = await tocsinCli(['token', 'create', '--role', 'probe', '--data', server.dataDir]);
  const probeToken = out.trim().split('\n').pop().trim();
  const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const components = await fetchJson(`${server.url}/api/v1/components`, { headers: auth });
  component = components.find((c) => !c.group && c.group_id);
  const monitor = await fetchJson(`${server.url}/api/v1/monitors`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({
      name: monitorName, type: 'http', url: 'http://127.0.0.1:9/', interval_s: 60, retries: 0,
      recovery_period_s: 0, locations: ['berlin'], components: [component.id],
    }),
  });
  const pushed = await fetchJson(`${server.url}/api/v1/probe/results?location=berlin`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${probeToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ results: (pushedResults = history(monitor.id)) }),
  });
  assert.equal(pushed.accepted, 40);
  // Results are taken with 202: the monitor's state machine turns them into state changes
  // afterwards, and the page is rebuilt after that. Wait (bounded) until the page shows the
  // outage the results describe, not merely until /uptime exists (that failed on a loaded
  // CI machine: the page was built from the results before their state changes).
  const ready = await pollUntil(async () => {
    if ((await fetch(`${server.url}/uptime`)).status !== 200) return false;
    return (await (await fetch(`${server.url}/`)).text()).includes('class="d-outage"');
  }, 30_000, 200);
  assert.ok(ready, 'the page shows the pushed outage');
}, { timeout: 60_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
}, { timeout: 30_000 });

const DAY = 24 * 60 * MINUTE;
const utcDay = (t) => Math.floor(t / DAY);

/**
 * The pushed results by UTC day (the page's time zone here): each day's uptime as the page
 * writes it (share of up results, truncated to two decimals) and whether it had a down result.
 * Forty minutes of results run over midnight when the test starts just after it (a fixed
 * "75.00%" failed then: 68.75% today, 100.00% yesterday).
 */
function expectedDays() {
  const days = new Map();
  for (const r of pushedResults) {
    const d = utcDay(Date.parse(r.at));
    const day = days.get(d) ?? { all: 0, up: 0 };
    day.all += 1;
    if (r.outcome === 'up') day.up += 1;
    days.set(d, day);
  }
  return [...days].map(([d, { all, up }]) => ({
    day: d,
    percent: (Math.floor((up * 10000) / all) / 100).toFixed(2),
    outage: up < all,
  }));
}

async function open(path, options = {}) {
  const context = await newContext(browser, options);
  const page = await context.newPage();
  const requests = [];
  const consoleErrors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  const response = await page.goto(server.url + path, { waitUntil: 'load' });
  return { context, page, response, requests, consoleErrors };
}

test('the component shows a 90-day bar whose last day is an outage, in text for screen readers too', TEST, async (t) => {
  const { context, page, requests, consoleErrors } = await open('/');
  t.after(() => context.close());
  const row = page.locator('li.component:not(.group)').filter({ has: page.locator(`.name:text-is("${component.name}")`) });
  const bar = row.locator('.uptime svg');
  assert.equal(await bar.count(), 1, 'one bar under the monitored component');
  assert.equal(await bar.locator('rect').count(), 90);
  const today = utcDay(Date.now());
  const expected = expectedDays();
  for (const d of expected.filter((e) => e.outage)) {
    // The newest bar is today's; a day with a down result is drawn as an outage.
    assert.match(await bar.locator('rect').nth(89 - (today - d.day)).getAttribute('class'), /outage/);
  }
  assert.match(await bar.locator('rect').first().getAttribute('class'), /no_data/);
  const box = await bar.boundingBox();
  assert.ok(box.width > 200 && box.height > 8, `the bar is drawn (${box.width}x${box.height})`);
  // The same facts as text: a table of days (collapsed by default) with the outage.
  const days = row.locator('.uptime-days');
  assert.ok(await days.count() >= 1, 'a text alternative exists');
  const daysText = (await days.textContent()).replace(/\s+/g, ' ');
  for (const d of expected) {
    assert.match(daysText, new RegExp(`${d.percent.replace('.', '(\\.|,)')}\\s?%`), `day ${d.day}: ${d.percent}%`);
  }
  await screenshot(page, 'uptime-bar-desktop.png');
  assert.deepEqual(requests.filter((u) => !u.startsWith(server.url)), [], 'no request to another origin');
  assert.deepEqual(consoleErrors, [], 'no CSP violation or other console error');
  // Other components have no bar: they have no monitor.
  assert.equal(await page.locator('.uptime svg').count(), 1);
});

test('/uptime lists the monitor with its uptime and draws a response-time chart, escaping its name', TEST, async (t) => {
  const { context, page, response, requests, consoleErrors } = await open('/uptime');
  t.after(() => context.close());
  assert.equal(response.status(), 200);
  const table = page.locator('table.uptime-table');
  assert.match(await table.textContent(), /Web <shop> & "API"/, 'the name is shown as text, not markup');
  assert.match((await table.textContent()).replace(/\s+/g, ' '), /75(\.|,)00\s?%/);
  const chart = page.locator('svg.chart').first();
  assert.equal(await chart.count(), 1);
  assert.ok((await chart.locator('title').count()) >= 1, 'the chart has an accessible title');
  const box = await chart.boundingBox();
  assert.ok(box.width > 200 && box.height > 80, `the chart is drawn (${box.width}x${box.height})`);
  assert.deepEqual(requests.filter((u) => !u.startsWith(server.url)), []);
  assert.deepEqual(consoleErrors, []);
  await screenshot(page, 'uptime-page-desktop.png');

  // The range links lead to the 7-day and 30-day views without JavaScript.
  await Promise.all([page.waitForURL(/range=7d/), page.locator('nav.ranges a[href*="range=7d"]').click()]);
  assert.equal(await page.locator('svg.chart').count(), 1);
  const bad = await fetch(`${server.url}/uptime?range=1y`);
  assert.equal(bad.status, 404);
});

test('German /uptime and a 375px viewport without horizontal scroll', TEST, async (t) => {
  const { context, page } = await open('/uptime?lang=de', {
    viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  });
  t.after(() => context.close());
  assert.equal(await page.locator('html').getAttribute('lang'), 'de');
  assert.match(await page.locator('main').textContent(), /Verfügbarkeit/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scroll (overflow ${overflow}px)`);
  await screenshot(page, 'uptime-page-de-mobile.png');
});
