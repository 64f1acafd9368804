/**
 * The timeline screen rendered with ink-testing-library: at 80x24 the seed connection's whole
 * teardown is on the first screen; the layout key switches to two lines a row and the app keeps
 * the choice; Enter still opens a packet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture } from './helpers.js';

process.env.FORCE_COLOR = '1';
const { render } = await import('ink-testing-library');
const { App } = await import('../src/ui/App.js');
const { Timeline } = await import('../src/ui/screens/Timeline.js');
const { makeTheme } = await import('../src/ui/theme.js');
const { loadDataset } = await import('../src/flows/dataset.js');
const { explain } = await import('../src/analysis/explain.js');
const { FIN, RST, MARK_RESP, anomalyBit } = await import('../src/model.js');

const plain = makeTheme({ env: { NO_COLOR: '1' } });
const DEMO = ['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'].map(fixture);
const demo = await loadDataset(DEMO);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
async function until(f: () => boolean, what: string, last: () => string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${last()}`);
    await sleep(10);
  }
}

/** The demo's first connection of the seed pattern (a late RST the firewall denied). */
function seedConn(): number {
  const want = anomalyBit('late-rst') | anomalyBit('rst-denied');
  const i = [...Array(demo.conns.count).keys()].find((k) => (demo.conns.anomalies[k]! & want) === want);
  assert.ok(i !== undefined);
  return i;
}

/** Packet numbers (1-based) of the seed's teardown, from the packets themselves. */
function teardownPackets(i: number) {
  const p = demo.connPackets(i);
  const find = (resp: boolean, flag: number): number => {
    for (let k = 0; k < p.n; k++) if ((p.mark[k]! & MARK_RESP) !== 0 === resp && p.flags[k]! & flag) return k + 1;
    return -1;
  };
  const out = { serverFin: find(true, FIN), clientFin: find(false, FIN), clientRst: find(false, RST), serverRst: find(true, RST) };
  for (const [k, v] of Object.entries(out)) assert.ok(v > 0, `the seed connection has its ${k}`);
  return out;
}

const rowOf = (frame: string, n: number): string | undefined => frame.split('\n').find((l) => new RegExp(`^[> ][! ]\\s*${n} `).test(l));

test('80x24: the seed connection opens with its whole teardown on one screen, the client\'s FIN selected', async () => {
  const i = seedConn();
  const pk = teardownPackets(i);
  const r = render(<Timeline ds={demo} conn={i} width={80} height={24} theme={plain} onOpenPacket={() => {}} onBack={() => {}} onHelp={() => {}} onQuit={() => {}} />);
  const frame = () => strip(r.lastFrame() ?? '');
  await until(() => frame().includes('conn_state'), 'the timeline', frame);
  const f = frame();
  const lines = f.split('\n');
  assert.ok(lines.length <= 24, `${lines.length} lines`);
  for (const l of lines) assert.ok([...l].length <= 80, `fits 80 columns: ${l}`);
  // each on its own row, its arrow the right way
  assert.match(rowOf(f, pk.serverFin) ?? '', /│<─+ FA /, 'the server\'s FIN');
  assert.match(rowOf(f, pk.clientFin) ?? '', /│─+ FA ─+>│/, 'the client\'s FIN');
  assert.match(rowOf(f, pk.clientRst) ?? '', /│─+ RA ─+>│/, 'the client\'s RST');
  assert.match(rowOf(f, pk.serverRst) ?? '', /│<─+ R DENIED /, 'the server\'s RST, denied');
  assert.equal(pk.clientRst, pk.clientFin + 1, 'FIN+RST: the RST right after the FIN');
  assert.match(f, /^ ! fw .*│<┄+ 106015 ┄+│ DENIED RST \(no connection\)/m, 'the firewall\'s deny');
  // the cursor on the last FIN, its explanation in the pane (the core's words), whole
  assert.match(rowOf(f, pk.clientFin) ?? '', /^>/);
  const said = explain(demo.connPackets(i), demo.verdict(i))[pk.clientFin - 1]!;
  const clause = said.slice(0, said.indexOf(' ('));
  assert.ok(f.replace(/\s+/g, ' ').includes(clause), `the pane says ${clause}`);
  const pane = lines.slice(4, -1).filter((l) => !l.includes('│') && l.trim() !== '');
  assert.ok(pane.length >= 3, 'a pane under the ladder');
  assert.doesNotMatch(pane.join('\n'), /~ *$/m, 'no pane line cut with ~');
  r.unmount();
});

test('w: two lines a row (arrow, explanation) and back; Enter opens the packet under the cursor', async () => {
  const i = seedConn();
  const pk = teardownPackets(i);
  const opened: [number, number][] = [];
  const r = render(<Timeline ds={demo} conn={i} width={120} height={40} theme={plain} onOpenPacket={(k, row) => opened.push([k, row])} onBack={() => {}} onHelp={() => {}} onQuit={() => {}} />);
  const frame = () => strip(r.lastFrame() ?? '');
  await until(() => frame().includes('conn_state'), 'the timeline', frame);
  const one = frame();
  // one line a row: seq numbers only in the pane, under the ladder
  assert.equal(one.split('\n').filter((l) => / seq=\d+/.test(l)).length, 1);
  r.stdin.write('w');
  await until(() => frame().split('\n').filter((l) => / seq=\d+/.test(l)).length > 5, 'two lines a row', frame);
  // the line under the selected arrow is its explanation
  const two = frame().split('\n');
  const at = two.findIndex((l) => l.startsWith('>'));
  assert.ok(two[at + 1]!.trim().startsWith('client sends FIN'), two[at + 1]);
  assert.match(two.at(-1)!, /w one line/);
  r.stdin.write('w');
  await until(() => frame().split('\n').filter((l) => / seq=\d+/.test(l)).length === 1, 'one line a row again', frame);
  r.stdin.write('\r');
  await until(() => opened.length === 1, 'the packet opened', frame);
  assert.deepEqual(opened[0], [pk.clientFin - 1, demo.primaryRows(i)[pk.clientFin - 1]]);
  // a firewall row has no bytes to open
  r.stdin.write('G');
  await until(() => /^>. fw /m.test(frame()), 'G: the last row, a firewall event', frame);
  r.stdin.write('\r');
  await until(() => frame().includes('a firewall event has no packet bytes'), 'the message', frame);
  assert.equal(opened.length, 1);
  r.unmount();
});

test('the app keeps the layout chosen for the next timeline', async () => {
  const ds = await loadDataset(['tcp/fin-then-rst-late.pcap', 'tcp/clean-close-client.pcap'].map(fixture));
  const r = render(<App load={async () => ds} theme={plain} width={100} height={30} onQuit={() => {}} />);
  const frame = () => strip(r.lastFrame() ?? '');
  const twoLines = () => frame().split('\n').filter((l) => / seq=\d+/.test(l)).length > 1;
  await until(() => frame().includes(`${ds.conns.count}/${ds.conns.count} shown`), 'the list', frame);
  r.stdin.write('\r');
  await until(() => frame().includes('conn_state'), 'the first timeline', frame);
  assert.equal(twoLines(), false, 'one line a row to start with');
  r.stdin.write('w');
  await until(twoLines, 'two lines a row', frame);
  r.stdin.write('\x1b');
  await until(() => / shown/.test(frame()), 'the list again', frame);
  r.stdin.write('j');
  await sleep(100);
  r.stdin.write('\r');
  await until(() => /^#2 /m.test(frame()), 'the second timeline', frame);
  assert.equal(twoLines(), true, 'still two lines a row');
  r.unmount();
});
