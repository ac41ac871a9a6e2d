// Browser tests of the admin app's screens (issue 5): components, monitors, subscribers,
// settings, users and API tokens, driven through the UI of a real `tocsin serve --demo` on
// 127.0.0.1:0 in Debian's Chromium. The owner is created through POST /api/v1/setup, which
// signs the browser context in (session cookie).
//
//   TOCSIN_BIN=build/bin/tocsin node --test test/browser/admin_screens.test.mjs
//
// Screenshots of each screen go to $TOCSIN_ARTIFACTS_DIR when it is set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startServer, launchBrowser, newContext, pollUntil, PLAYWRIGHT_MS } from './support.mjs';

const TEST = { timeout: 90_000 };
const OWNER = { email: 'owner@example.com', name: 'Olivia Owner', password: 'correct horse battery', language: 'en' };
const PHONE = { width: 390, height: 844 };

let server;
let browser;
let context;
let page;
let csrf;
/** Console errors, CSP reports and uncaught exceptions of the screens (checked by the last test). */
const consoleErrors = [];

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  context = await newContext(browser);
  const res = await context.request.post(`${server.url}/api/v1/setup`, { data: OWNER, timeout: PLAYWRIGHT_MS });
  assert.equal(res.status(), 201, `setup: ${await res.text()}`);
  csrf = (await res.json()).csrf_token;
  assert.ok(csrf, 'the session object carries a CSRF token');
  page = await context.newPage();
  // Deletes and revokes ask for confirmation.
  page.on('dialog', (d) => void d.accept());
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) consoleErrors.push(`${m.text()} ${m.location().url}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
}, { timeout: 60_000 });

after(async () => {
  await context?.close().catch(() => {});
  await browser?.close().catch(() => {});
  await server?.stop();
}, { timeout: 30_000 });

/** A JSON API call in the signed-in browser context (cookie + CSRF header). */
async function apiCall(method, p, data) {
  const res = await context.request.fetch(server.url + p, {
    method,
    data,
    headers: { 'X-CSRF-Token': csrf },
    timeout: PLAYWRIGHT_MS,
  });
  const text = await res.text();
  if (!res.ok()) throw new Error(`${method} ${p} -> ${res.status()}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** The public page's HTML (the snapshot is published shortly after a write: callers poll). */
async function publicHtml() {
  const res = await fetch(`${server.url}/`, { signal: AbortSignal.timeout(10_000) });
  return res.text();
}

/** Opens an admin screen and waits for its heading. */
async function open(p, heading) {
  await page.goto(`${server.url}/admin${p}`, { waitUntil: 'load' });
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/** A full-page screenshot into $TOCSIN_ARTIFACTS_DIR (if set), at desktop and at phone width. */
async function shoot(name) {
  const dir = process.env.TOCSIN_ARTIFACTS_DIR;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `admin-${name}.png`), fullPage: true, timeout: PLAYWRIGHT_MS });
  const size = page.viewportSize();
  await page.setViewportSize(PHONE);
  try {
    await page.screenshot({ path: path.join(dir, `admin-${name}-phone.png`), fullPage: true, timeout: PLAYWRIGHT_MS });
  } finally {
    await page.setViewportSize(size);
  }
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

test('components: the Up button swaps two components and the public page shows the new order', TEST, async () => {
  const alpha = await apiCall('POST', '/api/v1/components', { name: 'Screens Alpha' });
  const beta = await apiCall('POST', '/api/v1/components', { name: 'Screens Beta' });
  await pollUntil(async () => {
    const html = await publicHtml();
    return html.includes('Screens Beta') && html.indexOf('Screens Alpha') < html.indexOf('Screens Beta');
  });
  let html = await publicHtml();
  assert.ok(html.indexOf('Screens Alpha') < html.indexOf('Screens Beta'), 'Alpha first before the move');

  await open('/components', 'Components');
  const betaRow = page.locator(`li[data-id="${beta.id}"] > .comp-row`);
  // By keyboard: focus the button and press Enter.
  await betaRow.getByRole('button', { name: /up/i }).focus();
  await page.keyboard.press('Enter');
  // The list re-renders in the new order once the positions are saved.
  await pollUntil(async () => {
    const ids = await page.locator('.comp-list > li').evaluateAll((lis) => lis.map((li) => li.dataset.id));
    return ids.indexOf(beta.id) >= 0 && ids.indexOf(beta.id) < ids.indexOf(alpha.id);
  });
  const ids = await page.locator('.comp-list > li').evaluateAll((lis) => lis.map((li) => li.dataset.id));
  assert.ok(ids.indexOf(beta.id) < ids.indexOf(alpha.id), `admin list order: ${ids.join(', ')}`);
  // The focus stays on the moved row's buttons, so that the next key press moves it again.
  await page.getByText('Saving order…').waitFor({ state: 'detached' });
  const focused = await pollUntil(() =>
    page.evaluate(() => document.activeElement?.closest('li[data-id]')?.dataset.id ?? null));
  assert.equal(focused, beta.id, 'the focus is on the moved row');

  const moved = await pollUntil(async () => {
    html = await publicHtml();
    return html.indexOf('Screens Beta') < html.indexOf('Screens Alpha');
  });
  assert.ok(moved, 'the public page lists Beta before Alpha');

  // Drag and drop: Alpha dropped on the lower half of a group's row joins the group.
  const group = (await apiCall('GET', '/api/v1/components')).find((c) => c.group);
  assert.ok(group, 'the demo has a group');
  const groupRow = page.locator(`li[data-id="${group.id}"] > .comp-row`);
  const box = await groupRow.boundingBox();
  // Grabbed at the handle (the row's centre may be its status select, which does not drag).
  await page.locator(`li[data-id="${alpha.id}"] > .comp-row`).dragTo(groupRow, {
    sourcePosition: { x: 12, y: 12 },
    targetPosition: { x: 40, y: box.height - 3 },
  });
  const joined = await pollUntil(async () => {
    const c = await apiCall('GET', `/api/v1/components/${alpha.id}`);
    return c.group_id === group.id;
  });
  assert.ok(joined, 'Alpha is a member of the group after the drop');
  await page.getByText('Saving order…').waitFor({ state: 'detached' });
  await page.locator(`li[data-id="${group.id}"] .comp-children li[data-id="${alpha.id}"]`).waitFor();
  await assertFitsPhone('components');
  await shoot('components');
});

test('monitors: create an HTTP monitor through the form and "Test now" shows the result', TEST, async () => {
  let hits = 0;
  const target = http.createServer((req, res) => {
    hits += 1;
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
  });
  await new Promise((resolve) => target.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${target.address().port}/health`;
    await open('/monitors', 'Monitors');
    await page.getByRole('button', { name: 'New monitor' }).click();
    const dialog = page.locator('dialog[open]');
    await dialog.getByLabel('Name', { exact: true }).fill('Screens health');
    await dialog.getByLabel('URL', { exact: true }).fill(url);
    await dialog.getByRole('button', { name: 'Create monitor' }).click();
    // Saving leads to the monitor's page.
    await page.getByRole('heading', { level: 1, name: 'Screens health' }).waitFor();
    const list = await apiCall('GET', '/api/v1/monitors');
    const created = list.find((m) => m.name === 'Screens health');
    assert.ok(created, 'the monitor exists');
    assert.equal(created.url, url);

    const before = hits;
    await page.getByRole('button', { name: 'Test now' }).click();
    const result = page.locator('.test-result');
    await result.waitFor();
    assert.equal(await result.locator('[data-status]').getAttribute('data-status'), 'up');
    assert.match(await result.textContent(), /HTTP 200/);
    assert.ok(hits > before, 'the check reached the test server');

    // Results reported by a probe fill the latency chart and the results table.
    const probe = await apiCall('POST', '/api/v1/tokens', { name: 'screens-probe', role: 'probe' });
    await apiCall('PATCH', `/api/v1/monitors/${created.id}`, { locations: ['local', 'probe-a'] });
    const now = Date.now();
    const results = [5, 4, 3, 2, 1].map((minutesAgo, i) => ({
      monitor_id: created.id,
      at: new Date(now - minutesAgo * 60_000).toISOString(),
      outcome: i === 2 ? 'down' : 'up',
      status_code: i === 2 ? 503 : 200,
      total_us: 20_000 + i * 5_000,
    }));
    const posted = await fetch(`${server.url}/api/v1/probe/results?location=probe-a`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${probe.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ results }),
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(posted.status, 202, await posted.text());
    await page.reload();
    await page.locator('.latency-chart svg polyline').waitFor();
    assert.equal(await page.locator('.latency-chart svg .fail').count(), 1, 'one failed check is marked');
    // The scheduled local check may have added a result of its own meanwhile.
    assert.ok((await page.locator('.latency-chart svg circle.dot').count()) >= 4, 'the successful checks are drawn');
    const rows = await page.locator('table.results tbody tr').count();
    assert.ok(rows >= 5 && rows <= 7, `results table rows: ${rows}`);
    await assertFitsPhone('monitor page');
    await shoot('monitor');
    await open('/monitors', 'Monitors');
    await page.locator(`li[data-id="${created.id}"]`).waitFor();
    await shoot('monitors');
  } finally {
    await new Promise((resolve) => target.close(resolve));
  }
});

test('users: create a stakeholder through the form', TEST, async () => {
  await open('/users', 'Users and API tokens');
  await page.getByRole('button', { name: 'New user' }).click();
  const dialog = page.locator('dialog[open]');
  await dialog.getByLabel('E-mail address').fill('sam@example.com');
  await dialog.getByLabel('Name').fill('Sam Stakeholder');
  await dialog.getByLabel('Role').selectOption('stakeholder');
  await dialog.getByLabel('Password').fill('another long password');
  await dialog.getByRole('button', { name: 'Create user' }).click();
  await page.locator('.user-list li', { hasText: 'sam@example.com' }).waitFor();
  const users = (await apiCall('GET', '/api/v1/users')).data;
  const sam = users.find((u) => u.email === 'sam@example.com');
  assert.ok(sam, 'the user exists');
  assert.equal(sam.role, 'stakeholder');
  assert.equal(await page.locator(`li[data-id="${sam.id}"] select`).inputValue(), 'stakeholder');

  // The API refuses to delete the last owner; the screen shows its reason on that row.
  const me = users.find((u) => u.email === OWNER.email);
  await page.locator(`li[data-id="${me.id}"]`).getByRole('button', { name: 'Delete' }).click();
  await page.locator(`li[data-id="${me.id}"] .error-box`).waitFor();
  assert.match(await page.locator(`li[data-id="${me.id}"] .error-box`).textContent(), /last owner/);
});

test('tokens: create shows the secret once, revoke removes it', TEST, async () => {
  await open('/users', 'Users and API tokens');
  await page.getByLabel('Token name').fill('screens-ci');
  await page.getByLabel('Token role').selectOption('responder');
  await page.getByRole('button', { name: 'Create token' }).click();
  const secret = page.locator('#token-secret');
  await secret.waitFor();
  const value = await secret.inputValue();
  assert.ok(value.length >= 20, `a token secret is shown (${value.length} characters)`);
  const list = await apiCall('GET', '/api/v1/tokens');
  const tok = list.find((x) => x.name === 'screens-ci');
  assert.ok(tok, 'the token exists');
  assert.equal(tok.role, 'responder');
  // The secret works as a bearer token.
  const probe = await fetch(`${server.url}/api/v1/components`, {
    headers: { Authorization: `Bearer ${value}` },
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(probe.status, 200);
  await shoot('users');

  await page.locator(`li[data-id="${tok.id}"]`).getByRole('button', { name: 'Revoke' }).click();
  await page.locator(`li[data-id="${tok.id}"]`).waitFor({ state: 'detached' });
  const after = (await apiCall('GET', '/api/v1/tokens')).find((x) => x.id === tok.id);
  assert.ok(after.revoked_at, 'the token is revoked');
  const refused = await fetch(`${server.url}/api/v1/components`, {
    headers: { Authorization: `Bearer ${value}` },
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(refused.status, 401);
  await assertFitsPhone('users');
});

test('settings: a new page name is saved and appears on the public page', TEST, async () => {
  await open('/settings', 'Settings');
  const name = page.getByLabel('Page name');
  await name.fill('Screens Status');
  await page.getByLabel('Accent colour', { exact: true }).first().fill('#aa3300');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Saved.').waitFor();
  const settings = await apiCall('GET', '/api/v1/page');
  assert.equal(settings.name, 'Screens Status');
  assert.equal(settings.accent_color, '#aa3300');
  const shown = await pollUntil(async () => (await publicHtml()).includes('Screens Status'));
  assert.ok(shown, 'the public page shows the new name');

  // A bad value is refused by the API and the reason is shown next to the form.
  await page.getByLabel('Time zone').fill('Mars/Olympus');
  await page.getByRole('button', { name: 'Save settings' }).click();
  const err = page.locator('.screen-settings form .error-box');
  await err.waitFor();
  assert.match(await err.textContent(), /time_zone/);
  assert.equal(await page.locator('.field-error:has(#settings-time-zone) .error-text').count(), 1, 'the field itself is marked');
  await assertFitsPhone('settings');

  // Logo upload (SVG) and removal.
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#a30"/></svg>';
  await page.getByLabel(/Logo file/).setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(svg) });
  await page.getByRole('button', { name: 'Upload logo' }).click();
  await page.locator('img.logo-preview').waitFor();
  assert.equal((await apiCall('GET', '/api/v1/page')).has_logo, true);
  await shoot('settings');
  await page.getByRole('button', { name: 'Remove logo' }).click();
  await page.locator('img.logo-preview').waitFor({ state: 'detached' });
  assert.equal((await apiCall('GET', '/api/v1/page')).has_logo, false);
});

test('subscribers: add one through the form and see it in the list', TEST, async () => {
  await open('/subscribers', 'Subscribers');
  await page.getByRole('button', { name: 'Add subscriber' }).click();
  const dialog = page.locator('dialog[open]');
  await dialog.getByLabel('E-mail address or URL').fill('reader@example.com');
  await dialog.getByLabel('Confirmed already (send no confirmation e-mail)').check();
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  await page.locator('.subscriber-list li', { hasText: 'reader@example.com' }).waitFor();
  const list = await apiCall('GET', '/api/v1/subscribers?q=reader');
  assert.equal(list.length, 1);
  assert.equal(list[0].confirmed, true);
  assert.equal(await page.locator(`li[data-id="${list[0].id}"]`).count(), 1);

  // CSV import: two new lines, one bad line; the report names the bad line.
  const csv = 'channel,target,language\r\nemail,one@example.com,en\r\nemail,two@example.com,de\r\nemail,not-an-address,en\r\n';
  await page.getByLabel('CSV file to import').setInputFiles({ name: 'subs.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const report = page.locator('.screen-subscribers .notice');
  await report.waitFor();
  assert.match(await report.textContent(), /Imported 2\b/);
  assert.match(await report.textContent(), /Line 4/);
  await page.locator('.subscriber-list li', { hasText: 'two@example.com' }).waitFor();
  assert.match(await page.locator('.screen-subscribers').textContent(), /3 subscribers/);

  // Export is a plain download link of the owner's session.
  const exported = await context.request.get(`${server.url}/api/v1/subscribers/export`, { timeout: PLAYWRIGHT_MS });
  assert.equal(exported.status(), 200);
  assert.match(await exported.text(), /two@example\.com/);
  await assertFitsPhone('subscribers');
  await shoot('subscribers');

  // A subscriber that needs confirmation gets an e-mail; the test server has no SMTP, so the
  // delivery fails at once and shows under "Failed deliveries", where Retry sends it again.
  await apiCall('POST', '/api/v1/subscribers', { channel: 'email', target: 'unconfirmed@example.com' });
  const dead = await pollUntil(async () => (await apiCall('GET', '/api/v1/deliveries?state=dead')).at(-1));
  assert.ok(dead, 'a dead delivery');
  await page.getByRole('tab', { name: 'Failed deliveries' }).click();
  const row = page.locator(`li[data-id="${dead.id}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /not configured/);
  await row.getByRole('button', { name: 'Retry' }).click();
  const retried = await pollUntil(async () => {
    const list = await apiCall('GET', '/api/v1/deliveries');
    return list.find((d) => d.id === dead.id && d.attempts > dead.attempts);
  });
  assert.ok(retried, 'the delivery was attempted again');
  await assertFitsPhone('failed deliveries');

  await page.getByRole('tab', { name: 'Notifications' }).click();
  await page.locator(`li[data-id="${dead.outbox_seq}"] .stacked`).waitFor();
  await shoot('notifications');
});

test('a stakeholder sees components and monitors without the actions of responders, in German', TEST, async () => {
  await apiCall('POST', '/api/v1/users', {
    email: 'viewer@example.com', name: 'Vera Viewer', role: 'stakeholder', password: 'viewer password 1', language: 'de',
  });
  // A monitor of its own (disabled: it never checks), so that this test does not depend on the others.
  const mon = await apiCall('POST', '/api/v1/monitors', {
    name: 'Viewer sees this', type: 'http', url: 'http://127.0.0.1:9/', enabled: false, create_incidents: false,
  });
  const viewer = await newContext(browser);
  try {
    const res = await viewer.request.post(`${server.url}/api/v1/session`, {
      data: { email: 'viewer@example.com', password: 'viewer password 1' },
      timeout: PLAYWRIGHT_MS,
    });
    assert.equal(res.status(), 200, await res.text());
    const p = await viewer.newPage();
    await p.goto(`${server.url}/admin/components`, { waitUntil: 'load' });
    await p.getByRole('heading', { level: 1, name: 'Komponenten' }).waitFor();
    await p.locator('.comp-list li[data-id]').first().waitFor();
    assert.equal(await p.locator('.comp-list button').count(), 0, 'no buttons on the component rows');
    assert.equal(await p.locator('.comp-list select').count(), 0, 'no status selects');
    assert.ok(await p.locator('.comp-list [data-status]').count() > 0, 'statuses are shown as badges');
    assert.equal(await p.locator('.comp-row[draggable="true"]').count(), 0, 'rows do not drag');
    assert.equal(await p.getByRole('button', { name: 'Neue Komponente' }).count(), 0);

    await p.goto(`${server.url}/admin/monitors`, { waitUntil: 'load' });
    await p.getByRole('heading', { level: 1, name: 'Monitore' }).waitFor();
    await p.locator('.monitor-list li[data-id]').first().waitFor();
    assert.equal(await p.getByRole('button', { name: 'Neuer Monitor' }).count(), 0);
    await p.locator(`.monitor-list li[data-id="${mon.id}"] a`).click();
    await p.getByRole('heading', { level: 2, name: 'Letzte Ergebnisse' }).waitFor();
    assert.equal(await p.getByRole('button', { name: 'Jetzt prüfen' }).count(), 0);
    assert.equal(await p.getByRole('button', { name: 'Löschen' }).count(), 0);

    await p.goto(`${server.url}/admin/users`, { waitUntil: 'load' });
    await p.getByText('Nur Inhaber verwalten Benutzer und API-Tokens.').waitFor();
    assert.equal(await p.locator('.user-list').count(), 0);
  } finally {
    await viewer.close();
  }
});

test('components: create one inside a group through the form, change its status, delete it', TEST, async () => {
  const group = (await apiCall('GET', '/api/v1/components')).find((c) => c.group);
  await open('/components', 'Components');
  await page.getByRole('button', { name: 'New component' }).click();
  const dialog = page.locator('dialog[open]');
  await dialog.getByLabel('Name', { exact: true }).fill('Screens Gamma');
  await dialog.getByLabel('Group', { exact: true }).selectOption(group.id);
  await dialog.getByRole('button', { name: 'Create' }).click();
  const created = await pollUntil(async () =>
    (await apiCall('GET', '/api/v1/components')).find((c) => c.name === 'Screens Gamma'));
  assert.ok(created, 'the component exists');
  assert.equal(created.group_id, group.id);
  const row = page.locator(`li[data-id="${group.id}"] .comp-children li[data-id="${created.id}"]`);
  await row.waitFor();

  await row.getByLabel('Status of Screens Gamma').selectOption('partial_outage');
  const changed = await pollUntil(async () =>
    (await apiCall('GET', `/api/v1/components/${created.id}`)).status === 'partial_outage');
  assert.ok(changed, 'the status was saved');
  // The group's badge follows its worst member.
  await page.locator(`li[data-id="${group.id}"] > .comp-row [data-status="partial_outage"]`).waitFor();

  await row.getByRole('button', { name: 'Delete' }).click();
  await row.waitFor({ state: 'detached' });
  const gone = await context.request.get(`${server.url}/api/v1/components/${created.id}`, { timeout: PLAYWRIGHT_MS });
  assert.equal(gone.status(), 404);
});

test('monitors: a heartbeat monitor gets a new ping URL that works', TEST, async () => {
  const hb = await apiCall('POST', '/api/v1/monitors', { name: 'Screens nightly job', type: 'heartbeat', interval_s: 3600 });
  assert.match(hb.heartbeat_url, /^\/api\/v1\/heartbeats\//);
  await open(`/monitors/${hb.id}`, 'Screens nightly job');
  assert.equal(await page.getByRole('button', { name: 'Test now' }).count(), 0, 'a heartbeat cannot be checked now');
  await page.getByRole('button', { name: 'New heartbeat URL' }).click();
  const code = page.locator('code.secret');
  await code.waitFor();
  const url = (await code.textContent()).trim();
  assert.ok(url.startsWith(`${server.url}/api/v1/heartbeats/`), url);
  const old = await fetch(server.url + hb.heartbeat_url, { signal: AbortSignal.timeout(10_000) });
  assert.equal(old.status, 404, 'the old URL stopped working');
  const ping = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  assert.equal(ping.status, 200);
  await page.getByText(/Last ping:/).waitFor();
});

test('the screens ran without script errors or CSP violations', async () => {
  // "Failed to load resource" is the browser logging an HTTP error status: the tests provoke
  // some on purpose (last owner, bad time zone), and the browser asks for /favicon.ico.
  const real = consoleErrors.filter((e) => !/^Failed to load resource/.test(e));
  assert.ok(consoleErrors.length >= 2, 'the listener saw the provoked API errors');
  assert.deepEqual(real, []);
});
