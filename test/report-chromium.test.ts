/**
 * The HTML report shows correctly in a real browser: headless Chromium (Debian's `chromium`, which
 * .ci/run installs) renders the demo's report to a PNG; the screenshot must not be blank, and the
 * time chart must show one bar per non-empty bucket in the RST colour and in the deny colour, and
 * the findings chart its bars in the severity colours. Without chromium the test skips, except
 * when CI is set: there it fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { BIN, ROOT, fixture } from './helpers.js';
import { COLORS, SEVERITY_COLOR } from '../src/export/svg-chart.js';
import { colorStats, readPng, rgb, type Image } from './png.js';

const DEMO = ['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'].map(fixture);
const W = 1200, H = 2400;

function chromium(): string | undefined {
  const r = spawnSync('chromium', ['--version'], { encoding: 'utf8' });
  if (r.status === 0) return undefined;
  const why = 'chromium is not installed (Debian: apt-get install chromium); the HTML report is not checked in a browser';
  if (process.env.CI) throw new Error(`${why}, and CI is set: .ci/run must install it`);
  return why;
}

/** Columns groups where colour `hex` runs down at least `minRun` pixels: the bars, and their rows. */
function bars(img: Image, hex: string, minRun: number): { count: number; top: number; bottom: number } {
  const [r, g, b] = rgb(hex);
  const hit = new Uint8Array(img.width);
  let top = Infinity, bottom = -1;
  for (let x = 0; x < img.width; x++) {
    let run = 0;
    for (let y = 0; y < img.height; y++) {
      const i = (y * img.width + x) * 4;
      if (img.rgba[i] === r && img.rgba[i + 1] === g && img.rgba[i + 2] === b) {
        if (++run >= minRun) {
          hit[x] = 1;
          top = Math.min(top, y - run + 1);
          bottom = Math.max(bottom, y);
        }
      } else run = 0;
    }
  }
  let count = 0;
  for (let x = 0; x < img.width; x++) if (hit[x] && !hit[x - 1]) count++;
  return { count, top, bottom };
}

/**
 * The findings chart's bars, top to bottom: runs of one of `colors` that start at the bars' left
 * edge (where the longest run starts), one per group of rows, with their colour and length.
 */
function hbars(img: Image, colors: readonly string[]): { color: string; width: number }[] {
  const rgbs = colors.map(rgb);
  const rowRuns: { x: number; len: number; c: number }[][] = [];
  let best = { x: -1, len: 0 };
  for (let y = 0; y < img.height; y++) {
    const runs: { x: number; len: number; c: number }[] = [];
    for (let x = 0; x < img.width; ) {
      const i = (y * img.width + x) * 4;
      const c = rgbs.findIndex(([r, g, b]) => img.rgba[i] === r && img.rgba[i + 1] === g && img.rgba[i + 2] === b);
      if (c < 0) {
        x++;
        continue;
      }
      let e = x + 1;
      while (e < img.width && img.rgba[(y * img.width + e) * 4] === rgbs[c]![0] && img.rgba[(y * img.width + e) * 4 + 1] === rgbs[c]![1] && img.rgba[(y * img.width + e) * 4 + 2] === rgbs[c]![2]) e++;
      runs.push({ x, len: e - x, c });
      if (e - x > best.len) best = { x, len: e - x };
      x = e;
    }
    rowRuns.push(runs);
  }
  const out: { color: string; width: number }[] = [];
  let prev = false;
  for (const runs of rowRuns) {
    const r = runs.find((u) => Math.abs(u.x - best.x) <= 1 && u.len >= 2);
    if (r && !prev) out.push({ color: colors[r.c]!, width: r.len });
    prev = r !== undefined;
  }
  return out;
}

test('headless Chromium renders the demo report: not blank, the charts and their bars are there', { timeout: 120_000 }, (t) => {
  const skip = chromium();
  if (skip) {
    t.skip(skip);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-chromium-'));
  try {
    const html = join(dir, 'report.html');
    const r = spawnSync(process.execPath, [BIN, 'report', '-o', html, ...DEMO], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const page = readFileSync(html, 'utf8');
    const png = join(dir, 'shot.png');
    const c = spawnSync('chromium', [
      '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', `--user-data-dir=${join(dir, 'profile')}`,
      `--screenshot=${png}`, `--window-size=${W},${H}`, pathToFileURL(html).href,
    ], { encoding: 'utf8', timeout: 90_000 });
    assert.equal(c.status, 0, c.stderr);
    const img = readPng(readFileSync(png));
    assert.equal(img.width, W);
    assert.equal(img.height, H);
    const all = colorStats(img);
    assert.ok(all.nonWhite > 0.05 * W * H, `only ${all.nonWhite} pixels are not white`);
    assert.ok(all.distinct > 50, `only ${all.distinct} colours`);

    // the time chart: one bar per non-empty bucket in each colour (a count of 1 is 1/10 of the
    // axis, about 20 px: vertical runs of 17 px are bars, not text, arrows or the ladders' 14 px diamonds)
    const rstBars = [...page.matchAll(/<rect class="bar rst"/g)].length;
    const denyBars = [...page.matchAll(/<rect class="bar deny"/g)].length;
    assert.ok(rstBars > 10 && denyBars > 10, 'the demo has RSTs and denies in most buckets');
    const rst = bars(img, COLORS.rst, 17);
    const deny = bars(img, COLORS.deny, 17);
    assert.equal(rst.count, rstBars, 'RST bars on screen');
    assert.equal(deny.count, denyBars, 'deny bars on screen');
    // the chart region is drawn: axes, labels and both colours
    const region = colorStats(img, Math.min(rst.top, deny.top) - 40, Math.max(rst.bottom, deny.bottom) + 40);
    assert.ok(region.distinct > 10, `the chart region has ${region.distinct} colours`);
    // the findings chart: one horizontal bar per finding, in its severity's colour, as long as drawn
    const want = [...page.matchAll(/<rect class="bar finding sev-(\w+)" x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)]
      .map((m) => ({ color: SEVERITY_COLOR[m[1] as 'info'], width: Number(m[2]) }));
    assert.ok(want.length > 0);
    const seen = hbars(img, Object.values(SEVERITY_COLOR));
    assert.deepEqual(seen.map((b) => b.color), want.map((b) => b.color), 'finding bars and their colours, in order');
    seen.forEach((b, k) => assert.ok(Math.abs(b.width - want[k]!.width) <= 2, `bar ${k + 1}: ${b.width} px on screen, ${want[k]!.width} drawn`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
