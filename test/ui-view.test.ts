/** The UI's pure parts: key tokens, navigation, columns, sorting, filter editing, ladder, hex dump. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from './helpers.js';
import { loadDataset } from '../src/flows/dataset.js';
import { RST, anomalyBit } from '../src/model.js';
import { actionFor, helpRows, KEYS, tokens, type InkKey } from '../src/ui/keys.js';
import { clampNav, moveNav } from '../src/ui/view/nav.js';
import { layoutColumns, sortIndices, anomalyCodes, anyLoss, cellText } from '../src/ui/view/list.js';
import { composeClause, editLine, mayBeFuzzy, knownWords, quickItems } from '../src/ui/view/filter-edit.js';
import { hexDump } from '../src/ui/view/hexdump.js';
import { shortNum } from '../src/ui/view/text.js';
import { flowRecord } from '../src/export/records.js';
import { sparkline } from '../src/ui/view/sparkline.js';
import { buildTimeline, nextAnomaly, ladderLine } from '../src/ui/view/ladder.js';
import { makeTheme } from '../src/ui/theme.js';
import { defaultInputs } from '../src/ui/launch.js';

const NOKEY: InkKey = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, return: false, escape: false, ctrl: false, tab: false, backspace: false, delete: false };

test('a burst of typed keys becomes one token per key, control characters named', () => {
  assert.deepEqual(tokens('jjk', NOKEY), ['j', 'j', 'k']);
  assert.deepEqual(tokens('late\r', NOKEY), ['l', 'a', 't', 'e', 'enter']);
  assert.deepEqual(tokens('a \x7f\x04', NOKEY), ['a', 'space', 'backspace', 'ctrl-d']);
  assert.deepEqual(tokens('', { ...NOKEY, escape: true }), ['escape']);
  assert.deepEqual(tokens('d', { ...NOKEY, ctrl: true }), ['ctrl-d']);
  assert.deepEqual(tokens('', { ...NOKEY, pageDown: true }), ['pagedown']);
  // a C1 control byte is never a key
  assert.deepEqual(tokens('\u009bj', NOKEY), ['j']);
});

test('the key table drives dispatch and help alike', () => {
  assert.equal(actionFor('list', 'j'), 'down');
  assert.equal(actionFor('list', 'G'), 'bottom');
  assert.equal(actionFor('timeline', 'n'), 'nextAnomaly');
  assert.equal(actionFor('list', 'n'), undefined);
  assert.equal(actionFor('filter', 'q'), undefined, 'q types into the filter, it does not quit');
  const help = helpRows();
  for (const b of KEYS) assert.ok(help.some((h) => h.help === b.help), `help lists ${b.action}`);
  for (const k of ['j', 'k', 'g', 'G', '/', 's', 'S', 'space', 'e', 't', 'n', 'N', '?', 'q', 'ctrl-d', 'ctrl-u', 'pagedown', 'pageup', 'enter', 'escape', 'backspace']) {
    assert.ok(KEYS.some((b) => b.keys.includes(k)), `key ${k} is bound`);
  }
});

test('navigation clamps the cursor and keeps it in the window', () => {
  let n = { cursor: 0, offset: 0 };
  n = moveNav(n, 'up', 100, 10);
  assert.deepEqual(n, { cursor: 0, offset: 0 });
  n = moveNav(n, 'bottom', 100, 10);
  assert.deepEqual(n, { cursor: 99, offset: 90 });
  n = moveNav(n, 'pageUp', 100, 10);
  assert.equal(n.cursor, 89);
  // resize to a taller window, then a filter that leaves 5 rows
  assert.deepEqual(clampNav({ cursor: 99, offset: 90 }, 5, 20), { cursor: 4, offset: 0 });
  // Ctrl-d scrolls the window with the cursor, as less does
  assert.deepEqual(moveNav({ cursor: 0, offset: 0 }, 'halfDown', 100, 10), { cursor: 5, offset: 5 });
});

test('columns fit the width: 80 columns keep the essentials, wide terminals show all', () => {
  const narrow = layoutColumns(80, { fw: true, vantage: true }).map((c) => c.id);
  for (const c of ['id', 'conn', 'teardown', 'anomalies', 'fw']) assert.ok(narrow.includes(c as never), `${c} at 80 columns`);
  const w = layoutColumns(80, { fw: true, vantage: true }).reduce((s, c) => s + c.width + 1, 1);
  assert.ok(w <= 80, `row width ${w}`);
  const wide = layoutColumns(200, { fw: true, vantage: true }).map((c) => c.id);
  assert.equal(wide.length, 11);
  // the lost column only where some connection lost data; it fits 80 columns without a log
  assert.ok(!wide.includes('lost' as never));
  assert.ok(layoutColumns(200, { fw: true, vantage: true, lost: true }).some((c) => c.id === 'lost'));
  const lost80 = layoutColumns(80, { fw: false, vantage: false, lost: true });
  assert.ok(lost80.some((c) => c.id === 'lost'), 'lost at 80 columns');
  assert.ok(lost80.reduce((s, c) => s + c.width + 1, 1) <= 80);
});

test('the lost column: unacknowledged bytes, `yes` for data after the RST alone, blank for none; sorted by it', async () => {
  const ds = await loadDataset(['tcp/abort-in-flight.pcap', 'tcp/abort-in-flight-client-side.pcap', 'tcp/data-to-closed.pcap', 'tcp/clean-close-client.pcap'].map(fixture));
  assert.equal(anyLoss(ds), true);
  assert.equal(anyLoss(await loadDataset([fixture('tcp/clean-close-client.pcap')])), false);
  const col = layoutColumns(200, { fw: false, vantage: false, lost: true }).find((c) => c.id === 'lost')!;
  const cells = Array.from({ length: ds.conns.count }, (_, i) => cellText(ds, i, col).trim());
  for (let i = 0; i < ds.conns.count; i++) {
    const r = flowRecord(ds, i);
    const sum = (r.unacked_orig ?? 0) + (r.unacked_resp ?? 0);
    if (sum > 0) assert.equal(cells[i], shortNum(sum), `conn ${i + 1}`);
    else assert.equal(cells[i], r.data_lost ? 'yes' : '', `conn ${i + 1}`);
  }
  assert.ok(cells.includes('yes') && cells.includes(''), cells.join('|'));
  const all = Uint32Array.from({ length: ds.conns.count }, (_, i) => i);
  const top = sortIndices(ds, all, 'lost', true)[0]!;
  const most = Math.max(...[...all].map((i) => (ds.conns.unackedOrig[i] || 0) + (ds.conns.unackedResp[i] || 0)));
  assert.equal((ds.conns.unackedOrig[top] || 0) + (ds.conns.unackedResp[top] || 0), most);
});

test('sorting orders an index array by the column, and reverses', async () => {
  const ds = await loadDataset([fixture('tcp/clean-close-client.pcap'), fixture('tcp/retransmission.pcap'), fixture('tcp/rejected.pcap')]);
  const all = Uint32Array.from({ length: ds.conns.count }, (_, i) => i);
  const pk = (i: number): number => ds.conns.origPkts[i]! + ds.conns.respPkts[i]!;
  const up = sortIndices(ds, all, 'packets', false);
  for (let k = 1; k < up.length; k++) assert.ok(pk(up[k - 1]!) <= pk(up[k]!));
  const down = sortIndices(ds, all, 'packets', true);
  assert.equal(pk(down[0]!), Math.max(...[...all].map(pk)));
  assert.deepEqual([...sortIndices(ds, all, 'id', true)], [...all].reverse());
});

test('sorting by client orders the addresses themselves, not the order they were read in', async () => {
  const ds = await loadDataset([fixture('demo/inside.pcap'), fixture('demo/outside.pcap'), fixture('demo/asa.log'), fixture('logs/seed-asa.log')], { year: 2018 });
  const all = Uint32Array.from({ length: ds.conns.count }, (_, i) => i);
  const key = (i: number): number[] => [...ds.addrs.bytes(ds.conns.origAddr[i]!)].concat(ds.conns.origPort[i]!);
  const up = sortIndices(ds, all, 'orig', false);
  // (IPv4 only here: every address compared whole)
  for (let k = 1; k < up.length; k++) {
    const a = key(up[k - 1]!), b = key(up[k]!);
    const d = a.findIndex((x, j) => x !== b[j]);
    assert.ok(d < 0 || a[d]! < b[d]!, `${a} before ${b}`);
  }
  const ids = new Set([...up].map((i) => ds.conns.origAddr[i]!));
  assert.ok(ids.size > 2, `${ids.size} clients`);
});

test('sorting by client: IPv6 addresses by the whole address, after IPv4, whatever order they came in', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rsttui-sort6-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'asa.log');
  // clients alike in their first 32 bits (2001:db8), in no order, and an IPv4 one last
  const clients = ['2001:db8::30', '2001:db8:0:1::1', '2001:db8::20', '2001:db8::30', '10.9.9.9'];
  writeFileSync(log, clients.map((a, k) => {
    const server = a.includes(':') ? '2001:db8:2::80' : '192.0.2.80';
    return `<166>Apr 15 2014 09:34:${String(10 + k).padStart(2, '0')} fw01 : %ASA-6-302013: Built inbound TCP connection ${100 + k} for outside:${a}/${41000 - k} (${a}/${41000 - k}) to dmz:${server}/443 (${server}/443)`;
  }).join('\n') + '\n');
  const ds = await loadDataset([log], { year: 2014 });
  const all = Uint32Array.from({ length: ds.conns.count }, (_, i) => i);
  const order = [...sortIndices(ds, all, 'orig', false)].map((i) => `${ds.addrs.text(ds.conns.origAddr[i]!)}/${ds.conns.origPort[i]}`);
  assert.deepEqual(order, ['10.9.9.9/40996', '2001:db8::20/40998', '2001:db8::30/40997', '2001:db8::30/41000', '2001:db8:0:1::1/40999']);
  const down = [...sortIndices(ds, all, 'orig', true)].map((i) => ds.addrs.text(ds.conns.origAddr[i]!));
  assert.equal(down[0], '2001:db8:0:1::1');
});

test('filter editing, quick-filter composition, and the fuzzy debounce test', () => {
  let s = { text: '', pos: 0 };
  for (const t of ['l', 'a', 't', 'e', 'backspace', 'e']) s = editLine(s, t)!;
  assert.equal(s.text, 'late');
  assert.equal(editLine(s, 'enter'), undefined);
  assert.equal(composeClause('', 'anomaly == late-rst'), 'anomaly == late-rst');
  assert.equal(composeClause('tcp.port == 443', 'tcp.flags.reset'), 'tcp.port == 443 and tcp.flags.reset');
  assert.equal(composeClause('a or b', 'tls'), '(a or b) and tls');
  assert.ok(quickItems().some((q) => q.clause === 'anomaly == late-rst'));
  assert.ok(quickItems().some((q) => q.clause === 'tcp.flags.reset'));
  assert.ok(quickItems().some((q) => q.clause === 'data_lost' && /data lost/.test(q.label)));
  assert.ok(quickItems().every((q) => q.key !== ''), 'every item has its key');
  const known = knownWords();
  assert.equal(mayBeFuzzy('anomaly == late-rst and tcp.flags.reset', known), false);
  assert.equal(mayBeFuzzy('late-rst', known), false, 'an enum value alone is exact, not fuzzy');
  assert.equal(mayBeFuzzy('ip.addr == 10.0.0.1', known), false);
  assert.equal(mayBeFuzzy('webserver', known), true);
});

test('hex dump shows every non-printable byte as a dot', () => {
  const bytes = Uint8Array.from([0x1b, 0x5b, 0x32, 0x4a, 0x07, 0x41, 0x00, 0x7f, 0x9b, 0x7e, 0x20]);
  const [line] = hexDump(bytes);
  assert.ok(line!.startsWith('0000  1b 5b 32 4a 07 41 00 7f  9b 7e 20'));
  assert.ok(line!.endsWith(' .[2J.A...~ '), line);
  assert.ok(!/[\x00-\x1f\x7f-\x9f]/.test(line!));
});

test('sparkline scales to the largest bucket', () => {
  const g = makeTheme({ env: {}, ascii: true }).g.spark;
  assert.equal(sparkline([0, 1, 8], g), ' .#'.replace('.', g[1]!));
  assert.equal(sparkline([0, 0], g), '  ');
});

test('the ladder of a FIN-then-RST connection: arrows by direction, n/N stop at the RST', async () => {
  const ds = await loadDataset([fixture('tcp/fin-then-rst-late.pcap')]);
  const i = [...Array(ds.conns.count).keys()].find((k) => ds.conns.anomalies[k]! & anomalyBit('late-rst'))!;
  assert.notEqual(i, undefined);
  const t = buildTimeline(ds, i);
  const p = ds.connPackets(i);
  assert.equal(t.rows.filter((r) => r.kind === 'packet').length, p.n);
  const rst = t.rows.findIndex((r) => r.kind === 'packet' && (p.flags[r.k]! & RST) !== 0);
  assert.ok(t.rows[rst]!.anomaly, 'the RST row is an anomaly row');
  assert.equal(nextAnomaly(t, -1, 1) <= rst, true);
  const g = makeTheme({ env: {}, ascii: true }).g;
  const line = ladderLine(t, rst, 80, g, true);
  assert.equal(line.length, 80);
  assert.match(line, /R/);
  const first = ladderLine(t, 0, 80, g, true);
  assert.match(first, /\|--.*>\|/, 'the first packet goes client -> server');
  assert.equal(anomalyCodes(anomalyBit('late-rst') | anomalyBit('rst-after-fin')), 'RF LR');
});

test('with no FILE the UI opens the bundled demo: both captures and the log', () => {
  const { files, note } = defaultInputs();
  assert.equal(note, 'demo');
  assert.deepEqual(files.map((f) => f.split('/').slice(-2).join('/')), ['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log']);
});

test('the progress bar says when the load is analysing connections, not reading bytes', async () => {
  const { progressText } = await import('../src/ui/components/ProgressBar.js');
  const line = progressText({ phase: 'analysing', file: '', fileIndex: 0, files: 1, bytesRead: 500, totalBytes: 1000, packets: 4000, conns: 1000 }, 1000, 80, '#', '.');
  assert.match(line, /^analysing \[#+\.+\] 500\/1000 conns/);
  assert.equal(line.length, 80);
  // matching a log's events into connections: the bar counts events
  const m = progressText({ phase: 'matching', file: '', fileIndex: 0, files: 1, bytesRead: 2_500_000, totalBytes: 10_000_000, packets: 0, conns: 0, events: 10_000_000 }, 1000, 80, '#', '.');
  assert.match(m, /^matching firewall events \[(#+)(\.+)\] 2\.5M\/10M events/);
  const [, full, empty] = /\[(#+)(\.+)\]/.exec(m)!;
  assert.equal(Math.round((full!.length / (full!.length + empty!.length)) * 4), 1, 'a quarter full');
  assert.equal(m.length, 80);
});

test('fit pads or cuts to w cells by code point, ASCII or not', async () => {
  const { fit } = await import('../src/ui/view/text.js');
  assert.equal(fit('abc', 5), 'abc  ');
  assert.equal(fit('abcdef', 4), 'abc~');
  assert.equal(fit('abc', 3), 'abc');
  assert.equal(fit('abc', 1), 'a');
  assert.equal(fit('abc', 0), '');
  assert.equal(fit('534 µs', 6), '534 µs', 'µ is one code point');
  // astral code points (two UTF-16 units each) count once
  assert.equal(fit('a😀b', 4), 'a😀b ');
  assert.equal(fit('😀😀😀😀', 3), '😀😀~');
  assert.equal(fit('😀x', 1), '😀');
});

test('findings view: a row per finding fits the width and says its severity in a word; the pane wraps without cutting', async () => {
  const { findingRow, findingDetail, wrapLabelled, needsLook, SEVERITY_WORD } = await import('../src/ui/view/findings.js');
  const { computeFindings } = await import('../src/analysis/findings.js');
  const ds = await loadDataset(['tcp/rejected.pcap', 'tcp/fin-then-rst-late.pcap'].map(fixture));
  const f = computeFindings(ds, [0, 1]);
  assert.ok(needsLook(f), 'a rejected connection is a warn');
  assert.ok(!needsLook(f.filter((x) => x.severity === 'info')));
  for (const x of f) {
    for (const w of [40, 80, 120]) {
      const row = findingRow(x, w, '>');
      assert.equal([...row].length, w);
      assert.ok(row.startsWith(`> ${SEVERITY_WORD[x.severity]}`));
    }
    // every word of the cause reaches the pane, whatever the width
    for (const w of [30, 80]) {
      const pane = findingDetail(x, w);
      assert.ok(pane.every((l) => [...l].length === w));
      const text = pane.join(' ').replace(/\s+/g, ' ');
      for (const word of x.cause.split(/\s+/)) assert.ok(text.includes(word.slice(0, w - 10)), `${word} at width ${w}`);
    }
  }
  // a word longer than the line is cut into pieces, not lost
  const long = wrapLabelled('x: ', 'a'.repeat(50) + ' end', 20);
  assert.equal(long.join('').replace(/[ x:]/g, ''), 'a'.repeat(50) + 'end');
  // F opens the findings from the list and is bound nowhere else there
  assert.equal(actionFor('list', 'F'), 'findings');
  assert.equal(KEYS.filter((b) => b.on.includes('list') && b.keys.includes('F')).length, 1);
  assert.ok(helpRows().some((r) => r.screen === 'findings' && r.help.includes('filter the list')));
});
