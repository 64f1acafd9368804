/** --keep: a long live run holds a bounded window of connections and packets; ids and records go on as without it. */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runLiveFlows } from '../src/cli/live-flows.js';
import { LiveSession } from '../src/flows/live-session.js';
import { replayLoops } from '../bench/live-replay.js';
import { fixture } from './helpers.js';

const turn = () => new Promise<void>((r) => setImmediate(r));

test('--keep COUNT: the connections and packets held stay bounded over a long stream; every record is written once', async () => {
  const buf = readFileSync(fixture('demo/inside.pcap'));
  const loops = 30;
  let maxConns = 0, maxPackets = 0;
  const lines: string[] = [];
  let session!: LiveSession;
  const chunks = replayLoops(buf, loops, { chunk: 1 << 16, between: async () => {
    // (ticked here only, the timer never fires: two runs tick at the same points)
    session.tick();
    maxConns = Math.max(maxConns, session.engine.conns.count);
    maxPackets = Math.max(maxPackets, session.engine.packets.count);
    await turn();
  } });
  const res = await runLiveFlows({ wallClock: false, tickMs: 60000, keep: { count: 300 } }, { capture: { chunks, name: 'loop.pcap' } },
    { write: (s: string) => { lines.push(s); return true; } } as unknown as NodeJS.WritableStream, { write: () => true } as unknown as NodeJS.WritableStream,
    (s) => { session = s; });
  assert.equal(res.reason, 'end');
  const total = 248 * loops; // the demo's inside.pcap: 248 rows (Zeek's lifetimes)
  assert.equal(lines.length, total);
  const ids = lines.map((l) => JSON.parse(l).id as number).sort((a, b) => a - b);
  assert.deepEqual(ids, Array.from({ length: total }, (_, k) => k + 1), 'ids go on through the compactions');
  const st = session.stats();
  assert.ok(st.droppedConns > total / 2, `${st.droppedConns} dropped`);
  assert.ok(maxConns < 2000 && maxConns < total / 3, `at most ${maxConns} connections held of ${total}`);
  assert.ok(maxPackets < 5084 * loops / 3, `at most ${maxPackets} packets held of ${5084 * loops}`);
  // the same records as a run without --keep (the records are written before a connection can be dropped)
  // (ticked at the same points: when the engine looks at the time decides which idle connection it ends)
  const plain: string[] = [];
  let other!: LiveSession;
  await runLiveFlows({ wallClock: false, tickMs: 60000 }, { capture: { chunks: replayLoops(buf, loops, { chunk: 1 << 16, between: async () => { other.tick(); await turn(); } }), name: 'loop.pcap' } },
    { write: (s: string) => { plain.push(s); return true; } } as unknown as NodeJS.WritableStream, { write: () => true } as unknown as NodeJS.WritableStream, (s) => { other = s; });
  const byId = (l: string[]) => l.map((s) => s.trimEnd()).sort((a, b) => JSON.parse(a).id - JSON.parse(b).id);
  assert.deepEqual(byId(lines), byId(plain));
});

test('--keep SECONDS: connections whose last packet is older than the window are dropped; newer ones stay', async () => {
  const buf = readFileSync(fixture('demo/inside.pcap'));
  const s = new LiveSession({ wallClock: false, keep: { seconds: 120 } }, {});
  const sink = s.engine.capture('loop.pcap');
  let maxConns = 0;
  for await (const c of replayLoops(buf, 12, { chunk: 1 << 15 })) {
    sink.push(c);
    s.tick();
    maxConns = Math.max(maxConns, s.engine.conns.count);
  }
  const e = s.engine;
  const now = e.clock();
  assert.ok(e.dropped.conns > 0);
  // what is held: none final and older than the window, but for those waiting for the next compaction
  let oldFinal = 0;
  for (let c = 0; c < e.conns.count; c++) if (e.isFinal(c) && e.conns.lastTs[c]! < now - 120) oldFinal++;
  assert.ok(oldFinal <= Math.max(1024, e.conns.count / 2), `${oldFinal} old ones held`);
  assert.ok(maxConns < 248 * 12 / 2, `${maxConns} held at most`);
  // the view's ids are the connections' own, not their places in the compacted tables
  const ds = s.view();
  assert.ok(ds.live!.gen > 0);
  assert.ok(ds.live!.idOf(0) > 1, 'the first one held is not connection 1');
});
