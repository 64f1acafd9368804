/**
 * The screens, rendered with ink-testing-library: keys written to stdin, frames read back.
 * FORCE_COLOR is set before Ink loads so that the NO_COLOR test can see color when it is on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture } from './helpers.js';

process.env.FORCE_COLOR = '1';
const { render } = await import('ink-testing-library');
const { App } = await import('../src/ui/App.js');
const { Timeline } = await import('../src/ui/screens/Timeline.js');
const { PacketDetail } = await import('../src/ui/screens/PacketDetail.js');
const { makeTheme } = await import('../src/ui/theme.js');
const { loadDataset } = await import('../src/flows/dataset.js');
const { readRecord } = await import('../src/ui/hooks/use-packet-bytes.js');
const { anomalyBit, FIN, RST } = await import('../src/model.js');
const { nextAnomaly, buildTimeline } = await import('../src/ui/view/ladder.js');

const FILES = ['tcp/clean-close-client.pcap', 'tcp/fin-then-rst-late.pcap', 'tcp/fin-then-rst.pcap', 'tcp/rejected.pcap', 'tcp/abort-client.pcap', 'tcp/retransmission.pcap'].map(fixture);
const ds = await loadDataset(FILES);
const load = async () => ds;
const plain = makeTheme({ env: { NO_COLOR: '1' } });
const color = makeTheme({ env: {} });
const ANSI_STYLE = /\x1b\[(?:3[0-7]|9[0-7]|4[0-7]|7)m/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(f: () => boolean, what: string, ms = 3000, last?: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? ':\n' + last() : ''}`);
    await sleep(10);
  }
}
/** the id on the row the `>` marker is on */
function selectedId(frame: string): number {
  const row = frame.split('\n').find((l) => l.startsWith('>'));
  assert.ok(row, 'a row carries the > marker:\n' + frame);
  return Number(/^>.\s*(\d+)/.exec(row)![1]);
}

async function app(theme = plain, width = 100, height = 20, extra: Record<string, unknown> = {}) {
  const r = render(<App load={load} theme={theme} width={width} height={height} onQuit={() => {}} {...extra} />);
  // these inputs have warn findings (a rejected connection): the findings come first, Esc leaves them
  await until(() => /findings of \d+ connections/.test(r.lastFrame() ?? ''), 'the findings', 3000, () => r.lastFrame() ?? '');
  r.stdin.write('\x1b');
  await until(() => (r.lastFrame() ?? '').includes(`${ds.conns.count}/${ds.conns.count} shown`), 'the list', 3000, () => r.lastFrame() ?? '');
  const frame = () => r.lastFrame() ?? '';
  const type = async (s: string, ms = 60) => {
    r.stdin.write(s);
    await sleep(ms);
  };
  /** write keys, then wait (under load, a while) until the frame shows their effect */
  const press = async (s: string, ok: (f: string) => boolean, what: string) => {
    r.stdin.write(s);
    await until(() => { try { return ok(frame()); } catch { return false; } }, what, 5000, frame);
  };
  return { ...r, type, press, frame };
}

test('list: j/k, G/g move the > marker; a burst of keys moves once per key', async () => {
  const a = await app();
  assert.equal(selectedId(a.frame()), 1);
  await a.press('j', (f) => selectedId(f) === 2, 'j moves down');
  await a.press('G', (f) => selectedId(f) === ds.conns.count, 'G to the last row');
  await a.press('g', (f) => selectedId(f) === 1, 'g to the first row');
  // one string, as Ink hands over a fast run of keys: three moves, not one
  await a.press('jjj', (f) => selectedId(f) === 4, 'jjj moves three rows');
  await sleep(100);
  assert.equal(selectedId(a.frame()), 4, 'and no further');
  await a.press('k', (f) => selectedId(f) === 3, 'k moves up');
  a.unmount();
});

test('list: s sorts by the next column, S reverses; space marks the row', async () => {
  const a = await app();
  await a.press('s', (f) => /sort duration/.test(f), 's: sort by duration'); // id -> duration
  const dur = (i: number) => ds.conns.lastTs[i]! - ds.conns.firstTs[i]!;
  const ids = [...Array(ds.conns.count).keys()];
  const shortest = ids.reduce((b, i) => (dur(i) < dur(b) ? i : b), 0);
  assert.equal(selectedId(a.frame()), shortest + 1);
  await a.press('S', (f) => /sort duration↓/.test(f), 'S reverses');
  const longest = ids.reduce((b, i) => (dur(i) > dur(b) ? i : b), 0);
  assert.equal(selectedId(a.frame()), longest + 1);
  await a.press(' ', (f) => /1 marked/.test(f), 'space marks');
  const marked = a.frame().split('\n').find((l) => l.startsWith(' *'));
  assert.ok(marked && Number(/^ \*\s*(\d+)/.exec(marked)![1]) === longest + 1, 'the marked row shows *');
  a.unmount();
});

test('filter: narrows as you type; a bad expression shows the reason and keeps the last good filter', async () => {
  const late = [...Array(ds.conns.count).keys()].filter((i) => ds.conns.anomalies[i]! & anomalyBit('late-rst')).length;
  assert.ok(late > 0 && late < ds.conns.count);
  const a = await app(color);
  await a.press('/late-rst', (f) => f.includes(`${late}/${ds.conns.count} shown`), 'the list narrows as the filter is typed');
  await a.press('\r', (f) => /filter: late-rst/.test(f), 'Enter applies');
  await a.press('/ and ==', (f) => f.includes('error:'), 'a bad expression');
  const f = a.frame();
  const errLine = f.split('\n').find((l) => l.includes('error:'));
  assert.ok(errLine, 'the reason is shown:\n' + f);
  assert.match(errLine, /✗/, 'a text marker, not color alone');
  assert.match(errLine, /\x1b\[31m/, 'in red');
  assert.match(f, new RegExp(`${late}/${ds.conns.count} shown`), 'the last good filter stays applied');
  // Escape closes the bar; Escape again clears the filter
  await a.press('\x1b', (f) => f.includes('filter: late-rst'), 'Esc closes the bar');
  await a.press('\x1b', (f) => f.includes(`${ds.conns.count}/${ds.conns.count} shown`), 'Esc again clears the filter');
  a.unmount();
});

test('filter: successive filters each list exactly their rows (the result arrays are recycled)', async () => {
  const { filterIndices } = await import('../src/filter/index.js');
  const { datasetTarget } = await import('../src/flows/filter-target.js');
  const t = datasetTarget(ds);
  const exprs = ['late-rst', 'teardown == graceful', 'not late-rst', 'tcp.flags.reset', 'late-rst'];
  const a = await app(plain, 100, 30);
  const ids = (f: string): number[] => f.split('\n').map((l) => /^[> ][ *]\s*(\d+) /.exec(l)).filter((m) => m !== null).map((m) => Number(m![1]));
  let seen = 0;
  for (const e of exprs) {
    const want = Array.from(filterIndices(e, t) as Uint32Array, (i) => i + 1);
    assert.ok(want.length > 0 && want.length < ds.conns.count && want.length <= 20, `${e}: ${want.length} rows`);
    await a.press('/\x15' + e + '\r', (f) => f.includes(`filter: ${e}`) && f.includes(`${want.length}/${ds.conns.count} shown`), e);
    assert.deepEqual(ids(a.frame()), want, `${e}: the rows listed`);
    seen++;
  }
  assert.equal(seen, exprs.length);
  a.unmount();
});

test('Lines: a window at any offset shows exactly its rows, the selected one laid over its own', async () => {
  const { Lines, BLOCK } = await import('../src/ui/components/Lines.js');
  const rowText = (k: number) => `  row ${k}`.padEnd(20, '.');
  for (const [count, first, height, sel] of [[100, 13, 10, 15], [100, 0, 10, 0], [100, 16, 8, 23], [20, 15, 10, 19], [3, 0, 6, 1]] as const) {
    const r = render(<Lines rowText={rowText} count={count} first={first} height={height} width={24} selected={{ row: sel, text: `> row ${sel}`, inverse: false }} />);
    const got = (r.lastFrame() ?? '').split('\n');
    const want = Array.from({ length: height }, (_, j) => first + j).map((k) => (k >= count ? '' : k === sel ? `> row ${k}` : rowText(k)).trimEnd());
    assert.deepEqual(got.map((l) => l.trimEnd()), want.slice(0, got.length), `count ${count}, first ${first} (block of ${BLOCK}), selected ${sel}`);
    assert.equal(got.length <= height, true);
    r.unmount();
  }
});

test('quick filter menu composes the clause into the bar', async () => {
  const a = await app();
  await a.press('f', (f) => /anomaly == late-rst/.test(f), 'the menu');
  await a.press('2', (f) => /\/ anomaly == late-rst/.test(f), 'item 2 (late-rst) in the bar'); // second item
  a.unmount();
});

test('timeline: opens at the teardown (the first RST or the last FIN); n/N move between anomaly rows', async () => {
  const i = [...Array(ds.conns.count).keys()].find((k) => ds.conns.anomalies[k]! & anomalyBit('late-rst'))!;
  const t = buildTimeline(ds, i);
  const first = nextAnomaly(t, -1, 1);
  // (pcap only: no firewall rows, so row r is packet r + 1)
  const p = ds.connPackets(i);
  const fl = [...p.flags.subarray(0, p.n)];
  const lastFin = fl.findLastIndex((f) => (f & FIN) !== 0);
  const firstRst = fl.findIndex((f) => (f & RST) !== 0);
  assert.ok(lastFin >= 0 && firstRst >= 0);
  const teardown = Math.min(lastFin, firstRst);
  const r = render(<Timeline ds={ds} conn={i} width={100} height={30} theme={plain} onOpenPacket={() => {}} onBack={() => {}} onHelp={() => {}} onQuit={() => {}} />);
  await until(() => (r.lastFrame() ?? '').includes('conn_state'), 'the timeline');
  const sel = () => (r.lastFrame() ?? '').replace(/\x1b\[[0-9;]*m/g, '').split('\n').find((l) => l.startsWith('>!') || l.startsWith('> '))!;
  assert.match(sel(), new RegExp(`^>.\\s*${teardown + 1} `), 'the cursor starts on the teardown');
  // (under load a key takes a while to show: wait for each)
  const frame = () => r.lastFrame() ?? '';
  r.stdin.write('g');
  await until(() => /^> \s*1 /.test(sel()), 'g: the first row', 5000, frame);
  r.stdin.write('n');
  await until(() => new RegExp(`^>!\\s*${first + 1} `).test(sel()), 'n: the first anomaly', 5000, frame);
  r.stdin.write('N'); // wraps to the last anomaly
  const last = nextAnomaly(t, first, -1);
  await until(() => new RegExp(`^>!\\s*${last + 1} `).test(sel()), 'N: wraps to the last anomaly', 5000, frame);
  assert.match(r.lastFrame() ?? '', /conn_state/);
  r.unmount();
});

test('detail: decoded layers and a hex dump in which control bytes are dots', async () => {
  const i = [...Array(ds.conns.count).keys()].find((k) => (ds.conns.flagsOrig[k]! | ds.conns.flagsResp[k]!) & RST)!;
  const row = ds.primaryRows(i)[0]!;
  const f = ds.files.find((x) => x.first <= row && row < x.end)!;
  const rec = await readRecord(f.path, ds.packets.frame(row), ds.packets.offset(row));
  // the record as read back, with an escape sequence and a bell appended as trailer bytes
  const data = new Uint8Array(rec.caplen + 5);
  data.set(rec.data.subarray(0, rec.caplen));
  data.set([0x1b, 0x5b, 0x32, 0x4a, 0x07], rec.caplen);
  const bytes = { status: 'ok' as const, bytes: { ...rec, data, caplen: data.length } };
  const r = render(<PacketDetail ds={ds} conn={i} k={0} row={row} width={100} height={60} theme={plain} bytes={bytes} onBack={() => {}} onHelp={() => {}} onQuit={() => {}} />);
  await sleep(30);
  const fr = r.lastFrame() ?? '';
  assert.match(fr, /IPv4/);
  assert.match(fr, /TCP/);
  assert.match(fr, /\.\[2J\./, 'ESC and BEL shown as dots');
  assert.ok(!fr.includes('\x1b[2J') && !fr.includes('\x07'), 'no control byte reaches the terminal');
  r.unmount();
});

test('resize: a narrower, shorter terminal redraws within its size and keeps the cursor', async () => {
  const a = await app(plain, 120, 24);
  await a.press('G', (f) => selectedId(f) === ds.conns.count, 'G');
  a.rerender(<App load={load} theme={plain} width={60} height={10} onQuit={() => {}} />);
  await sleep(50);
  const lines = a.frame().split('\n');
  assert.ok(lines.length <= 10, `${lines.length} lines`);
  for (const l of lines) assert.ok([...l.replace(/\x1b\[[0-9;]*m/g, '')].length <= 60, `line fits: ${l}`);
  assert.equal(selectedId(a.frame()), ds.conns.count, 'the selected row stays on screen');
  a.unmount();
});

test('NO_COLOR: no color or inverse codes; with color on there are', async () => {
  const a = await app(plain);
  await a.press('/late-rst ==', (f) => f.includes('error:'), 'an error line');
  assert.doesNotMatch(a.frame(), ANSI_STYLE);
  assert.match(a.frame(), /^>/m, 'the selected row is still marked');
  a.unmount();
  const b = await app(color);
  assert.match(b.frame(), ANSI_STYLE);
  b.unmount();
});

test('help is generated from the key table; export reports what was written', async () => {
  const calls: { n: number; path: string }[] = [];
  const exportFn = async (_ds: unknown, idx: Uint32Array, path: string) => {
    calls.push({ n: idx.length, path });
    return { connections: idx.length, packets: 42, path };
  };
  const a = await app(plain, 100, 40, { exportFn });
  await a.press('?', (f) => /Ctrl-d/.test(f), 'help');
  // the help scrolls: the timeline's keys are further down
  await a.press('\x1b[6~', (f) => /n\s+next anomaly packet/.test(f), 'PgDn in the help');
  await a.press('\x1b', (f) => /Space:mark/.test(f), 'Esc back to the list');
  await a.press(' ', (f) => /1 marked/.test(f), 'mark');
  await a.press('e', (f) => /Export 1 marked connection/.test(f), 'export dialog');
  await a.press('\x7f'.repeat(30) + '/nonexistent-dir-x/out.csv', (f) => f.includes('out.csv'), 'the path typed');
  await a.press('\r', (f) => /wrote/.test(f), 'export done');
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.n, 1);
  assert.equal(calls[0]!.path, '/nonexistent-dir-x/out.csv');
  assert.match(a.frame(), /wrote 1 connection\(s\), 42 packet\(s\)/);
  a.unmount();
});

test('findings: shown first after a load with warnings, one line each, readable without colour; Enter lists its connections; F opens them', async () => {
  const { computeFindings } = await import('../src/analysis/findings.js');
  const { datasetTarget } = await import('../src/flows/filter-target.js');
  const { filterIndices } = await import('../src/filter/index.js');
  const found = computeFindings(ds, Uint32Array.from({ length: ds.conns.count }, (_, i) => i));
  assert.ok(found.some((f) => f.severity !== 'info'), 'the fixtures have a warn finding');
  const r = render(<App load={load} theme={plain} width={80} height={24} onQuit={() => {}} />);
  const frame = () => r.lastFrame() ?? '';
  await until(() => /findings of \d+ connections/.test(frame()), 'the findings first', 3000, frame);
  const lines = frame().replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  assert.ok(lines.length <= 24 && lines.every((l) => [...l].length <= 80), 'fits 80x24');
  // one line per finding, in order, with its severity word and count (no colour needed)
  const rows = lines.filter((l) => /^[> ] (ERROR|WARN |info ) /.test(l));
  assert.equal(rows.length, found.length);
  rows.forEach((l, k) => {
    const f = found[k]!;
    assert.match(l, new RegExp(`^[> ] ${f.severity === 'error' ? 'ERROR' : f.severity === 'warn' ? 'WARN ' : 'info '}\\s+${f.count}  `));
    assert.ok(l.includes(f.title.slice(0, 40)), `${l} / ${f.title}`);
  });
  assert.ok(frame().includes(found[0]!.cause.slice(0, 40)) || frame().includes('cause:'), 'the pane shows the cause');
  // the second finding, Enter: the list shows its connections, filtered by its expression
  r.stdin.write('j');
  const plainFrame = () => frame().replace(/\x1b\[[0-9;]*m/g, '');
  await until(() => plainFrame().split('\n').find((l) => l.startsWith('>'))?.includes(found[1]!.title.slice(0, 30)) === true, 'j moves', 3000, frame);
  r.stdin.write('\r');
  const want = (filterIndices(found[1]!.filter, datasetTarget(ds)) as Uint32Array).length;
  assert.equal(want, found[1]!.count);
  await until(() => frame().includes(`${want}/${ds.conns.count} shown`) && frame().includes(found[1]!.filter), 'the filtered list', 3000, frame);
  // F from the list opens them again
  r.stdin.write('F');
  await until(() => /findings of/.test(frame()), 'F opens the findings', 3000, frame);
  r.stdin.write('\x1b');
  await until(() => frame().includes(`${want}/${ds.conns.count} shown`), 'Esc back to the list, filter kept', 3000, frame);
  r.unmount();
});

test('findings: a load with nothing but info findings opens on the list', async () => {
  const calm = await loadDataset(['tcp/clean-close-client.pcap', 'tcp/fin-then-rst-late.pcap'].map(fixture));
  const r = render(<App load={async () => calm} theme={plain} width={80} height={24} onQuit={() => {}} />);
  await until(() => (r.lastFrame() ?? '').includes(`${calm.conns.count}/${calm.conns.count} shown`), 'the list', 3000, () => r.lastFrame() ?? '');
  await sleep(100);
  assert.doesNotMatch(r.lastFrame() ?? '', /findings of/);
  r.unmount();
});
