/**
 * The live engine's benchmark (not part of `npm run bench`):
 *
 *   node dist/bench/live.js                      # 1 M packets (generated into bench/out/ once)
 *   node dist/bench/live.js --packets 300000 --loops 60
 *   node dist/bench/live.js --only two           # part 4 alone
 *
 * 1. ingest: `flows --follow`'s engine over the bench capture fed as a stream (256 KiB chunks, the
 *    records written to /dev/null) beside the batch `flows --format ndjson` on the same file, in
 *    the same run (best of --runs each), as packets/s and their ratio; the batch also on one
 *    thread (RSTTUI_WORKER=0), since the live engine uses one;
 * 2. ticks: each tick's time with 2 000 and with 200 000 connections open (the generator's
 *    interleaving), as ms per tick and µs per packet since the tick before;
 * 3. --keep: the demo capture replayed in a loop (new addresses each round) with --keep 2000, --keep 10m and
 *    without, resident memory and connections held as the run goes on;
 * 4. two interfaces (`-i a -i b`): the bench capture as seen on both sides of a router (mergecap
 *    -I none: every packet on each of two interfaces, one pcapng) through the engine with each
 *    interface a vantage (every connection matched) beside the interfaces kept apart, CPU ms and
 *    their ratio (needs mergecap, from wireshark-common).
 * Each part runs in a child process of its own (a clean heap, its own peak RSS).
 */
import { parseArgs } from 'node:util';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './gen.js';
import { replayLoops } from './live-replay.js';
import { runLiveFlows } from '../src/cli/live-flows.js';
import type { LiveSession } from '../src/flows/live-session.js';
import { parseDuration } from '../src/cli/live-spec.js';
import { BIN, OUT, ROOT } from './paths.js';


const { values } = parseArgs({
  options: {
    packets: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '2' },
    loops: { type: 'string', default: '150' },
    child: { type: 'string' },
    file: { type: 'string' },
    keep: { type: 'string' },
    only: { type: 'string' },
  },
});

const sink = (): NodeJS.WritableStream => createWriteStream('/dev/null');
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1] ?? NaN; };
const pct = (xs: number[], p: number): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? NaN; };

/** Time every engine tick of a session: ms, and packets read since the tick before. */
function timeTicks(s: LiveSession, into: { ms: number[]; packets: number[]; open: number[] }): void {
  const e = s.engine;
  const tick = e.tick.bind(e);
  let before = 0;
  e.tick = (now?: number, ended?: boolean): number => {
    const t0 = performance.now();
    const r = tick(now, ended);
    into.ms.push(performance.now() - t0);
    into.packets.push(e.counts.packets - before);
    into.open.push(e.counts.conns - e.counts.final);
    before = e.counts.packets;
    return r;
  };
}

async function child(mode: string): Promise<void> {
  const file = values.file!;
  if (mode === 'ticks') {
    // the engine alone: the file pushed in 64 KiB slices, a tick every 16 slices, then over its
    // last tenth a tick after every slice (~700 packets): what a tick costs with the connections held
    const { LiveEngine } = await import('../src/flows/live.js');
    const e = new LiveEngine({ wallClock: false });
    const c = e.capture('bench');
    const buf = readFileSync(file);
    const slice = 1 << 16, tail = buf.length * 0.9;
    const small: { ms: number; p: number; held: number; open: number }[] = [];
    for (let o = 0, k = 0; o < buf.length; o += slice, k++) {
      const before = e.counts.packets;
      c.push(buf.subarray(o, o + slice));
      if (o < tail && k % 16 !== 15) continue;
      const t0 = performance.now();
      e.tick();
      const ms = performance.now() - t0;
      if (o >= tail) small.push({ ms, p: e.counts.packets - before, held: e.counts.conns, open: e.counts.conns - e.counts.final });
    }
    process.stdout.write(JSON.stringify({
      ticks: small.length, tickMedianMs: median(small.map((t) => t.ms)), tickP99Ms: pct(small.map((t) => t.ms), 0.99), tickMaxMs: Math.max(...small.map((t) => t.ms)),
      usPerPacket: median(small.map((t) => (t.ms * 1000) / t.p)), packetsPerTick: median(small.map((t) => t.p)), held: median(small.map((t) => t.held)),
      openMedian: median(small.map((t) => t.open)),
    }) + '\n');
    return;
  }
  if (mode === 'two') {
    // the engine alone, over a two-interface stream: the interfaces as vantages, or kept apart
    const { LiveEngine } = await import('../src/flows/live.js');
    let records = 0;
    const e = new LiveEngine({ wallClock: false, onFinal: () => records++ });
    const c = e.capture('two', file, values.keep === 'vantages' ? ['a', 'b'] : undefined);
    const buf = readFileSync(file);
    const c0 = process.cpuUsage();
    for (let o = 0, k = 0; o < buf.length; o += 1 << 16, k++) {
      c.push(buf.subarray(o, o + (1 << 16)));
      if (k % 16 === 15) e.tick();
    }
    c.end();
    e.finish();
    const u = process.cpuUsage(c0);
    process.stdout.write(JSON.stringify({ cpuMs: (u.user + u.system) / 1000, records, merged: e.vantages?.merged ?? 0, maxrssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
    return;
  }
  if (mode === 'ingest') {
    const ticks = { ms: [] as number[], packets: [] as number[], open: [] as number[] };
    const t0 = performance.now();
    const r = await runLiveFlows({ tickMs: 250 }, { capture: { chunks: createReadStream(file, { highWaterMark: 1 << 18 }), name: 'bench' } }, sink(), quiet,
      (s) => timeTicks(s, ticks));
    const secs = (performance.now() - t0) / 1000;
    const packets = ticks.packets.reduce((a, b) => a + b, 0);
    const busy = ticks.ms.map((ms, k) => ({ ms, p: ticks.packets[k]!, open: ticks.open[k]! })).filter((t) => t.p > 1000);
    process.stdout.write(JSON.stringify({
      secs, packets, records: r.records, maxrssMB: process.resourceUsage().maxRSS / 1024, ticks: ticks.ms.length,
      tickMedianMs: median(busy.map((t) => t.ms)), tickP99Ms: pct(busy.map((t) => t.ms), 0.99), tickMaxMs: Math.max(0, ...busy.map((t) => t.ms)),
      usPerPacket: median(busy.map((t) => (t.ms * 1000) / t.p)), openMedian: median(busy.map((t) => t.open)), packetsPerTick: median(busy.map((t) => t.p)),
    }) + '\n');
    return;
  }
  if (mode === 'keep') {
    const buf = readFileSync(join(ROOT, 'fixtures', 'demo', 'inside.pcap'));
    const loops = Number(values.loops);
    const keep = values.keep === undefined ? undefined : /^\d+$/.test(values.keep) ? { count: Number(values.keep) } : { seconds: parseDuration(values.keep, '--keep') };
    const samples: { loop: number; rssMB: number; buffersMB: number; conns: number; packets: number }[] = [];
    let session!: LiveSession;
    let k = 0;
    const every = Math.max(1, Math.floor(loops / 10));
    const chunks = replayLoops(buf, loops, {
      chunk: buf.length, between: async () => {
        k++;
        session.tick();
        if (k % every === 0) {
          global.gc?.();
          const m = process.memoryUsage();
          samples.push({ loop: k, rssMB: m.rss / 1048576, buffersMB: m.arrayBuffers / 1048576, conns: session.engine.conns.count, packets: session.engine.packets.count });
        }
        await new Promise((r) => setImmediate(r));
      },
    });
    await runLiveFlows({ wallClock: false, tickMs: 60000, ...(keep ? { keep } : {}) }, { capture: { chunks, name: 'loop' } }, sink(), quiet, (s) => { session = s; });
    process.stdout.write(JSON.stringify({ samples, dropped: session.stats().droppedConns }) + '\n');
  }
}

function runChild(args: string[], env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const r = spawnSync('node', ['--expose-gc', fileURLToPath(import.meta.url), ...args], { encoding: 'utf8', env, maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

function batch(file: string, env: NodeJS.ProcessEnv): number {
  spawnSync('cat', [file], { stdio: 'ignore' });
  const t0 = performance.now();
  const r = spawnSync('node', [BIN, 'flows', '--format', 'ndjson', file], { stdio: ['ignore', 'ignore', 'pipe'], env });
  if (r.status !== 0) throw new Error(`batch failed: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

/** Part 4: the bench capture on two interfaces, matched live or kept apart. */
function twoInterfaces(file: string, n: number, runs: number): void {
  const two = join(OUT, `live-${n}-two-ifaces.pcapng`);
  if (!existsSync(two) && spawnSync('mergecap', ['-I', 'none', '-F', 'pcapng', '-w', two, file, file]).status !== 0) {
    console.log('two interfaces: skipped (mergecap, from wireshark-common, is not installed)');
    return;
  }
  const twoRuns = (how: string) => Array.from({ length: runs }, () => runChild(['--child', 'two', '--file', two, '--keep', how])).sort((a, b) => (a.cpuMs as number) - (b.cpuMs as number))[0]!;
  const apart = twoRuns('apart'), vant = twoRuns('vantages');
  console.log(`two interfaces, ${2 * n} packets (each packet on both; best of ${runs} by CPU):`);
  console.log(`  kept apart            ${(apart.cpuMs as number).toFixed(0)} ms CPU, ${apart.records} records, peak RSS ${(apart.maxrssMB as number).toFixed(0)} MB`);
  console.log(`  interfaces as vantages ${(vant.cpuMs as number).toFixed(0)} ms CPU, ${vant.records} records (${vant.merged} pairs merged), peak RSS ${(vant.maxrssMB as number).toFixed(0)} MB` +
    ` = ${((vant.cpuMs as number) / (apart.cpuMs as number)).toFixed(2)}x the CPU of kept apart`);
}

async function main(): Promise<void> {
  if (values.child) return child(values.child);
  mkdirSync(OUT, { recursive: true });
  const n = Number(values.packets), runs = Number(values.runs);
  const file = join(OUT, `live-${n}.pcap`);
  if (!existsSync(file)) generate(file, { packets: n, format: 'pcap' });
  const wide = join(OUT, `live-${n}-open200k.pcap`);
  if (values.only === 'two') return twoInterfaces(file, n, runs);
  if (!existsSync(wide)) generate(wide, { packets: n, format: 'pcap', concurrent: 200_000 });
  const best = (f: () => number): number => Math.min(...Array.from({ length: runs }, f));
  const tBatch = best(() => batch(file, process.env));
  const tBatch1 = best(() => batch(file, { ...process.env, RSTTUI_WORKER: '0' }));
  const lives = Array.from({ length: runs }, () => { spawnSync('cat', [file], { stdio: 'ignore' }); return runChild(['--child', 'ingest', '--file', file]); });
  const live = lives.sort((a, b) => (a.secs as number) - (b.secs as number))[0]!;
  const pps = (s: number): string => `${((n / s) / 1e3).toFixed(0)} k pkt/s`;
  const tl = live.secs as number;
  console.log(`ingest, ${n} packets (best of ${runs}):`);
  console.log(`  batch flows --format ndjson        ${tBatch.toFixed(2)} s  ${pps(tBatch)}`);
  console.log(`  batch, one thread (RSTTUI_WORKER=0) ${tBatch1.toFixed(2)} s  ${pps(tBatch1)}`);
  console.log(`  live (stream, records to /dev/null) ${tl.toFixed(2)} s  ${pps(tl)}  = ${(tBatch / tl).toFixed(2)}x batch, ${(tBatch1 / tl).toFixed(2)}x batch on one thread; ${live.records} records, peak RSS ${(live.maxrssMB as number).toFixed(0)} MB`);
  console.log(`  live's own ticks (4 a second): ${live.ticks}, median ${(live.tickMedianMs as number).toFixed(1)} ms for ${(live.packetsPerTick as number).toFixed(0)} packets, max ${(live.tickMaxMs as number).toFixed(1)} ms`);
  for (const [name, f] of [['2 000 open at a time', file], ['200 000 open at a time', wide]] as const) {
    const t = runChild(['--child', 'ticks', '--file', f]);
    console.log(`ticks, ${name} (${(t.held as number).toFixed(0)} connections held, ${(t.openMedian as number).toFixed(0)} not over), a tick every ~${(t.packetsPerTick as number).toFixed(0)} packets: ` +
      `median ${(t.tickMedianMs as number).toFixed(2)} ms, p99 ${(t.tickP99Ms as number).toFixed(2)} ms, max ${(t.tickMaxMs as number).toFixed(2)} ms; ${(t.usPerPacket as number).toFixed(2)} µs a packet`);
  }
  const loops = values.loops;
  // (the demo spans ~585 s and each round comes that much later: 150 rounds are a day of capture time)
  for (const keep of ['2000', '10m', undefined]) {
    const k = runChild(['--child', 'keep', '--loops', loops!, ...(keep ? ['--keep', keep] : [])]);
    const s = k.samples as { loop: number; rssMB: number; buffersMB: number; conns: number; packets: number }[];
    console.log(`${keep ? `--keep ${keep}` : 'no --keep'}, the demo x ${loops} (${247 * Number(loops)} connections), at round: RSS, array buffers, connections, packets held:`);
    for (const x of s) console.log(`  ${String(x.loop).padStart(4)}: ${x.rssMB.toFixed(0).padStart(4)} MB ${x.buffersMB.toFixed(1).padStart(6)} MB ${String(x.conns).padStart(6)} ${String(x.packets).padStart(8)}`);
    console.log(`  dropped ${k.dropped} connections`);
  }
  twoInterfaces(file, n, runs);
}

await main();
