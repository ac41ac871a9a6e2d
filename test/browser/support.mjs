// Shared fixtures for the browser tests: a real tocsin server on 127.0.0.1:0 in a temp data
// folder, and Debian's Chromium driven by playwright-core. Nothing here downloads a browser or
// talks to any host other than 127.0.0.1. Every wait is bounded.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// createRequire instead of `import`: CommonJS resolution honours NODE_PATH (set by CTest), ESM
// resolution does not. Next to this file (`npm ci --prefix test/browser`) works either way.
const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

export const TOCSIN_BIN = process.env.TOCSIN_BIN;
export const CHROMIUM = process.env.TOCSIN_CHROMIUM ?? '/usr/bin/chromium';
export const OUT_DIR = process.env.TOCSIN_BROWSER_OUT ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');

const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync',
];
const SERVER_START_MS = 15_000;
const SERVER_STOP_MS = 5_000;
const CLI_MS = 15_000;
export const PLAYWRIGHT_MS = 15_000;

/** Every child we spawned, so that a crash of the runner still kills them. */
const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

/**
 * Starts `tocsin serve --demo` on 127.0.0.1:0 in a fresh temp folder and resolves once it has
 * printed its URL. The returned object's stop() kills the server and removes the folder; call it
 * from an after() hook so that it runs even when a test fails. `args` are added to the command
 * line (e.g. ['--config', file]).
 */
export async function startServer({ args = [] } = {}) {
  if (!TOCSIN_BIN) throw new Error('TOCSIN_BIN is not set (path to the tocsin binary)');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tocsin-browser-'));
  const child = spawn(TOCSIN_BIN, ['serve', '--listen', '127.0.0.1:0', '--data', dataDir, '--demo', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  // Both pipes are drained for the server's whole life, or a chatty log would block it.
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr = (stderr + d).slice(-16_000); });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), SERVER_STOP_MS);
      await exited;
      clearTimeout(timer);
    }
    children.delete(child);
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(
        `tocsin did not print its URL within ${SERVER_START_MS} ms\nstdout: ${stdout}\nstderr: ${stderr}`)),
      SERVER_START_MS);
      child.stdout.setEncoding('utf8').on('data', (d) => {
        stdout = (stdout + d).slice(-16_000);
        const m = /tocsin listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`tocsin exited early (code ${code}, signal ${signal})\nstderr: ${stderr}`));
      });
      child.once('error', (e) => { clearTimeout(timer); reject(e); });
    });
    return { url, dataDir, stop, stderr: () => stderr };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Runs the tocsin CLI against `dataDir` and returns its stdout (bounded). */
export function tocsinCli(args) {
  return new Promise((resolve, reject) => {
    execFile(TOCSIN_BIN, args, { timeout: CLI_MS }, (err, stdout, stderr) => {
      if (err) reject(new Error(`tocsin ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Creates an owner API token (the last line `tocsin token create` prints). */
export async function ownerToken(dataDir) {
  const out = await tocsinCli(['token', 'create', '--role', 'owner', '--data', dataDir]);
  const token = out.trim().split('\n').pop().trim();
  if (!token) throw new Error(`no token in: ${out}`);
  return token;
}

/** fetch() with a deadline; throws on a non-2xx status. */
export async function fetchJson(url, init = {}) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url} -> ${res.status}: ${text}`);
  return JSON.parse(text);
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    timeout: 30_000,
  });
}

/** A browser context with bounded default timeouts. */
export async function newContext(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  context.setDefaultTimeout(PLAYWRIGHT_MS);
  context.setDefaultNavigationTimeout(PLAYWRIGHT_MS);
  return context;
}

export async function screenshot(page, name) {
  await mkdir(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, name);
  await page.screenshot({ path: file, fullPage: true, timeout: PLAYWRIGHT_MS });
  return file;
}

/**
 * Calls `probe` until it returns a truthy value or `ms` pass; returns the last value. For
 * eventual consistency of the snapshot after a write, never as a plain sleep.
 */
export async function pollUntil(probe, ms = 10_000, everyMs = 100) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await probe();
    if (last || Date.now() >= deadline) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Heading levels in document order and the places where they skip a level. */
export async function headingOutline(page) {
  const levels = await page.locator('h1, h2, h3, h4, h5, h6').evaluateAll(
    (hs) => hs.map((h) => ({ level: Number(h.tagName[1]), text: h.textContent.trim() })));
  const problems = [];
  levels.forEach((h, i) => {
    if (i === 0 && h.level !== 1) problems.push(`first heading is h${h.level} "${h.text}"`);
    if (i > 0 && h.level > levels[i - 1].level + 1) {
      problems.push(`h${levels[i - 1].level} "${levels[i - 1].text}" is followed by h${h.level} "${h.text}"`);
    }
  });
  return { levels, problems };
}
