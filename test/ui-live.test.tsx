/**
 * The UI over a live run (ink-testing-library): rows appear as packets are read, the selection stays
 * on its connection while rows are added, `p` holds the list and shows what came meanwhile on resume.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fixture } from './helpers.js';

const { render } = await import('ink-testing-library');
const { App } = await import('../src/ui/App.js');
const { makeTheme } = await import('../src/ui/theme.js');
const { LiveSession } = await import('../src/flows/live-session.js');

const plain = makeTheme({ env: { NO_COLOR: '1' } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(f: () => boolean, what: string, last: () => string, ms = 4000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${last()}`);
    await sleep(10);
  }
}
const selectedId = (frame: string): number => Number(/^>.\s*(\d+)/m.exec(frame)![1]);
const shown = (frame: string): [number, number] => {
  const m = /(\d+)\/(\d+) shown/.exec(frame)!;
  return [Number(m[1]), Number(m[2])];
};

/** A live session driven by hand: the demo capture pushed part by part, a tick after each. */
function driven() {
  const s = new LiveSession({ wallClock: false }, {});
  const sink = s.engine.capture('inside.pcap', fixture('demo/inside.pcap'));
  const buf = readFileSync(fixture('demo/inside.pcap'));
  let at = 0;
  const feed = (bytes: number) => {
    sink.push(buf.subarray(at, at + bytes));
    at += bytes;
    s.tick();
  };
  return { s, feed };
}

test('live list: rows appear as packets come; the selection stays on its connection while rows are added above it', async () => {
  const { s, feed } = driven();
  // (more rows than the screen has lines: the window can scroll with the selection)
  feed(200000);
  const r = render(<App live={s} theme={plain} width={100} height={20} onQuit={() => {}} />);
  const frame = () => r.lastFrame() ?? '';
  await until(() => /\d+\/\d+ shown/.test(frame()), 'the list', frame);
  const [, n0] = shown(frame());
  assert.ok(n0 > 20, frame());
  assert.match(frame(), /LIVE .* pkt\/s \d+ conns drop - /);
  // newest first, so that new rows come in above the selection; then select the fourth row
  r.stdin.write('S');
  await until(() => /sort id↓/.test(frame()), 'reverse sort', frame);
  r.stdin.write('j');
  await sleep(30);
  r.stdin.write('j');
  await sleep(30);
  r.stdin.write('j');
  await until(() => selectedId(frame()) === n0 - 3, 'the fourth row selected', frame);
  const line = frame().split('\n').findIndex((l) => l.startsWith('>'));
  feed(60000);
  await until(() => shown(frame())[1] > n0, 'more rows', frame);
  assert.equal(selectedId(frame()), n0 - 3, 'the same connection is selected');
  assert.equal(frame().split('\n').findIndex((l) => l.startsWith('>')), line, 'on the same screen line');
  // and a key still moves from there
  r.stdin.write('j');
  await until(() => selectedId(frame()) === n0 - 4, 'j after the rows came', frame);
  r.unmount();
});

test('live list: p holds the rows (reading goes on); p again shows what came meanwhile; a filter applies to the new rows', async () => {
  const { s, feed } = driven();
  feed(60000);
  const r = render(<App live={s} theme={plain} width={100} height={20} onQuit={() => {}} />);
  const frame = () => r.lastFrame() ?? '';
  await until(() => /\d+\/\d+ shown/.test(frame()), 'the list', frame);
  r.stdin.write('/');
  await sleep(30);
  r.stdin.write('teardown == graceful\r');
  await until(() => /filter: teardown == graceful/.test(frame()), 'the filter', frame);
  const [m0, n0] = shown(frame());
  assert.ok(m0 > 0 && m0 < n0, frame());
  r.stdin.write('p');
  await until(() => /PAUSED/.test(frame()), 'paused', frame);
  feed(100000);
  // the status bar goes on (connections read), the list does not
  await until(() => Number(/PAUSED .* (\d+) conns/.exec(frame())?.[1]) > n0, 'the status bar counting on', frame);
  assert.deepEqual(shown(frame()), [m0, n0], 'no new rows while paused');
  r.stdin.write('p');
  await until(() => /LIVE/.test(frame()) && shown(frame())[1] > n0, 'the rows after resume', frame);
  const [m1, n1] = shown(frame());
  assert.ok(m1 > m0 && m1 < n1, `${m1}/${n1}: new rows, filtered`);
  const rows = frame().split('\n').filter((l) => /^[ >*]\s+\d+ /.test(l));
  assert.ok(rows.length > 0 && rows.every((l) => l.includes('graceful')), frame());
  r.unmount();
});

test('live list with --keep: the selection stays on its connection when the tables are compacted', async () => {
  const { replayLoops } = await import('../bench/live-replay.js');
  // (connections that never close stay: connection 8 of the demo never does, and there is no idle timeout)
  const s = new LiveSession({ wallClock: false, keep: { count: 40 }, idleTimeout: 1e9 }, {});
  const sink = s.engine.capture('loop.pcap');
  const it = replayLoops(readFileSync(fixture('demo/inside.pcap')), 20, { chunk: 1 << 15 })[Symbol.asyncIterator]();
  const more = async (until: () => boolean) => {
    for (let k = 0; !until(); k++) {
      const r = await it.next();
      if (r.done === true) return;
      sink.push(r.value);
      s.tick();
      if (k % 20 === 0) await sleep(5);
    }
  };
  await more(() => s.engine.published >= 30);
  const r = render(<App live={s} theme={plain} width={100} height={20} onQuit={() => {}} />);
  const frame = () => r.lastFrame() ?? '';
  await until(() => /\d+\/\d+ shown/.test(frame()), 'the list', frame);
  for (let k = 0; k < 7; k++) {
    r.stdin.write('j');
    await sleep(20);
  }
  await until(() => selectedId(frame()) === 8, 'connection 8', frame);
  await more(() => s.view().live!.gen >= 2);
  await until(() => /kept-out [1-9]/.test(frame()), 'the status bar counting drops', frame);
  await sleep(100);
  assert.equal(selectedId(frame()), 8, frame());
  const line = frame().split('\n').find((l) => l.startsWith('>'))!;
  assert.match(line, /198\.51\.100\.29:57118/);
  r.unmount();
});
