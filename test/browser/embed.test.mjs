// Browser test of the embeds (docs/embeds.md): a page on ANOTHER origin (a tiny node server on
// 127.0.0.1, another port) includes /embed/banner.js and the /embed/banner iframe. An incident
// created through the API shows up in both, and goes away once resolved. Every request the
// browser makes is recorded: none may leave the two 127.0.0.1 origins.
//
//   TOCSIN_BIN=build/bin/tocsin node --test test/browser/embed.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  startServer, ownerToken, fetchJson, launchBrowser, newContext, screenshot, pollUntil,
} from './support.mjs';

const TEST = { timeout: 120_000 };
const APPEAR_MS = 30_000; // the banner reloads every 5 s here (data-refresh), the frame on demand

let server;
let browser;
let host; // the other origin
let hostUrl;

function hostPage(statusUrl) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body>
<h1>A shop on another origin</h1>
<p>Content of the host page.</p>
<iframe id="status-frame" title="Service status" src="${statusUrl}/embed/banner?lang=en"
        style="border:0;width:100%;height:160px"></iframe>
<script src="${statusUrl}/embed/banner.js" async data-lang="en" data-position="top" data-refresh="5"></script>
</body></html>`;
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  host = http.createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(hostPage(server.url));
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((resolve) => host.listen(0, '127.0.0.1', resolve));
  hostUrl = `http://127.0.0.1:${host.address().port}`;
}, { timeout: 60_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await new Promise((resolve) => (host ? host.close(resolve) : resolve()));
  await server?.stop();
}, { timeout: 30_000 });

test('an incident appears in the banner script and the iframe on another origin, and goes after resolution', TEST, async () => {
  assert.notEqual(new URL(hostUrl).origin, new URL(server.url).origin, 'the host page is another origin');
  const token = await ownerToken(server.dataDir);
  const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const context = await newContext(browser);
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  const errors = [];
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(hostUrl + '/', { waitUntil: 'load' });
    const frame = page.frame({ url: /\/embed\/banner/ });
    assert.ok(frame, 'the iframe loaded (it may be framed by any origin)');
    assert.equal(await frame.locator('[role="status"]').count(), 1);

    const name = `Checkout fails ${Date.now()}`;
    const inc = await fetchJson(`${server.url}/api/v1/incidents`, {
      method: 'POST', headers: auth,
      body: JSON.stringify({ name, status: 'investigating', body: 'We are <b>looking</b> into it.' }),
    });
    const item = `[data-tocsin-banner] a[data-tocsin-item="${inc.id}"]`;

    // The script: within a few refreshes, without reloading the host page.
    const shown = await pollUntil(async () => (await page.locator(item).count()) === 1, APPEAR_MS, 250);
    assert.ok(shown, 'the banner script shows the new incident');
    const link = page.locator(item);
    const text = (await link.textContent()).replace(/\s+/g, ' ');
    assert.ok(text.includes(name), text);
    assert.ok(text.includes('Investigating'), text);
    assert.match(await link.getAttribute('href'), new RegExp(`/incidents/${inc.id}\\?lang=en$`));
    assert.equal(await page.locator('[data-tocsin-banner]').getAttribute('role'), 'status');
    // No markup from the server: the name is text, not HTML.
    assert.equal(await page.locator('[data-tocsin-banner] b').count(), 0);

    // The iframe reloads itself once a minute; the test reloads it on demand instead.
    const frameSrc = `${server.url}/embed/banner?lang=en`;
    const inFrame = await pollUntil(async () => {
      await frame.goto(frameSrc);
      return (await frame.locator(`a[data-tocsin-item="${inc.id}"]`).count()) === 1;
    }, APPEAR_MS, 500);
    assert.ok(inFrame, 'the iframe shows the new incident');
    assert.ok((await frame.locator(`a[data-tocsin-item="${inc.id}"]`).textContent()).includes(name));
    await screenshot(page, 'embed-active.png');

    await fetchJson(`${server.url}/api/v1/incidents/${inc.id}/updates`, {
      method: 'POST', headers: auth, body: JSON.stringify({ status: 'resolved', body: 'Fixed.' }),
    });
    const gone = await pollUntil(async () => (await page.locator(item).count()) === 0, APPEAR_MS, 250);
    assert.ok(gone, 'the banner script drops the resolved incident');
    const goneFromFrame = await pollUntil(async () => {
      await frame.goto(frameSrc);
      return (await frame.locator(`a[data-tocsin-item="${inc.id}"]`).count()) === 0;
    }, APPEAR_MS, 500);
    assert.ok(goneFromFrame, 'the iframe drops the resolved incident');

    assert.deepEqual(errors, [], 'no script errors on the host page');
    const allowed = new Set([new URL(hostUrl).origin, new URL(server.url).origin]);
    const foreign = requests.filter((u) => !allowed.has(new URL(u).origin));
    assert.deepEqual(foreign, [], 'the browser talked only to the two 127.0.0.1 origins');
    assert.ok(requests.some((u) => u.startsWith(`${server.url}/embed/status.json`)), 'the script read status.json');
  } finally {
    await context.close();
  }
});
