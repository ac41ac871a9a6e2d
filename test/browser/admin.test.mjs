// Browser tests of the admin web app (issue 5): a real `tocsin serve --demo` on 127.0.0.1:0 and
// Debian's Chromium through playwright-core. One scenario in order, as a responder would live it:
// first run, sign-in, an incident from creation to resolution seen on the public page and in the
// login-page banner of another origin, a maintenance in the calendar, a stakeholder who may not
// write, and the phone layout. Every request the browser makes must go to 127.0.0.1.
//
//   TOCSIN_BIN=build/bin/tocsin node --test test/browser/admin.test.mjs
//
// Screenshots go to $TOCSIN_ARTIFACTS_DIR (set by CTest), else test/browser/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  startServer, ownerToken, fetchJson, launchBrowser, newContext, pollUntil, OUT_DIR, PLAYWRIGHT_MS,
} from './support.mjs';

const TEST = { timeout: 90_000 };
const ARTIFACTS = process.env.TOCSIN_ARTIFACTS_DIR || OUT_DIR;
const OWNER = { name: 'Olivia Owner', email: 'owner@example.com', password: 'correct horse battery staple' };
const VIEWER = { name: 'Sam Stakeholder', email: 'sam@example.com', password: 'stakeholder password 42' };
const INCIDENT = 'Checkout errors for some customers';
const MAINTENANCE = 'Database upgrade';
const TEMPLATE = { name: 'Payment provider', title: 'Payments are failing', body: 'Payments through our provider fail. We are on it.' };

let server;
let browser;
let token;
let bannerServer;
let bannerUrl;
/** Every URL any page of any context requested. */
const requested = [];
/** Console messages about the Content Security Policy (there must be none). */
const cspViolations = [];
const contexts = [];
/** The owner's signed-in context and page, shared by the scenario's steps in order. */
let ownerContext;
let page;
let components;  // { api: {id,name}, shop: {id,name} }
let incidentId;
let maintenanceId;

const text = async (locator) => ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();

async function context(options = {}) {
  const c = await newContext(browser, options);
  c.on('request', (r) => requested.push(r.url()));
  c.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  contexts.push(c);
  return c;
}

async function shot(p, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  await p.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true, timeout: PLAYWRIGHT_MS });
}

async function api(method, p, body) {
  return fetchJson(`${server.url}${p}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Loads the public page in a fresh context until `check(page)` holds (the snapshot follows writes). */
async function publicPageUntil(check, what) {
  const c = await context();
  try {
    const p = await c.newPage();
    const ok = await pollUntil(async () => {
      await p.goto(`${server.url}/`, { waitUntil: 'load' });
      return check(p);
    }, 10_000, 250);
    assert.ok(ok, `public page: ${what}`);
  } finally {
    await c.close();
  }
}

/** The banner's item for `id` on the login page of the other origin, or null when there is none. */
async function bannerItem(id) {
  const c = await context();
  try {
    const p = await c.newPage();
    await p.goto(bannerUrl, { waitUntil: 'load' });
    // The script renders after its fetch; with nothing active it renders no element at all.
    await p.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => {});
    await p.waitForSelector('[data-tocsin-banner]', { timeout: 1_000 }).catch(() => {});
    const item = p.locator(`[data-tocsin-banner] a[data-tocsin-item="${id}"]`);
    if ((await item.count()) === 0) return null;
    return { text: await text(item), href: await item.getAttribute('href') };
  } finally {
    await c.close();
  }
}

async function bannerUntil(id, check, what) {
  const ok = await pollUntil(async () => check(await bannerItem(id)), 15_000, 500);
  assert.ok(ok, `banner: ${what}`);
}

before(async () => {
  server = await startServer();
  token = await ownerToken(server.dataDir);
  browser = await launchBrowser();
  // The login page of "another application": another origin (another port) that includes the banner.
  bannerServer = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><title>Example login</title></head><body>
<script src="${server.url}/embed/banner.js" async data-lang="en" data-position="top"></script>
<h1>Sign in to Example</h1><form><input name="user"></form></body></html>`);
  });
  await new Promise((resolve) => bannerServer.listen(0, '127.0.0.1', resolve));
  bannerUrl = `http://127.0.0.1:${bannerServer.address().port}/login`;
  const a = await api('POST', '/api/v1/components', { name: 'Checkout API' });
  const b = await api('POST', '/api/v1/components', { name: 'Web shop' });
  components = { api: a, shop: b };
}, { timeout: 60_000 });

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close().catch(() => {});
  await new Promise((resolve) => (bannerServer ? bannerServer.close(resolve) : resolve()));
  await server?.stop();
}, { timeout: 30_000 });

test('first run: the first visitor creates the owner and is signed in', TEST, async () => {
  assert.deepEqual(await fetchJson(`${server.url}/api/v1/setup`), { needs_owner: true });
  ownerContext = await context();
  page = await ownerContext.newPage();
  const res = await page.goto(`${server.url}/admin/`, { waitUntil: 'load' });
  assert.match(res.headers()['content-security-policy'], /script-src 'self'/);
  await page.getByRole('heading', { name: 'Welcome to tocsin' }).waitFor();
  await page.getByLabel('Your name').fill(OWNER.name);
  await page.getByLabel('E-mail').fill(OWNER.email);
  await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
  await page.getByLabel('Repeat password').fill(OWNER.password);
  await page.getByRole('button', { name: 'Create owner account' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  assert.deepEqual(await fetchJson(`${server.url}/api/v1/setup`), { needs_owner: false });
});

test('sign out, a wrong password shows an error, the right one signs in', TEST, async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to tocsin' }).waitFor();
  await page.getByLabel('E-mail').fill(OWNER.email);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const error = page.getByRole('alert');
  await error.waitFor();
  assert.equal(await text(error), 'Wrong e-mail or password.');
  await page.getByLabel('Password').fill(OWNER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  // The session survives a reload (cookie), and the overview shows the owner's name.
  await page.reload({ waitUntil: 'load' });
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  assert.equal(await text(page.locator('.user-name')), OWNER.name);
  await shot(page, 'admin-overview.png');
});

test('a message template is created in the app', TEST, async () => {
  await page.getByRole('navigation').getByRole('link', { name: 'Templates' }).click();
  await page.getByRole('heading', { name: 'Templates', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'New template' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByLabel('For').selectOption('incident');
  await dialog.getByLabel('Status').selectOption('investigating');
  await dialog.getByLabel('Template name').fill(TEMPLATE.name);
  await dialog.getByLabel('Title').fill(TEMPLATE.title);
  await dialog.getByLabel('Message').fill(TEMPLATE.body);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.locator('ul.templates li').filter({ hasText: TEMPLATE.name }).waitFor();
  const list = await api('GET', '/api/v1/templates');
  assert.deepEqual(list.data.map((x) => [x.kind, x.name, x.title, x.status, x.body]),
    [['incident', TEMPLATE.name, TEMPLATE.title, 'investigating', TEMPLATE.body]]);
});

test('an incident with two affected components, created in one form, shows on the public page and in the banner', TEST, async () => {
  await page.getByRole('navigation').getByRole('link', { name: 'Incidents' }).click();
  await page.getByRole('link', { name: 'New incident' }).click();
  await page.getByRole('heading', { name: 'New incident', level: 1 }).waitFor();
  // The template fills title, status and message; the responder then edits them.
  await page.getByLabel('Template').selectOption({ label: TEMPLATE.name });
  assert.equal(await page.getByLabel('Title').inputValue(), TEMPLATE.title);
  assert.equal(await page.getByLabel('Message').inputValue(), TEMPLATE.body);
  await page.getByLabel('Title').fill(INCIDENT);
  await page.getByLabel('Message').fill('We are investigating **failed payments** at checkout.');
  await page.getByLabel('Checkout API').selectOption('degraded_performance');
  await page.getByLabel('Web shop').selectOption('major_outage');
  // Preview: the Markdown as the public page renders it, and the subscriber e-mail.
  await page.getByRole('button', { name: 'Preview' }).click();
  const preview = page.getByTestId('preview');
  await preview.waitFor();
  assert.equal(await text(preview.locator('.markdown strong')), 'failed payments');
  assert.match(await text(page.getByTestId('preview-subject')), new RegExp(INCIDENT));
  await shot(page, 'admin-incident-form.png');

  await Promise.all([
    page.waitForURL((u) => /\/admin\/incidents\/[^/]+$/.test(u.pathname) && !u.pathname.endsWith('/new')),
    page.getByRole('button', { name: 'Create incident' }).click(),
  ]);
  incidentId = page.url().split('/').pop();
  await page.getByRole('heading', { name: INCIDENT, level: 1 }).waitFor();
  const affected = page.locator('.incident-detail .affected');
  await affected.locator(`li[data-id="${components.api.id}"] [data-status="degraded_performance"]`).waitFor();
  await affected.locator(`li[data-id="${components.shop.id}"] [data-status="major_outage"]`).waitFor();
  await shot(page, 'admin-incident-detail.png');

  // The overview says what is broken now: both components, the open incident.
  await page.getByRole('navigation').getByRole('link', { name: 'Overview' }).click();
  await page.locator(`.overview-components li[data-id="${components.api.id}"] [data-status="degraded_performance"]`).waitFor();
  await page.locator(`.overview-components li[data-id="${components.shop.id}"] [data-status="major_outage"]`).waitFor();
  await page.locator(`.overview-incidents li[data-id="${incidentId}"]`).waitFor();
  await shot(page, 'admin-overview-incident.png');
  await page.locator(`.overview-incidents li[data-id="${incidentId}"] a`).click();
  await page.getByRole('heading', { name: INCIDENT, level: 1 }).waitFor();

  await publicPageUntil(async (p) => {
    const card = p.locator('section.active article.incident').filter({ has: p.getByRole('heading', { name: INCIDENT, exact: true }) });
    if ((await card.count()) !== 1) return false;
    const status = async (name) => p.locator('li.component:not(.group)').filter({ has: p.locator(`.name:text-is("${name}")`) })
      .locator('.cstatus').getAttribute('data-status');
    return (await status('Checkout API')) === 'degraded_performance' && (await status('Web shop')) === 'major_outage'
      && /failed payments/.test(await text(card.locator('.update .body')));
  }, 'the incident and both component statuses');

  await bannerUntil(incidentId, (item) => item && item.text.includes(INCIDENT) && /Investigating/i.test(item.text),
    'the open incident with its status');
});

test('an update posted in the app shows on the public page and in the banner', TEST, async () => {
  await page.getByLabel('Status', { exact: true }).selectOption('identified');
  await page.getByLabel('Message').fill('The payment provider rotated a certificate; we are rolling out the fix.');
  await page.getByRole('button', { name: 'Post update' }).click();
  await page.locator('.timeline > li').filter({ hasText: 'rotated a certificate' }).waitFor();
  assert.equal(await page.locator('.timeline > li').count(), 2);

  await publicPageUntil(async (p) => {
    const card = p.locator('section.active article.incident').filter({ has: p.getByRole('heading', { name: INCIDENT, exact: true }) });
    return (await card.count()) === 1 && /rotated a certificate/.test(await text(card));
  }, 'the update');
  await bannerUntil(incidentId, (item) => item && /Identified/i.test(item.text), 'the new status');
});

test('resolving puts the components back and the incident leaves the banner', TEST, async () => {
  await page.getByRole('button', { name: 'Resolve', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Resolve incident' }).click();
  await page.locator('.incident-detail .page-title + .panel [data-status="resolved"]').first().waitFor();
  assert.equal(await page.getByRole('button', { name: 'Resolve', exact: true }).count(), 0);

  await publicPageUntil(async (p) => {
    const active = p.locator('section.active article.incident').filter({ has: p.getByRole('heading', { name: INCIDENT, exact: true }) });
    const status = async (name) => p.locator('li.component:not(.group)').filter({ has: p.locator(`.name:text-is("${name}")`) })
      .locator('.cstatus').getAttribute('data-status');
    return (await active.count()) === 0 && (await p.locator(`section.past a[href^="/incidents/${incidentId}"]`).count()) > 0
      && (await status('Checkout API')) === 'operational' && (await status('Web shop')) === 'operational';
  }, 'resolved: in past incidents, components operational');
  await bannerUntil(incidentId, (item) => item === null, 'no item for the resolved incident');
});

test('a maintenance scheduled in the app shows in the calendar and on the public page', TEST, async () => {
  await page.getByRole('navigation').getByRole('link', { name: 'Maintenance' }).click();
  await page.getByRole('button', { name: 'Schedule maintenance' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  const start = new Date(Date.now() + 2 * 24 * 3600 * 1000);
  start.setHours(10, 0, 0, 0);  // not 02:00, which a DST change can skip
  const local = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}T${String(d.getHours()).padStart(2, '0')}:00`;
  await dialog.getByLabel('Title').fill(MAINTENANCE);
  await dialog.getByLabel('Starts').fill(local(start));
  await dialog.getByLabel('Ends').fill(local(new Date(start.getTime() + 2 * 3600 * 1000)));
  await dialog.getByLabel('Checkout API').check();
  await dialog.getByLabel('Message').fill('Short reconnects are expected.');
  await dialog.getByRole('button', { name: 'Schedule', exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });

  const row = page.locator('ul.maintenances li').filter({ hasText: MAINTENANCE });
  await row.waitFor();
  maintenanceId = await row.getAttribute('data-id');
  if (start.getMonth() !== new Date().getMonth()) await page.getByRole('button', { name: 'Next month' }).click();
  const day = local(start).slice(0, 10);
  await page.locator(`.calendar [data-date="${day}"] a[data-id="${maintenanceId}"]`).waitFor();
  await shot(page, 'admin-maintenance-calendar.png');

  await publicPageUntil(async (p) => (await p.locator('section.upcoming article.incident')
    .filter({ has: p.getByRole('heading', { name: MAINTENANCE, exact: true }) }).count()) === 1, 'the upcoming maintenance');
});

test('a scheduled maintenance is cancelled from its detail page', TEST, async () => {
  const from = new Date(Date.now() + 5 * 24 * 3600 * 1000);
  const m = await api('POST', '/api/v1/maintenances', {
    name: 'Network switch swap', scheduled_for: from.toISOString(),
    scheduled_until: new Date(from.getTime() + 3600 * 1000).toISOString(), body: 'Planned.', component_ids: [components.shop.id],
  });
  await page.goto(`${server.url}/admin/maintenance/${m.id}`, { waitUntil: 'load' });
  await page.getByRole('heading', { name: 'Network switch swap', level: 1 }).waitFor();
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Cancel maintenance' }).click();
  await page.locator('.timeline > li').filter({ hasText: 'This maintenance has been cancelled.' }).waitFor();
  assert.equal((await api('GET', `/api/v1/maintenances/${m.id}`)).status, 'completed');
  assert.equal(await page.getByRole('button', { name: 'Cancel maintenance' }).count(), 0);
});

test('a stakeholder sees no "New incident" button and the server refuses its writes', TEST, async () => {
  await api('POST', '/api/v1/users', { ...VIEWER, role: 'stakeholder' });
  const c = await context();
  const p = await c.newPage();
  await p.goto(`${server.url}/admin/incidents`, { waitUntil: 'load' });
  await p.getByLabel('E-mail').fill(VIEWER.email);
  await p.getByLabel('Password').fill(VIEWER.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
  await p.getByRole('tab', { name: 'Resolved' }).click();
  await p.locator(`ul.incidents li[data-id="${incidentId}"]`).waitFor();
  assert.equal(await p.getByRole('link', { name: 'New incident' }).count(), 0);
  assert.equal(await p.getByRole('button', { name: 'New incident' }).count(), 0);
  await p.locator(`ul.incidents li[data-id="${incidentId}"] a`).click();
  await p.getByRole('heading', { name: INCIDENT, level: 1 }).waitFor();
  assert.equal(await p.getByRole('button', { name: 'Post update' }).count(), 0);
  assert.equal(await p.getByRole('button', { name: 'Delete' }).count(), 0);
  // With its cookie and a valid CSRF token the role still decides: 403, and not for CSRF.
  const answer = await p.evaluate(async () => {
    const s = await (await fetch('/api/v1/session')).json();
    const r = await fetch('/api/v1/incidents', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
      body: JSON.stringify({ name: 'Should not exist', status: 'investigating' }),
    });
    return { status: r.status, body: await r.json(), role: s.user.role };
  });
  assert.equal(answer.role, 'stakeholder');
  assert.equal(answer.status, 403);
  assert.doesNotMatch(answer.body.type, /csrf$/);
  await c.close();
});

test('on a phone the navigation collapses behind a menu button', TEST, async () => {
  const c = await context({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  // The owner's session cookie, so the phone is signed in.
  await c.addCookies(await ownerContext.cookies());
  const p = await c.newPage();
  await p.goto(`${server.url}/admin/`, { waitUntil: 'load' });
  await p.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  const nav = p.locator('#nav');
  assert.equal(await nav.isVisible(), false);
  const width = await p.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no horizontal scrolling (${width}px)`);
  await shot(p, 'admin-phone-overview.png');
  await p.getByRole('button', { name: /Menu/ }).click();
  await nav.waitFor({ state: 'visible' });
  await nav.getByRole('link', { name: 'Maintenance' }).click();
  await p.getByRole('heading', { name: 'Maintenance', level: 1 }).waitFor();
  assert.equal(await nav.isVisible(), false);
  await shot(p, 'admin-phone-maintenance.png');
  await c.close();
});

test('open screens follow changes made elsewhere (live updates, no reload)', TEST, async () => {
  await page.getByRole('navigation').getByRole('link', { name: 'Incidents' }).click();
  await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
  await page.locator('.live-dot.on').waitFor();
  const created = await api('POST', '/api/v1/incidents', { name: 'Created through the API', status: 'investigating', body: 'x' });
  const row = page.locator(`ul.incidents li[data-id="${created.id}"]`);
  await row.waitFor({ timeout: 10_000 });
  await api('PATCH', `/api/v1/incidents/${created.id}`, { status: 'resolved', body: 'Fixed.' });
  await row.waitFor({ state: 'detached', timeout: 10_000 });
});

test('a user changes their own password and signs in with the new one', TEST, async () => {
  const c = await context();
  const p = await c.newPage();
  await p.goto(`${server.url}/admin/account`, { waitUntil: 'load' });
  await p.getByLabel('E-mail').fill(VIEWER.email);
  await p.getByLabel('Password').fill(VIEWER.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { name: 'My account', level: 1 }).waitFor();
  const fresh = 'a brand new stakeholder password';
  await p.getByLabel('Current password').fill(VIEWER.password);
  await p.getByLabel('New password', { exact: true }).fill(fresh);
  await p.getByLabel('Repeat new password').fill(fresh);
  await p.getByRole('button', { name: 'Change password' }).click();
  await p.getByRole('status').filter({ hasText: 'Your password has been changed.' }).waitFor();
  // Sign out; the old password no longer works, the new one does.
  await p.getByRole('main').getByRole('button', { name: 'Sign out' }).click();
  await p.getByRole('heading', { name: 'Sign in to tocsin' }).waitFor();
  await p.getByLabel('E-mail').fill(VIEWER.email);
  await p.getByLabel('Password').fill(VIEWER.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByTestId('signin-error').filter({ hasText: 'Wrong e-mail or password.' }).waitFor();
  await p.getByLabel('Password').fill(fresh);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  await c.close();
});

test('the app speaks German when switched, and remembers it', TEST, async () => {
  const c = await context({ locale: 'de-DE' });
  await c.addCookies(await ownerContext.cookies());
  const p = await c.newPage();
  await p.goto(`${server.url}/admin/`, { waitUntil: 'load' });
  // The owner chose English at first run, so the user's language wins over the browser's.
  await p.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  await p.getByRole('button', { name: 'DE', exact: true }).click();
  await p.getByRole('heading', { name: 'Übersicht', level: 1 }).waitFor();
  assert.equal(await p.locator('html').getAttribute('lang'), 'de');
  await p.reload({ waitUntil: 'load' });
  await p.getByRole('heading', { name: 'Übersicht', level: 1 }).waitFor();
  await p.getByRole('navigation').getByRole('link', { name: 'Wartungen' }).click();
  await p.getByRole('heading', { name: 'Wartungen', level: 1 }).waitFor();
  await c.close();
});

test('too many failed sign-ins show the 429 message', TEST, async () => {
  // Last of the sign-ins: the limit counts per e-mail address (5) and per client.
  const c = await context();
  const p = await c.newPage();
  await p.goto(`${server.url}/admin/`, { waitUntil: 'load' });
  await p.getByLabel('E-mail').fill('nobody@example.com');
  const alert = p.getByTestId('signin-error');
  let last = '';
  for (let i = 0; i < 8 && !/Too many/.test(last); i++) {
    await p.getByLabel('Password').fill(`wrong ${i}`);
    const answered = p.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'POST');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await answered;
    await alert.waitFor();
    last = await text(alert);
  }
  assert.match(last, /^Too many failed attempts\. Try again in/);
  await c.close();
});

test('the browser only ever talked to 127.0.0.1, and no CSP violation was reported', TEST, async () => {
  assert.ok(requested.length > 20, `requests were recorded (${requested.length})`);
  const foreign = requested.filter((u) => !/^(http:\/\/127\.0\.0\.1:\d+\/|data:|about:blank)/.test(u));
  assert.deepEqual(foreign, []);
  assert.ok(requested.some((u) => u.startsWith(bannerUrl)), 'the other origin was visited');
  assert.deepEqual(cspViolations, []);
});
