/**
 * The report's pure parts: the model (findings ordered by severity, example ladders cut around the
 * teardown), the Markdown and HTML renderers and the SVG charts. Findings are built by hand here
 * (input to the renderers, whatever findings.ts groups); the dataset is the demo's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture } from './helpers.js';
import { loadDataset, type Dataset } from '../src/flows/dataset.js';
import { TEARDOWNS, anomalyBit } from '../src/model.js';
import type { Finding } from '../src/analysis/finding-types.js';
import { summarize } from '../src/analysis/summary.js';
import { timeline } from '../src/cli/explain.js';
import { mainClause, reportModel, shorten, type LadderStep, type ReportInputs } from '../src/export/report-model.js';
import { ladderLines, mdCode, mdFence, mdText, reportMarkdown } from '../src/export/report-md.js';
import { reportHtml } from '../src/export/report-html.js';
import { COLORS, findingsChart, niceScale, timeChart } from '../src/export/svg-chart.js';
import { ladderSvg } from '../src/export/svg-ladder.js';
import { checkHtml } from './html-check.js';

const DEMO = ['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'].map(fixture);
let ds: Dataset;
let all: number[];
let seed: number;
test.before(async () => {
  ds = await loadDataset(DEMO);
  all = Array.from({ length: ds.conns.count }, (_, i) => i);
  seed = all.find((i) => TEARDOWNS[ds.conns.teardown[i]!] === 'fin-then-rst' && ds.conns.anomalies[i]! & anomalyBit('rst-denied'))!;
  assert.ok(seed !== undefined, 'the demo has the seed pattern');
});

/** A finding with every field set, over the given connections. */
function finding(over: Partial<Finding>, conns: number[]): Finding {
  const c = ds.conns;
  return {
    name: 'x', title: 'a title', severity: 'info', count: conns.length,
    first: Math.min(...conns.map((i) => c.firstTs[i]!)), last: Math.max(...conns.map((i) => c.lastTs[i]!)),
    clients: [{ value: ds.addrs.text(c.origAddr[conns[0]!]!), count: 1 }], servers: [{ value: ds.addrs.text(c.respAddr[conns[0]!]!), count: 1 }],
    ports: [{ value: c.respPort[conns[0]!]!, count: conns.length }],
    examples: conns.slice(0, 3).map((i) => i + 1), evidence: ['one', 'two'],
    cause: 'the cause', who: 'the client team', action: 'nothing', filter: `id == ${conns[0]! + 1}`,
    ...over,
  };
}

const inputs = (findings: Finding[], extra: Partial<ReportInputs> = {}): ReportInputs => ({
  findings, summary: summarize(ds, all), timeline: (i) => timeline(ds, i), ...extra,
});

test('the model orders findings by severity then count, and draws the seed example with its denied RST', () => {
  const other = all.find((i) => i !== seed)!;
  const fs = [
    finding({ name: 'a', severity: 'info', count: 5 }, [other]),
    finding({ name: 'b', severity: 'error', count: 1 }, [other]),
    finding({ name: 'c', severity: 'info', count: 50 }, [seed]),
    finding({ name: 'd', severity: 'warn', count: 2 }, [other]),
  ];
  const m = reportModel(ds, all, inputs(fs, { filter: 'tcp.port == 443' }));
  assert.deepEqual(m.findings.map((f) => f.name), ['b', 'd', 'c', 'a']);
  assert.deepEqual(m.bySeverity, { error: 1, warn: 2, info: 55 });
  assert.equal(m.connections, ds.conns.count);
  assert.equal(m.findings[2]!.select, `(tcp.port == 443) and (id == ${seed + 1})`);
  const l = m.findings[2]!.ladder!;
  assert.equal(l.id, seed + 1);
  assert.ok(l.steps.length <= 20);
  const denied = l.steps.filter((s) => s.kind === 'packet' && s.denied);
  assert.equal(denied.length, 1, 'one denied packet: the server RST');
  assert.equal(denied[0]!.dir, 's2c');
  assert.ok(denied[0]!.rst);
  const after = l.steps[l.steps.indexOf(denied[0]!) + 1]!;
  assert.equal(after.kind, 'event');
  assert.equal(after.label, '106015');
  // the client's FIN+RST and the server's FIN are in view
  assert.ok(l.steps.some((s) => s.dir === 'c2s' && s.label === 'RA'));
  assert.ok(l.steps.some((s) => s.dir === 's2c' && s.label === 'FA'));
  // packets copied at the second capture are shown once
  const primary = ds.primaryRows(seed).length;
  assert.ok(l.steps.filter((s) => s.kind === 'packet').length <= primary);
  // times and hosts of the inputs
  assert.equal(m.captures.reduce((s, c) => s + c.packets, 0), ds.packets.count);
  assert.equal(m.logs[0]!.events, ds.fw.count);
  assert.deepEqual(m.logs[0]!.vendors, ['ASA']);
});

test('shorten keeps the handshake and the teardown, and counts what it left out', () => {
  const step = (k: number, label: string): LadderStep => ({
    kind: k % 7 === 3 ? 'event' : 'packet', ts: k, dir: k % 2 ? 's2c' : 'c2s', label, len: 0, vantage: 'v', text: `step ${k}`, detail: '', rst: false, denied: false, lost: false,
  });
  const steps = Array.from({ length: 60 }, (_, k) => step(k, k === 40 ? 'FA' : 'A'));
  const s = shorten(steps, 20);
  assert.equal(s.length, 20);
  assert.deepEqual(s.slice(0, 3).map((x) => x.ts), [0, 1, 2]);
  assert.equal(s[3]!.kind, 'gap');
  assert.equal(s[4]!.ts, 38, 'two steps before the first FIN');
  assert.equal(s[s.length - 1]!.kind, 'gap');
  const shown = s.filter((x) => x.kind !== 'gap').length;
  const left = s.filter((x) => x.kind === 'gap').reduce((a, g) => a + g.packets! + g.events!, 0);
  assert.equal(shown + left, 60);
  // a teardown near the end: the room before it is used
  const late = shorten(Array.from({ length: 30 }, (_, k) => step(k, k === 28 ? 'R' : 'A')), 20);
  assert.equal(late.length, 20);
  assert.equal(late[late.length - 1]!.ts, 29);
  assert.equal(shorten(steps.slice(0, 15), 20).length, 15);
});

test('mainClause drops the states and the likely causes the explanation appends', () => {
  const tl = timeline(ds, seed);
  const rst = tl.filter((e) => e.kind === 'packet' && e.primary && e.text.includes('RST'));
  assert.ok(rst.length >= 2);
  for (const e of rst) {
    const c = mainClause(e.text);
    assert.ok(c.length < e.text.length);
    assert.ok(e.text.startsWith(c));
    assert.doesNotMatch(c, /CLOSED|likely causes/);
  }
  assert.equal(mainClause('server sends FIN (the passive close)'), 'server sends FIN', 'a trailing group goes');
  assert.equal(mainClause('a (b (c)) d'), 'a (b (c)) d', 'a nested one stays');
});

test('markdown: findings by severity, the headline first, hostile text neutralised', () => {
  const hostile = 'a|b <i>x</i> `tick` \x1b[31mred\x07';
  const fs = [
    finding({ name: 'low', severity: 'info', title: 'harmless noise' }, [seed]),
    finding({ name: 'bad', severity: 'error', title: hostile, evidence: [hostile], who: 'the firewall team' }, [seed]),
  ];
  const md = reportMarkdown(reportModel(ds, all, inputs(fs))).join('\n');
  const lines = md.split('\n');
  const short = lines.findIndex((l) => l.startsWith('- **error**'));
  assert.ok(short > 0 && short < 6, 'the most severe finding in the first lines');
  assert.match(lines[short]!, /Who can act: the firewall team\./);
  assert.ok(md.indexOf('## 1. [error]') < md.indexOf('## 2. [info] harmless noise'));
  assert.doesNotMatch(md, /[\x07\x1b]/);
  assert.doesNotMatch(md, /<i>/);
  assert.ok(md.includes('a\\|b \\<i\\>x\\</i\\>'), 'table and markup characters escaped');
  assert.equal(mdText('<a|b>'), '\\<a\\|b\\>');
  assert.equal(mdCode('a`b|c'), "`a'b\\|c`");
  const f = mdFence(['x ``` y', 'z']);
  assert.equal(f[0], '````text');
  assert.equal(f[f.length - 1], '````');
});

test('text ladder: one line per step, arrows by direction, denied packets stop with x', () => {
  const m = reportModel(ds, all, inputs([finding({}, [seed])]));
  const l = m.findings[0]!.ladder!;
  const lines = ladderLines(l);
  assert.equal(lines.length, l.steps.length + 1);
  l.steps.forEach((s, k) => {
    const line = lines[k + 1]!;
    if (s.kind === 'packet' && !s.denied && !s.lost) assert.match(line, s.dir === 'c2s' ? /\|-+\w+-*->\|/ : /\|<-+\w+-+\|/);
    if (s.kind === 'packet' && s.denied) assert.match(line, /\| +x-+R-+\| .*DENIED/);
    if (s.kind === 'event') assert.match(line, new RegExp(`\\[${s.label}\\]`));
  });
});

test('html: well formed, hostile text escaped, one ladder per finding', () => {
  const fs = [finding({ title: '<script>alert(1)</script>', severity: 'warn' }, [seed]), finding({ title: 'ok & fine' }, [seed])];
  const html = reportHtml(reportModel(ds, all, inputs(fs)));
  checkHtml(html);
  assert.doesNotMatch(html, /<script/);
  assert.match(html, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/);
  assert.equal([...html.matchAll(/<svg class="ladder"/g)].length, 2);
  assert.match(html, /<g class="step packet rst denied">/);
  const svg = ladderSvg(reportModel(ds, all, inputs([fs[0]!])).findings[0]!.ladder!, 'k');
  checkHtml(svg);
  assert.match(svg, new RegExp(`stroke="${COLORS.deny}"`), 'the denied RST in the deny colour');
  assert.match(svg, new RegExp(`stroke="${COLORS.rst}"`), 'the client RST in the RST colour');
});

test('charts: bars per non-empty bucket with heights in proportion, findings bars by count', () => {
  assert.deepEqual(niceScale(10), { top: 10, step: 2 });
  assert.deepEqual(niceScale(73), { top: 80, step: 20 });
  assert.deepEqual(niceScale(0), { top: 1, step: 1 });
  const svg = timeChart({ start: 0, bucketSeconds: 60, rst: [0, 2, 4, 1], denies: [1, 0, 4, 0], withLogs: true });
  checkHtml(svg);
  const bars = [...svg.matchAll(/<rect class="bar (rst|deny)" x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"/g)];
  assert.deepEqual(bars.map((b) => b[1]), ['deny', 'rst', 'rst', 'deny', 'rst']);
  const h = (k: number): number => Number(bars[k]![2]);
  assert.ok(Math.abs(h(2) - 2 * h(1)) < 0.05 && Math.abs(h(2) - h(3)) < 0.05 && Math.abs(h(1) - 2 * h(4)) < 0.05);
  const noLogs = timeChart({ start: 0, bucketSeconds: 60, rst: [1, 0], denies: [5, 5], withLogs: false });
  assert.doesNotMatch(noLogs, /class="bar deny"/);
  const fc = findingsChart([{ label: 'big', count: 40, severity: 'info' }, { label: 'small', count: 10, severity: 'error' }]);
  checkHtml(fc);
  const w = [...fc.matchAll(/<rect class="bar finding sev-(\w+)" x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)];
  assert.deepEqual(w.map((m) => m[1]), ['info', 'error']);
  assert.ok(Math.abs(Number(w[0]![2]) - 4 * Number(w[1]![2])) < 0.05);
});
