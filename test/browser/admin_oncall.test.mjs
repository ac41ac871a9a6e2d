// Browser tests of the admin app's on-call screens (issue 7): schedules with layers and
// overrides, On call now with the iCal feed, people (profile, contact methods verified with the
// code, notification rules, teams), the Web Push service worker, and what a stakeholder sees.
// A real `tocsin serve --demo` on 127.0.0.1:0 in Debian's Chromium; a webhook receiver in this
// process on 127.0.0.1 gets the verification code.
//
//   TOCSIN_BIN=build/bin/tocsin node --test test/browser/admin_oncall.test.mjs
//
// Web Push itself is not subscribed: PushManager.subscribe() in Chromium contacts the browser
// vendor's push service, which this test must not do. The test checks that the worker is served
// (type, CSP) and registers with the /admin/ scope, and that the page offers push.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, newContext, pollUntil, PLAYWRIGHT_MS } from './support.mjs';

const TEST = { timeout: 120_000 };
const OWNER = { email: 'owner@example.com', name: 'Olivia Owner', password: 'correct horse battery', language: 'en' };
const PHONE = { width: 390, height: 844 };
const ZONE = 'Europe/Berlin';

let server;
let browser;
let context;
let page;
let csrf;
let hook;        // the webhook receiver
const hookBodies = [];
let configDir;
const users = {};  // alice, bob, stan: {id, ...}
let scheduleId;
const requested = [];
const consoleErrors = [];

function watch(c, p) {
  c.on('request', (r) => requested.push(r.url()));
  p.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) consoleErrors.push(`${m.text()} ${m.location().url}`);
  });
  p.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
  p.on('dialog', (d) => void d.accept());
}

before(async () => {
  hook = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d) => { body += d; }).on('end', () => {
      hookBodies.push(body);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => hook.listen(0, '127.0.0.1', resolve));
  configDir = path.join(tmpdir(), `tocsin-oncall-${process.pid}-${Date.now()}`);
  await mkdir(configDir, { recursive: true });
  const config = path.join(configDir, 'oncall.yaml');
  await writeFile(config, 'oncall:\n  allow_http_urls: true\n  verification:\n    resend_seconds: 0\n');
  server = await startServer({ args: ['--config', config] });
  browser = await launchBrowser();
  context = await newContext(browser);
  const res = await context.request.post(`${server.url}/api/v1/setup`, { data: OWNER, timeout: PLAYWRIGHT_MS });
  assert.equal(res.status(), 201, `setup: ${await res.text()}`);
  csrf = (await res.json()).csrf_token;
  for (const [key, name, role] of [['alice', 'Alice Early', 'responder'], ['bob', 'Bob Late', 'responder'], ['stan', 'Stan Reader', 'stakeholder']]) {
    users[key] = await apiCall('POST', '/api/v1/users', {
      email: `${key}@example.com`, name, role, password: 'correct horse battery', language: 'en',
    });
  }
  page = await context.newPage();
  watch(context, page);
}, { timeout: 60_000 });

after(async () => {
  await context?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await server?.stop();
  await new Promise((resolve) => (hook ? hook.close(resolve) : resolve()));
}, { timeout: 30_000 });

async function apiCall(method, p, data) {
  const res = await context.request.fetch(server.url + p, {
    method, data, headers: { 'X-CSRF-Token': csrf }, timeout: PLAYWRIGHT_MS,
  });
  const text = await res.text();
  if (!res.ok()) throw new Error(`${method} ${p} -> ${res.status()}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function open(p, heading) {
  await page.goto(`${server.url}/admin${p}`, { waitUntil: 'load' });
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/** At 390 px the screen's content must not scroll sideways. */
async function assertFitsPhone(what) {
  const size = page.viewportSize();
  await page.setViewportSize(PHONE);
  try {
    const overflow = await page.evaluate(() => {
      const main = document.querySelector('.content') ?? document.body;
      const wide = [...main.querySelectorAll('*')]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.table-wrap'))
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
      return { scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 5) };
    });
    assert.ok(overflow.scroll <= PHONE.width + 1, `${what} scrolls sideways at 390 px: ${JSON.stringify(overflow)}`);
  } finally {
    await page.setViewportSize(size);
  }
}

/** Wall time in ZONE as "YYYY-MM-DDTHH:MM" (what a datetime-local input takes). */
function wallTime(ms) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

function weekdayIn(ms) {
  return new Intl.DateTimeFormat('en-US', { timeZone: ZONE, weekday: 'long' }).format(new Date(ms)).toLowerCase();
}

async function onCallNow() {
  return (await apiCall('GET', `/api/v1/schedules/${scheduleId}/oncall`)).users.map((u) => u.id);
}

test('schedules: a weekly layer of two people, reordered in the editor; the first is on call', TEST, async () => {
  await open('/schedules', 'Schedules');
  await page.getByRole('link', { name: 'New schedule' }).click();
  await page.getByRole('heading', { level: 1, name: 'New schedule' }).waitFor();
  await page.locator('#sched-name').fill('Primary on call');
  await page.locator('#sched-zone').selectOption(ZONE);
  // Turn 0 runs from an hour ago to the handoff three days ahead, whatever today is.
  const now = Date.now();
  await page.locator('#layer0-kind').selectOption('weekly');
  await page.locator('#layer0-start').fill(wallTime(now - 3600_000));
  await page.locator('#layer0-handoff').fill('09:00');
  const handoffDay = weekdayIn(now + 3 * 86400_000);
  await page.locator('#layer0-day').selectOption(handoffDay);
  // Bob first, then Alice moved above him.
  await page.locator('#layer0-add').selectOption(users.bob.id);
  await page.locator('#layer0-add').selectOption(users.alice.id);
  await page.getByRole('button', { name: 'Move Alice Early up' }).click();
  const order = await page.locator('.oc-participants li').evaluateAll((lis) => lis.map((li) => li.dataset.user));
  assert.deepEqual(order, [users.alice.id, users.bob.id]);
  // A restriction preset, then removed again: the layer is always on.
  await page.getByRole('button', { name: '+ Nights 18–08' }).click();
  assert.equal(await page.locator('.oc-restriction').count(), 1);
  await page.getByRole('button', { name: 'Remove window 1' }).click();
  assert.equal(await page.locator('.oc-restriction').count(), 0);

  await page.getByRole('button', { name: 'Create schedule' }).click();
  await page.getByRole('heading', { level: 1, name: 'Primary on call' }).waitFor();
  scheduleId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
  const s = await apiCall('GET', `/api/v1/schedules/${scheduleId}`);
  assert.equal(s.time_zone, ZONE);
  assert.equal(s.layers.length, 1);
  assert.equal(s.layers[0].kind, 'weekly');
  assert.equal(s.layers[0].handoff_weekday, handoffDay);
  assert.equal(s.layers[0].handoff_time, '09:00');
  assert.deepEqual(s.layers[0].user_ids, [users.alice.id, users.bob.id]);
  assert.deepEqual(await onCallNow(), [users.alice.id], 'the first participant is on call');

  // The timeline shows Alice now in the final schedule and in the layer, Bob later.
  await page.locator('.oc-track[data-track="final"] .oc-seg').first().waitFor();
  const finalUsers = await page.locator('.oc-track[data-track="final"] .oc-seg').evaluateAll((segs) => segs.map((x) => x.dataset.user));
  assert.equal(finalUsers[0], users.alice.id);
  assert.ok(finalUsers.includes(users.bob.id), `Bob takes over within two weeks: ${finalUsers}`);
  assert.ok(await page.locator('.oc-track[data-track="layer-0"] .oc-seg').count() >= 2);
  await assertFitsPhone('the schedule screen');
});

test('schedules: an override added in the UI puts its person on call; deleting it restores the layer', TEST, async () => {
  assert.ok(scheduleId, 'the schedule exists (previous test)');
  await open(`/schedules/${scheduleId}`, 'Primary on call');
  await page.locator('#ovr-who').selectOption(users.bob.id);
  // The defaults run from the start of this hour for eight hours.
  await page.getByRole('button', { name: 'Add override' }).click();
  await page.locator('.oc-overrides li').first().waitFor();
  const who = await pollUntil(async () => {
    const ids = await onCallNow();
    return ids[0] === users.bob.id ? ids : null;
  });
  assert.deepEqual(who, [users.bob.id], 'the API shows the override person');
  const s = await apiCall('GET', `/api/v1/schedules/${scheduleId}`);
  assert.equal(s.overrides.length, 1);
  assert.equal(s.overrides[0].user_id, users.bob.id);
  await page.locator('.oc-track[data-track="final"] .oc-override').first().waitFor();

  await page.getByRole('button', { name: 'Delete override' }).click();
  await page.locator('.oc-overrides').waitFor({ state: 'detached' });
  assert.deepEqual(await onCallNow(), [users.alice.id]);
});

test('on call now lists the schedule with its person; the calendar feed URL works', TEST, async () => {
  await open('/oncall', 'On call');
  const row = page.locator(`.oc-now li[data-id="${scheduleId}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /Alice Early/);
  await page.getByText('You have no shifts in the next 4 weeks.').waitFor();
  await page.getByRole('button', { name: 'Create feed URL' }).click();
  const input = page.locator('#oc-user-feed');
  await input.waitFor();
  const url = await input.inputValue();
  assert.ok(url.startsWith(`${server.url}/ical/users/`) && url.endsWith('.ics'), url);
  const ics = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  assert.equal(ics.status, 200);
  assert.match(ics.headers.get('content-type'), /^text\/calendar/);
  await assertFitsPhone('On call');
});

test('people: a webhook contact method is verified with the code it received; rules, profile, teams', TEST, async () => {
  await open('/people', 'People and teams');
  const hookUrl = `http://127.0.0.1:${hook.address().port}/hook`;
  await page.locator('#method-kind').selectOption('webhook');
  await page.locator('#method-address').fill(hookUrl);
  await page.getByRole('button', { name: 'Add contact method' }).click();
  const row = page.locator('.oc-methods li[data-kind="webhook"]');
  await row.waitFor();
  assert.equal(await row.locator('[data-verified]').getAttribute('data-verified'), 'false');
  const before = hookBodies.length;
  await row.getByRole('button', { name: 'Send code' }).click();
  const body = await pollUntil(() => hookBodies.slice(before).find((b) => b.includes('verification')));
  assert.ok(body, 'the receiver got the verification message');
  const code = JSON.parse(body).code;
  assert.match(code, /^\d{6}$/);
  await row.getByLabel(/^Code for/).fill(code);
  await row.getByRole('button', { name: 'Confirm' }).click();
  await row.locator('[data-verified="true"]').waitFor();
  const me = (await apiCall('GET', '/api/v1/session')).user.id;
  const methods = (await apiCall('GET', `/api/v1/users/${me}/contact-methods`)).data;
  assert.equal(methods.length, 1);
  assert.equal(methods[0].verified, true);

  // A high-urgency rule: the webhook after 5 minutes.
  await page.locator('#rule-high-method').selectOption(methods[0].id);
  await page.locator('#rule-high-delay').fill('5');
  await page.locator('.oc-rules[data-urgency="high"]').getByRole('button', { name: 'Add rule' }).click();
  await page.locator('.oc-rules[data-urgency="high"] li').first().waitFor();
  const rules = (await apiCall('GET', `/api/v1/users/${me}/notification-rules`)).data;
  assert.deepEqual(rules.map((r) => [r.urgency, r.delay_minutes, r.contact_method_id]), [['high', 5, methods[0].id]]);

  // A wrong address kind shows the server's problem with its field.
  await page.locator('#method-kind').selectOption('sms');
  await page.locator('#method-address').fill('not a phone');
  await page.getByRole('button', { name: 'Add contact method' }).click();
  await page.locator('.oc-method-form .error-box').waitFor();
  assert.match(await page.locator('.oc-method-form .error-box').textContent(), /address/);

  // Profile.
  await page.locator('#profile-zone').selectOption('America/New_York');
  await page.locator('#profile-language').selectOption('de');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('Saved.').waitFor();
  const profile = await apiCall('GET', `/api/v1/users/${me}/profile`);
  assert.equal(profile.time_zone, 'America/New_York');
  assert.equal(profile.language, 'de');
  // Back to English: the app follows the user's language at the next load.
  await apiCall('PATCH', `/api/v1/users/${me}/profile`, { language: 'en' });

  // Teams: create one and add Alice as manager.
  await page.locator('#team-name').fill('Night crew');
  await page.getByRole('button', { name: 'Create team' }).click();
  const team = page.locator('.oc-teams li.oc-team').filter({ hasText: 'Night crew' });
  await team.waitFor();
  await team.getByLabel('Member', { exact: true }).selectOption(users.alice.id);
  await team.getByLabel('Role', { exact: true }).selectOption('manager');
  await team.getByRole('button', { name: 'Add member' }).click();
  await team.locator(`li[data-user="${users.alice.id}"]`).waitFor();
  const teams = (await apiCall('GET', '/api/v1/teams')).data;
  assert.deepEqual(teams.find((x) => x.name === 'Night crew').members.map((m) => [m.user_id, m.role]), [[users.alice.id, 'manager']]);

  // Owners edit other people's settings too.
  await page.locator('#people-user').selectOption(users.bob.id);
  await page.getByText('No contact methods yet.', { exact: false }).waitFor();
  await assertFitsPhone('People');
});

test('web push: the service worker is served from /admin/ with the app CSP and registers with scope /admin/', TEST, async () => {
  const res = await fetch(`${server.url}/admin/sw.js`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/javascript/);
  assert.match(res.headers.get('content-security-policy'), /script-src 'self'/);
  const source = await res.text();
  assert.match(source, /addEventListener\('push'/);
  assert.match(source, /ack_url/);
  const key = await apiCall('GET', '/api/v1/web-push/key');
  assert.equal(Buffer.from(key.public_key, 'base64url').length, 65, 'an uncompressed P-256 point');

  await open('/people', 'People and teams');
  await page.getByRole('button', { name: 'Enable push on this device' }).waitFor();
  const reg = await page.evaluate(async () => {
    const r = await navigator.serviceWorker.register('/admin/sw.js', { scope: '/admin/' });
    const ready = await navigator.serviceWorker.ready;
    return { scope: r.scope, script: ready.active ? ready.active.scriptURL : '' };
  });
  assert.equal(reg.scope, `${server.url}/admin/`);
  assert.equal(reg.script, `${server.url}/admin/sw.js`);
});

test('a stakeholder sees schedules and on call but no write actions', TEST, async () => {
  const c = await newContext(browser);
  try {
    const p = await c.newPage();
    watch(c, p);
    const res = await c.request.post(`${server.url}/api/v1/session`, {
      data: { email: 'stan@example.com', password: 'correct horse battery' }, timeout: PLAYWRIGHT_MS,
    });
    assert.equal(res.status(), 200, await res.text());
    await p.goto(`${server.url}/admin/schedules`, { waitUntil: 'load' });
    await p.getByRole('heading', { level: 1, name: 'Schedules' }).waitFor();
    await p.locator(`.oc-schedules li[data-id="${scheduleId}"]`).waitFor();
    assert.equal(await p.getByRole('link', { name: 'New schedule' }).count(), 0);
    await p.goto(`${server.url}/admin/schedules/${scheduleId}`, { waitUntil: 'load' });
    await p.getByRole('heading', { level: 1, name: 'Primary on call' }).waitFor();
    await p.locator('.oc-track[data-track="final"] .oc-seg').first().waitFor();
    for (const name of ['Edit', 'Delete schedule', 'Add override', 'Create feed URL']) {
      assert.equal(await p.getByRole('button', { name }).count(), 0, `no ${name} button`);
    }
    await p.goto(`${server.url}/admin/people`, { waitUntil: 'load' });
    await p.getByRole('heading', { level: 1, name: 'People and teams' }).waitFor();
    await p.getByRole('heading', { level: 2, name: 'Contact methods' }).waitFor();
    for (const name of ['Add contact method', 'Create team', 'Enable push on this device']) {
      assert.equal(await p.getByRole('button', { name }).count(), 0, `no ${name} button`);
    }
  } finally {
    await c.close();
  }
});

test('German texts on the on-call screens', TEST, async () => {
  await page.goto(`${server.url}/admin/oncall`, { waitUntil: 'load' });
  await page.getByRole('button', { name: 'DE', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Bereitschaft' }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Jetzt in Bereitschaft' }).waitFor();
  await page.goto(`${server.url}/admin/schedules/${scheduleId}`, { waitUntil: 'load' });
  await page.getByRole('heading', { level: 2, name: 'Vertretungen' }).waitFor();
  await page.getByRole('button', { name: 'EN', exact: true }).click();
});

test('only 127.0.0.1 was requested, and no script error or CSP violation was reported', async () => {
  assert.ok(requested.length > 10, `requests were recorded (${requested.length})`);
  const foreign = requested.filter((u) => !/^(http:\/\/127\.0\.0\.1:\d+\/|data:|about:blank)/.test(u));
  assert.deepEqual(foreign, []);
  // "Failed to load resource" is an HTTP error status logged by the browser (the provoked 400).
  const real = consoleErrors.filter((e) => !/^Failed to load resource/.test(e));
  assert.deepEqual(real, []);
});
