// Browser tests of the public status page (issue 2, "The public outputs"): a real `tocsin serve
// --demo` on 127.0.0.1:0 and Debian's Chromium through playwright-core. One behaviour per test.
//
//   TOCSIN_BIN=build/bin/tocsin node --test test/browser/page.test.mjs
//
// Screenshots for a human to look at go to test/browser/out/ (or $TOCSIN_BROWSER_OUT).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, ownerToken, fetchJson, launchBrowser, newContext, screenshot, pollUntil,
  headingOutline,
} from './support.mjs';

const MOBILE = { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const TEST = { timeout: 60_000 };

/** The demo server every read-only test shares. Tests that write start their own. */
let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
}, { timeout: 60_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await server?.stop();
}, { timeout: 30_000 });

/** Opens `path` on `srv` in a fresh context and hands page and context to `fn`; always closes. */
async function withPage(srv, path, options, fn) {
  const context = await newContext(browser, options);
  try {
    const page = await context.newPage();
    const response = await page.goto(srv.url + path, { waitUntil: 'load' });
    return await fn(page, context, response);
  } finally {
    await context.close();
  }
}

const text = async (locator) => (await locator.textContent()).replace(/\s+/g, ' ').trim();

test('with JavaScript off the page renders banner, grouped components, maintenance and past incidents', TEST, async () => {
  const summary = await fetchJson(`${server.url}/api/v2/summary.json`);
  const upcoming = await fetchJson(`${server.url}/api/v2/scheduled-maintenances/upcoming.json`);
  const incidents = await fetchJson(`${server.url}/api/v2/incidents.json`);
  const groups = summary.components.filter((c) => c.group);
  const resolved = incidents.incidents.filter((i) => i.status === 'resolved');
  // The demo must give this test something to look at, or it could not fail.
  assert.ok(groups.length > 0, 'demo has a component group');
  assert.ok(upcoming.scheduled_maintenances.length > 0, 'demo has an upcoming maintenance');
  assert.ok(resolved.length > 0, 'demo has a resolved incident');

  await withPage(server, '/', { javaScriptEnabled: false }, async (page) => {
    const banner = page.locator('main .overall');
    assert.equal(await banner.count(), 1);
    assert.equal(await text(banner.locator('h1')), summary.status.description);
    assert.equal(await text(banner.locator('h1')), 'All Systems Operational');
    assert.match(await banner.getAttribute('class'), /\bindicator-none\b/);

    const list = page.locator('section.components');
    for (const g of groups) {
      const li = list.locator('li.component.group').filter({ has: page.locator(`summary .name:text-is("${g.name}")`) });
      assert.equal(await li.count(), 1, `group ${g.name} is listed once`);
      for (const childId of g.components) {
        const child = summary.components.find((c) => c.id === childId);
        const row = li.locator('.children li.component').filter({ has: page.locator(`.name:text-is("${child.name}")`) });
        assert.equal(await row.count(), 1, `${child.name} is listed under ${g.name}`);
        // Groups are <details open>: visible without a click, and without script.
        assert.ok(await row.isVisible(), `${child.name} is visible`);
        assert.equal(await row.locator('.cstatus').getAttribute('data-status'), child.status);
      }
    }
    for (const c of summary.components.filter((x) => !x.group && !x.group_id)) {
      const row = list.locator('.component-list > li.component').filter({ has: page.locator(`.name:text-is("${c.name}")`) });
      assert.equal(await row.count(), 1, `top-level component ${c.name} is listed`);
    }

    const maint = page.locator('section.upcoming');
    for (const m of upcoming.scheduled_maintenances) {
      const card = maint.locator('article.incident').filter({ has: page.getByRole('heading', { name: m.name, exact: true }) });
      assert.equal(await card.count(), 1, `maintenance ${m.name} is shown`);
      // Start and end of the window, machine-readable.
      const times = await card.locator('.window time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));
      assert.deepEqual(times, [m.scheduled_for, m.scheduled_until]);
    }

    const past = page.locator('section.past');
    for (const i of resolved) {
      const link = past.locator(`a[href^="/incidents/${i.id}"]`);
      assert.equal(await link.count(), 1, `past incident ${i.name} is linked`);
      assert.equal(await text(link), i.name);
    }
    assert.equal(await past.locator('a[href^="/history"]').count(), 1, 'link to the history');
  });
});

test('every request during load goes to the tocsin origin and no cookie is set', TEST, async () => {
  const origin = new URL(server.url).origin;
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    const setCookies = [];
    page.on('response', async (r) => {
      const v = await r.headerValue('set-cookie').catch(() => null);
      if (v) setCookies.push(`${r.url()}: ${v}`);
    });
    // The page itself, and the pages it links to that a visitor reaches first.
    await page.goto(`${server.url}/`, { waitUntil: 'networkidle' });
    const incident = await page.locator('section.past a[href^="/incidents/"]').first().getAttribute('href');
    await page.goto(server.url + incident, { waitUntil: 'networkidle' });
    await page.goto(`${server.url}/history`, { waitUntil: 'networkidle' });

    assert.ok(requests.some((u) => u.endsWith('.css')), 'the stylesheet request was seen (the listener works)');
    const foreign = requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== origin);
    assert.deepEqual(foreign, [], 'requests to other origins');
    assert.deepEqual(setCookies, [], 'Set-Cookie headers');
    assert.deepEqual(await context.cookies(), [], 'cookies in the browser');
  } finally {
    await context.close();
  }
});

test('German: Accept-Language de-DE gives a German page and the language switch leads to English', TEST, async () => {
  await withPage(server, '/', { locale: 'de-DE' }, async (page, _ctx, response) => {
    assert.equal(await text(page.locator('h1')), 'Alle Systeme betriebsbereit');
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    assert.equal(response.headers()['content-language'], 'de');
    assert.equal(await text(page.locator('#h-components')), 'Komponenten');

    const toEnglish = page.locator('header nav a[hreflang="en"]');
    assert.equal(await toEnglish.count(), 1, 'one link to English');
    await Promise.all([page.waitForURL(/[?&]lang=en\b/), toEnglish.click()]);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await text(page.locator('h1')), 'All Systems Operational');
    // ... and from there back to German.
    assert.equal(await page.locator('header nav a[hreflang="de"]').count(), 1);
  });
});

test('a major-outage incident opened through the API shows on the page and has a detail page', TEST, async (t) => {
  const srv = await startServer();
  t.after(() => srv.stop());
  const token = await ownerToken(srv.dataDir);
  const auth = { Authorization: `Bearer ${token}` };
  const components = await fetchJson(`${srv.url}/api/v1/components`, { headers: auth });
  const target = components.find((c) => !c.group && c.group_id);
  assert.ok(target, 'demo has a component inside a group');
  assert.equal(target.status, 'operational');

  const context = await newContext(browser);
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(`${srv.url}/`);
  assert.equal(await text(page.locator('h1')), 'All Systems Operational');

  const name = 'Checkout unreachable';
  const body = 'We are **investigating** failed requests to checkout.';
  const incident = await fetchJson(`${srv.url}/api/v1/incidents`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, body, components: { [target.id]: 'major_outage' } }),
  });

  // The snapshot is rebuilt after the write; reload until it shows (bounded).
  const changed = await pollUntil(async () => {
    await page.reload();
    return (await text(page.locator('h1'))) !== 'All Systems Operational';
  });
  assert.ok(changed, 'banner changed after the incident was opened');

  // Statuspage derives "critical" from a component in major outage.
  const status = await fetchJson(`${srv.url}/api/v2/status.json`);
  assert.equal(status.status.indicator, 'critical');
  assert.equal(await text(page.locator('h1')), status.status.description);
  assert.match(await page.locator('.overall').getAttribute('class'), /\bindicator-critical\b/);

  const card = page.locator('section.active article.incident').filter({ has: page.getByRole('heading', { name, exact: true }) });
  assert.equal(await card.count(), 1, 'the incident is listed as active');
  assert.match(await text(card.locator('.update-head')), /Investigating/);
  assert.equal(await text(card.locator('.update .body')), 'We are investigating failed requests to checkout.');
  assert.equal(await card.locator('.update .body strong').count(), 1, 'Markdown rendered');
  assert.match(await text(card.locator('.affected')), new RegExp(target.name));

  const row = page.locator('li.component:not(.group)').filter({ has: page.locator(`.name:text-is("${target.name}")`) });
  assert.equal(await row.locator('.cstatus').getAttribute('data-status'), 'major_outage');
  assert.match(await text(row.locator('.cstatus')), /Major Outage/);
  await screenshot(page, 'outage-light-desktop.png');

  await Promise.all([page.waitForURL(new RegExp(`/incidents/${incident.id}\\b`)), card.locator('h3 a').click()]);
  assert.equal(await text(page.locator('h1')), name);
  assert.match(await page.title(), new RegExp(name));
  assert.equal(await text(page.locator('.update .body')), 'We are investigating failed requests to checkout.');
  assert.match(await text(page.locator('.affected')), new RegExp(target.name));
  await screenshot(page, 'incident-detail-light-desktop.png');
});

test('dark mode: prefers-color-scheme dark gives a different body background', TEST, async () => {
  const colours = {};
  for (const scheme of ['light', 'dark']) {
    await withPage(server, '/', { colorScheme: scheme }, async (page) => {
      colours[scheme] = await page.evaluate(() => {
        const s = getComputedStyle(document.body);
        return { bg: s.backgroundColor, fg: s.color };
      });
      await screenshot(page, `${scheme}-desktop.png`);
    });
  }
  assert.notEqual(colours.dark.bg, colours.light.bg);
  assert.notEqual(colours.dark.fg, colours.light.fg);
});

test('accessibility basics: one h1, landmarks, alt texts, skip link to #main, headings in order', TEST, async () => {
  await withPage(server, '/', {}, async (page) => {
    assert.equal(await page.locator('h1').count(), 1);
    assert.equal(await page.getByRole('banner').count(), 1, 'header landmark');
    assert.equal(await page.getByRole('main').count(), 1, 'main landmark');
    assert.equal(await page.getByRole('contentinfo').count(), 1, 'footer landmark');
    assert.ok(await page.locator('html').getAttribute('lang'), 'html has lang');
    assert.equal(await page.locator('img:not([alt])').count(), 0, 'every img has alt');

    // The skip link is the first stop of the keyboard and jumps to <main id="main">.
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const a = document.activeElement;
      const r = a.getBoundingClientRect();
      return { tag: a.tagName, href: a.getAttribute('href'), onScreen: r.left >= 0 && r.top >= 0 && r.width > 0 };
    });
    assert.deepEqual(focused, { tag: 'A', href: '#main', onScreen: true });
    assert.equal(await page.locator('main#main').count(), 1, '#main is the main element');
    await page.keyboard.press('Enter');
    assert.match(page.url(), /#main$/);

    const { levels, problems } = await headingOutline(page);
    assert.ok(levels.length > 3);
    assert.deepEqual(problems, []);
  });
});

test('accessibility basics: headings in order on the incident detail page', {
  ...TEST,
}, async () => {
  await withPage(server, '/', {}, async (page) => {
    await page.locator('section.past a[href^="/incidents/"]').first().click();
    await page.waitForURL(/\/incidents\//);
    assert.equal(await page.locator('h1').count(), 1);
    assert.deepEqual((await headingOutline(page)).problems, []);
  });
});

test('the Content-Security-Policy allows no script and no other host; the page has no script', TEST, async () => {
  await withPage(server, '/', {}, async (page, _ctx, response) => {
    const csp = response.headers()['content-security-policy'];
    assert.ok(csp, 'CSP header present');
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0])
      .map(([name, ...values]) => [name, values]));
    const scriptSrc = directives['script-src'] ?? directives['default-src'];
    assert.ok(scriptSrc, 'script-src or default-src present');
    assert.ok(!scriptSrc.includes("'unsafe-inline'") && !scriptSrc.includes("'unsafe-eval'"), `script sources: ${scriptSrc}`);
    for (const [name, values] of Object.entries(directives)) {
      for (const v of values) {
        assert.ok(!/^(https?:|\*|\/\/)/.test(v) && !/^[\w-]+\.[\w.-]+/.test(v), `${name} names a host: ${v}`);
      }
    }

    assert.equal(await page.evaluate(() => document.scripts.length), 0, 'no <script> elements');
    assert.equal(await page.evaluate(() => [...document.querySelectorAll('*')]
      .flatMap((e) => [...e.attributes]).filter((a) => /^on/i.test(a.name) || /^\s*javascript:/i.test(a.value)).length),
    0, 'no inline event handlers or javascript: URLs');

    // And the browser really enforces it: an injected inline script does not run.
    const outcome = await page.evaluate(() => new Promise((resolve) => {
      const violations = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
      const s = document.createElement('script');
      s.textContent = 'window.__tocsinInlineRan = true;';
      document.body.append(s);
      setTimeout(() => resolve({ ran: window.__tocsinInlineRan === true, violations }), 200);
    }));
    assert.equal(outcome.ran, false, 'inline script ran');
    assert.ok(outcome.violations.some((d) => /^(script-src|default-src)/.test(d)), `violations: ${outcome.violations}`);
  });
});

test('a 375px wide mobile viewport has no horizontal scroll', TEST, async () => {
  const incident = await withPage(server, '/', {}, (page) =>
    page.locator('section.past a[href^="/incidents/"]').first().getAttribute('href'));
  for (const path of ['/', '/history', incident, '/?lang=de']) {
    await withPage(server, path, MOBILE, async (page) => {
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 375, `${path}: scrollWidth ${width} > 375`);
      if (path === '/') await screenshot(page, 'mobile.png');
    });
  }
});

test('no template placeholder is left unrendered in the visible text', {
  ...TEST,
}, async () => {
  for (const lang of ['en', 'de']) {
    await withPage(server, `/?lang=${lang}`, {}, async (page) => {
      const body = await page.locator('body').innerText();
      assert.deepEqual(body.match(/\{\{?\w+\}?\}/g) ?? [], [], `${lang}: placeholders`);
    });
  }
});

test('the status banner keeps space below the header on desktop and mobile', TEST, async () => {
  // Regression: `main { padding }` lost to `.wrap { padding: 0 1rem }` and the banner touched the header.
  for (const options of [{}, MOBILE]) {
    await withPage(server, '/', options, async (page) => {
      const gap = await page.evaluate(() =>
        document.querySelector('main .overall').getBoundingClientRect().top
        - document.querySelector('body > header').getBoundingClientRect().bottom);
      assert.ok(gap >= 12, `gap between header and banner is ${gap}px`);
    });
  }
});
