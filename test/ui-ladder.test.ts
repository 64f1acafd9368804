/**
 * The timeline's one-line layout (view/ladder-compact.ts) and the wrapping of its pane: pure
 * functions, on the demo's seed connection (the client's FIN+RST, the server's RST denied by the
 * ASA) and small captures of one behaviour each.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from './helpers.js';
import { loadDataset, type Dataset } from '../src/flows/dataset.js';
import { FIN, RST, anomalyBit } from '../src/model.js';
import { buildTimeline, type Timeline } from '../src/ui/view/ladder.js';
import {
  LADDER_MIN, OPEN_CONTEXT, compactLine, compactSizes, fitPane, openNav, paneLines, refitNav, teardownRow,
} from '../src/ui/view/ladder-compact.js';
import { wrap } from '../src/ui/view/text.js';
import { makeTheme } from '../src/ui/theme.js';

const g = makeTheme({ env: {}, ascii: true }).g;
const DEMO = ['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'].map(fixture);
const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** The first demo connection of the seed's pattern: late RST denied by the firewall. */
export function seedConn(ds: Dataset): number {
  const want = anomalyBit('late-rst') | anomalyBit('rst-denied');
  const i = [...Array(ds.conns.count).keys()].find((k) => (ds.conns.anomalies[k]! & want) === want);
  assert.ok(i !== undefined, 'the demo has a seed connection');
  return i;
}

/** Row indices of the seed's teardown, found from the packets' flags and directions. */
function seedRows(t: Timeline): { serverFin: number; clientFin: number; clientRst: number; serverRst: number; deny: number } {
  const pk = (pred: (r: Timeline['rows'][number]) => boolean): number => t.rows.findIndex((r) => r.kind === 'packet' && pred(r));
  const out = {
    serverFin: pk((r) => r.fromResp && (r.flags & FIN) !== 0),
    clientFin: pk((r) => !r.fromResp && (r.flags & FIN) !== 0),
    clientRst: pk((r) => !r.fromResp && (r.flags & RST) !== 0),
    serverRst: pk((r) => r.fromResp && (r.flags & RST) !== 0),
    deny: t.rows.findIndex((r) => r.kind === 'fw' && /106015/.test(r.label)),
  };
  for (const [k, v] of Object.entries(out)) assert.ok(v >= 0, `the seed connection has its ${k}`);
  return out;
}

test('wrap: lines within the width, every word kept in order, long words split, spacing inside a line kept', () => {
  const text = 'server answers client\'s FIN with RST: it no longer has this connection (FIN-WAIT-2) ' + 'x'.repeat(50);
  for (const w of [10, 17, 40, 80]) {
    const lines = wrap(text, w, '  ');
    for (const l of lines) assert.ok([...l].length <= w, `${JSON.stringify(l)} fits ${w}`);
    assert.ok(!lines.some((l) => l.endsWith('~')), 'nothing is cut off with ~');
    // every character comes back, in order, once the breaks and the indent are taken out
    assert.equal(lines.map((l, k) => (k ? l.slice(2) : l)).join('').replace(/ /g, ''), text.replace(/ /g, ''));
    // and a word that fits a line is never split
    for (const word of text.split(' ').filter((x) => x.length <= w - 2)) {
      assert.ok(lines.some((l) => l.split(' ').includes(word)), `${JSON.stringify(word)} whole at ${w}`);
    }
    for (const l of lines.slice(1)) assert.ok(l.startsWith('  '), 'continuation lines are indented');
  }
  assert.deepEqual(wrap('flags RST  on interface INSIDE', 40), ['flags RST  on interface INSIDE']);
  assert.deepEqual(wrap('', 10), ['']);
});

test('one line a row: each row is exactly the width, the arrow points the way the packet went', async () => {
  const ds = await loadDataset(DEMO);
  const t = buildTimeline(ds, seedConn(ds));
  const s = seedRows(t);
  for (const w of [80, 120, 200]) {
    for (let r = 0; r < t.rows.length; r++) assert.equal(compactLine(t, r, w, g, true).length, w);
  }
  const line = (r: number): string => compactLine(t, r, 80, g, true);
  assert.match(line(s.clientFin), /\|-+ FA -*>\|/, 'client -> server');
  assert.match(line(s.serverFin), /\|<-+ FA -*\|/, 'server -> client');
  assert.match(line(s.serverRst), /\|<-+ R DENIED -*\|/, 'the denied RST says so on its arrow');
  assert.match(line(s.deny), /^ ! fw .*106015.*DENIED RST/, 'the firewall row names its message and what it did');
  // the row's few words are the explanation's first clause, without the subject the arrow gives
  assert.match(line(s.clientRst), /\| sends RST 0 us after its own FIN *$/);
});

test('the timeline opens at the teardown: its first row selected, what follows in view', async () => {
  const ds = await loadDataset(DEMO);
  const t = buildTimeline(ds, seedConn(ds));
  const s = seedRows(t);
  // the client's FIN comes before its RST: the last FIN is where the teardown starts
  assert.equal(teardownRow(t), Math.min(s.clientFin, s.clientRst));
  assert.ok(s.serverFin < s.clientFin && s.clientRst < s.serverRst && s.serverRst < s.deny, 'the seed\'s order');
  // a short ladder: the teardown's row a line or two from the top, the deny still in view
  const h = s.deny - s.serverFin + 1;
  assert.ok(h >= LADDER_MIN - 1);
  const nav = openNav(t, h);
  assert.equal(nav.cursor, teardownRow(t));
  assert.equal(nav.offset, teardownRow(t) - OPEN_CONTEXT);
  for (const r of Object.values(s)) assert.ok(r >= nav.offset && r < nav.offset + h, `row ${r} in [${nav.offset}, ${nav.offset + h})`);
  // a tall one shows the end with as much before it as fits, never empty rows after the end
  const tall = openNav(t, t.rows.length - 3);
  assert.equal(tall.offset, 3);
  assert.equal(tall.cursor, teardownRow(t));
});

test('where a timeline opens on other endings: a graceful close at the last FIN, a refused one at its RST', async () => {
  for (const [file, want] of [['tcp/clean-close-client.pcap', FIN], ['tcp/rejected.pcap', RST]] as const) {
    const ds = await loadDataset([fixture(file)]);
    const t = buildTimeline(ds, 0);
    const r = teardownRow(t);
    assert.ok((t.rows[r]!.flags & want) !== 0, file);
    assert.ok(!t.rows.slice(r + 1).some((x) => x.flags & FIN) || want === RST, `${file}: no FIN after it`);
    assert.ok(!t.rows.slice(0, r).some((x) => x.flags & RST), `${file}: no RST before it`);
  }
  // no FIN, no RST: the first anomaly, as before
  const ds = await loadDataset([fixture('tcp/unanswered.pcap')]);
  const t = buildTimeline(ds, 0);
  const a = t.rows.findIndex((x) => x.anomaly);
  assert.equal(teardownRow(t), Math.max(0, a));
});

test('the pane: the selected row in full (explanation, states, causes, evidence), wrapped, never cut', async () => {
  const ds = await loadDataset(DEMO);
  const t = buildTimeline(ds, seedConn(ds));
  const s = seedRows(t);
  const row = t.rows[s.serverRst]!;
  for (const w of [60, 80, 200]) {
    const lines = paneLines(t, s.serverRst, w, false);
    for (const l of lines) assert.ok([...l].length <= w, `fits ${w}: ${l}`);
    const all = squash(lines.join(' '));
    assert.ok(all.includes(squash(row.prefix! + row.parts!.say)), 'the whole explanation');
    assert.match(all, /DENIED by the firewall \(106015\)/);
    assert.ok(all.includes(squash(row.parts!.states)), 'both sides\' states');
    assert.ok(all.includes(squash(row.parts!.causes)), 'the likely causes');
    assert.match(all, /evidence of: .*rst-denied/);
    assert.ok(!lines.some((l) => l.endsWith('~')));
  }
  // at 80x24 the seed's longest explanation fits the pane beside a ladder of the whole teardown
  const need = paneLines(t, s.serverRst, 80, false).length;
  const { ladder, pane } = compactSizes(24 - 5, need);
  assert.equal(pane, need);
  assert.ok(ladder >= s.deny - s.serverFin + 1, `ladder ${ladder} rows`);
  // a firewall row: what it did, where the line is, and the log line itself
  const deny = paneLines(t, s.deny, 80, false).join(' ');
  assert.match(deny, /106015 DENIED RST \(no connection\), asa\.log:\d+/);
  assert.match(squash(deny), /Deny TCP \(no connection\) from \S+ to \S+ flags RST/);
});

test('the pane of a firewall row shows its log line with control characters stripped', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-pane-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'asa.log');
  writeFileSync(log, [
    'Jun 20 2018 10:00:00 fw : %ASA-6-302013: Built inbound TCP connection 1 for outside:198.51.100.1/40001 (198.51.100.1/40001) to inside:10.0.0.1/443 (203.0.113.1/443)',
    'Jun 20 2018 10:00:05 fw : %ASA-6-302014: Teardown TCP connection 1 for outside:198.51.100.1/40001 to inside:10.0.0.1/443 duration 0:00:05 bytes 100 TCP FINs \u001b[2J\u0007',
  ].join('\n') + '\n');
  const ds = await loadDataset([log]);
  const tl = buildTimeline(ds, 0);
  const r = tl.rows.findIndex((x) => x.kind === 'fw' && /teardown/.test(x.label));
  assert.ok(r >= 0);
  const text = paneLines(tl, r, 80, false).join('\n');
  assert.match(squash(text), /Teardown TCP connection 1 .* TCP FINs/);
  assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
});

test('pane and ladder share the screen: the pane as tall as its text, the ladder never under 2/5', () => {
  for (const body of [10, 19, 45]) {
    for (const need of [0, 1, 3, 6, 10, 40]) {
      const { ladder, pane } = compactSizes(body, need);
      assert.equal(ladder + pane, body, `body ${body} need ${need}`);
      assert.ok(ladder >= Math.min(body - 3, Math.max(LADDER_MIN, Math.ceil(body * 0.4))), `ladder ${ladder} of ${body}`);
      assert.ok(pane >= Math.min(need, 3), 'short texts get their lines');
    }
  }
  // what does not fit is counted, on the last line
  const lines = ['a', 'b', 'c', 'd', 'e'];
  assert.deepEqual(fitPane(lines, 5), lines);
  const cut = fitPane(lines, 3);
  assert.equal(cut.length, 3);
  assert.deepEqual(cut.slice(0, 2), ['a', 'b']);
  assert.match(cut[2]!, /^\(3 more lines/);
});

test('a window that showed the end keeps showing it when the pane grows', () => {
  // 24 rows, 15 shown from row 9 (the end in view), the cursor on row 20; the pane takes 6 more lines
  assert.deepEqual(refitNav({ cursor: 20, offset: 9 }, 24, 9, 15), { cursor: 20, offset: 15 });
  // not at the end: the top stays
  assert.deepEqual(refitNav({ cursor: 5, offset: 0 }, 24, 9, 15), { cursor: 5, offset: 0 });
  // at the end, but the cursor would leave the window: the cursor wins
  assert.deepEqual(refitNav({ cursor: 10, offset: 9 }, 24, 9, 15), { cursor: 10, offset: 9 });
});
