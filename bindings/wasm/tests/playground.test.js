// The playground (playground/) in headless chromium through puppeteer-core (Debian's
// chromium; no browser is downloaded): the page loads with no console error, a config
// with a mistake shows the problem with its path, a run draws the chart and the table
// and fills the trace, and a screenshot of the result is not blank.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

function serve() {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const file = path.join(root, path.normalize(decodeURIComponent(url.pathname)));
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

test('the playground in headless chromium', { timeout: 180_000 }, async (t) => {
  if (!existsSync(chromium)) {
    t.skip(`no chromium at ${chromium}`);
    return;
  }
  const { default: puppeteer } = await import('puppeteer-core');
  const server = await serve();
  const profile = mkdtempSync(path.join(tmpdir(), 'openlines-playground-'));
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    userDataDir: profile,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1000, height: 1100 });
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warn') problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    const { port } = server.address();
    await page.goto(`http://127.0.0.1:${port}/playground/index.html`, { waitUntil: 'load' });
    await page.waitForFunction(() => document.getElementById('problems').textContent === 'config OK', { timeout: 30_000 });

    // A mistake shows its path as you type, and the run is refused.
    await page.$eval('#config', (el) => {
      el.value = el.value.replace('"least_busy"', '"least_bussy"');
      el.dispatchEvent(new Event('input'));
    });
    const shown = await page.$eval('#problems', (el) => el.textContent);
    assert.match(shown, /lines\[0\]\.queue\.distribution/);
    assert.match(shown, /least_bussy/);
    assert.equal(await page.$eval('#run', (el) => el.disabled), true);
    await page.$eval('#config', (el) => {
      el.value = el.value.replace('"least_bussy"', '"least_busy"');
      el.dispatchEvent(new Event('input'));
    });
    assert.equal(await page.$eval('#problems', (el) => el.textContent), 'config OK');

    // A run draws the chart and the table and fills the trace.
    await page.click('#run');
    await page.waitForFunction(() => document.body.dataset.done === 'yes', { timeout: 120_000 });
    assert.equal(await page.$$eval('#chart rect', (r) => r.length), 24);
    assert.equal(await page.$$eval('#table tr', (r) => r.length), 25);
    const summary = await page.$eval('#summary', (el) => el.textContent);
    assert.match(summary, /^\d+ dialogs/);
    assert.ok(Number(summary.split(' ')[0]) > 100, summary);
    const trace = await page.$eval('#trace', (el) => el.textContent);
    assert.match(trace, /"type":"dialog_opened","dialog":1/);
    assert.equal(await page.$eval('#progress', (el) => el.value), 1);

    // The screenshot of the result is not blank: enough non-white pixels, and the bars' colour.
    mkdirSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '.gen'), { recursive: true });
    const shot = await page.screenshot({ encoding: 'base64', fullPage: true });
    writeFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '.gen', 'playground.png'), Buffer.from(shot, 'base64'));
    const pixels = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      let bars = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240) ink += 1;
        if (Math.abs(d[i] - 0x3f) < 8 && Math.abs(d[i + 1] - 0x51) < 8 && Math.abs(d[i + 2] - 0xb5) < 8) bars += 1;
      }
      return { ink, bars, total: d.length / 4 };
    }, shot);
    assert.ok(pixels.ink / pixels.total > 0.03, `blank screenshot? ${JSON.stringify(pixels)}`);
    assert.ok(pixels.bars > 500, `no chart bars in the screenshot: ${JSON.stringify(pixels)}`);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
