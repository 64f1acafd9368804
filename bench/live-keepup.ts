/**
 * Keeping up with a live capture (issue 18's benchmark; the last part of `npm run bench`):
 *
 *   node dist/bench/live-keepup.js [--packets 300000] [--rates 25000,50000,100000,200000,max]
 *
 * A veth pair made for the run (root), the bench capture (bench/gen.ts) replayed onto one end by
 * `tcpreplay --pps RATE` (`max`: --topspeed), captured on the other end, at each rate in turn:
 *   1. the reference: `dumpcap -i END -w /dev/null` alone;
 *   2. rsttui's UI in tmux at 80x24 (`rsttui -i END`: dumpcap writing into a pipe rsttui reads);
 *   3. the same with `j`/`k` pressed every 100 ms meanwhile, each timed until the selected row
 *      moves: the screen polled every 2 ms through tmux costs CPU that rsttui and dumpcap would
 *      otherwise have (tcpreplay takes a core of its own), so its drops are given apart.
 * Drops are dumpcap's own final counts (rsttui prints them when it ends), and packets received
 * against tcpreplay's packets sent. The highest rate with no drop is the figure, for each.
 * Skipped, with the reason, without root, tcpreplay, dumpcap or tmux.
 */
import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { generate } from './gen.js';
import { ControlDriver, SESSION, killSession, press, selected, sleep, stats, tmux } from './ui-tmux.js';
import { BIN, OUT } from './paths.js';

const { values } = parseArgs({
  options: {
    packets: { type: 'string', default: '300000' },
    rates: { type: 'string', default: '25000,50000,100000,200000,max' },
    // (npm run bench hands the chain's arguments to each part: accepted, not used)
    lines: { type: 'string' }, runs: { type: 'string' }, formats: { type: 'string' }, 'tshark-packets': { type: 'string' }, 'skip-capture': { type: 'boolean' },
  },
});
const TX = 'rsttui-kx', RX = 'rsttui-kr';

const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const ip = (...a: string[]): boolean => spawnSync('ip', a, { stdio: 'ignore' }).status === 0;

interface Replay { sent: number; pps: number }
/** tcpreplay onto TX; what it says it sent and at what rate */
function replay(file: string, rate: string): Promise<Replay> {
  const args = ['-i', TX, ...(rate === 'max' ? ['--topspeed'] : ['--pps', rate]), file];
  return new Promise((resolve, reject) => {
    const p = spawn('tcpreplay', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('exit', () => resolve({ sent: Number(/Successful packets:\s+(\d+)/.exec(out)?.[1] ?? NaN), pps: Number(/([\d.]+) pps/.exec(out)?.[1] ?? NaN) }));
  });
}

interface Counts { received: number; dropped: number }
/** dumpcap's final words: `Packets received/dropped on interface 'X': N/M (...)`; rsttui's: `N packets received, M dropped` */
function countsOf(text: string): Counts {
  const d = /received\/dropped on interface '[^']*': (\d+)\/(\d+)/.exec(text);
  if (d) return { received: Number(d[1]), dropped: Number(d[2]) };
  const r = /(\d+) packets received, (\d+) dropped/.exec(text);
  return r ? { received: Number(r[1]), dropped: Number(r[2]) } : { received: NaN, dropped: NaN };
}

async function dumpcapAlone(file: string, rate: string): Promise<Counts & Replay> {
  const p = spawn('dumpcap', ['-i', RX, '-w', '/dev/null'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  for (let k = 0; k < 100 && !/Capturing on/.test(err); k++) await sleep(50);
  const r = await replay(file, rate);
  await sleep(1000);
  const done = new Promise((res) => p.on('exit', res));
  p.kill('SIGINT');
  await done;
  return { ...r, ...countsOf(err) };
}

/** rsttui's UI capturing while `rate` is replayed; with `withKeys`, j/k pressed and timed meanwhile */
async function rsttuiUi(file: string, rate: string, withKeys: boolean): Promise<Counts & Replay & { keys: number[] }> {
  const errFile = join(OUT, 'keepup.err');
  rmSync(errFile, { force: true });
  killSession();
  tmux(['new', '-d', '-s', SESSION, '-x', '80', '-y', '24', `node ${BIN} -i ${RX} 2>${errFile}`]);
  const d = await ControlDriver.open();
  try {
    for (let k = 0; k < 200 && !/LIVE/.test((await d.capture()) ?? ''); k++) await sleep(50);
    let replaying = true;
    const run = replay(file, rate).finally(() => (replaying = false));
    const keys: number[] = [];
    for (let k = 0; withKeys && replaying; k++) {
      const before = selected((await d.capture()) ?? '');
      const t = await press(d, k % 2 ? 'k' : 'j', true, (s) => selected(s) !== before && selected(s) !== '', 3000);
      if (replaying) keys.push(t.ms);
      await sleep(100);
    }
    const r = await run;
    await sleep(1500);
    await d.send('q', true);
    for (let k = 0; k < 100 && tmux(['has-session', '-t', SESSION]).ok; k++) await sleep(100);
    return { ...r, ...countsOf(existsSync(errFile) ? readFileSync(errFile, 'utf8') : ''), keys };
  } finally {
    d.close();
    killSession();
  }
}

async function main(): Promise<void> {
  const missing = [process.getuid?.() === 0 ? '' : 'root', ...['tcpreplay', 'dumpcap', 'tmux', 'ip'].filter((c) => !have(c))].filter(Boolean);
  if (missing.length) {
    console.log(`\nlive keep-up: skipped (needs ${missing.join(', ')})`);
    return;
  }
  mkdirSync(OUT, { recursive: true });
  const n = Number(values.packets);
  const file = join(OUT, `live-${n}.pcap`);
  if (!existsSync(file)) generate(file, { packets: n, format: 'pcap' });
  ip('link', 'del', TX);
  if (!ip('link', 'add', TX, 'type', 'veth', 'peer', 'name', RX)) throw new Error('cannot make a veth pair');
  for (const i of [TX, RX]) {
    spawnSync('sysctl', ['-qw', `net.ipv6.conf.${i}.disable_ipv6=1`], { stdio: 'ignore' });
    ip('link', 'set', i, 'up');
  }
  const rows: string[][] = [];
  let bestRef = 0, bestOurs = 0;
  const allKeys: number[] = [];
  try {
    for (const rate of values.rates!.split(',')) {
      const ref = await dumpcapAlone(file, rate);
      const ours = await rsttuiUi(file, rate, false);
      const keyed = await rsttuiUi(file, rate, true);
      const clean = (c: Counts & Replay): boolean => c.dropped === 0 && c.received >= c.sent;
      if (clean(ref)) bestRef = Math.max(bestRef, ref.pps);
      if (clean(ours)) bestOurs = Math.max(bestOurs, ours.pps);
      allKeys.push(...keyed.keys);
      const k = stats(keyed.keys);
      rows.push([rate, ref.pps.toFixed(0), `${ref.received}/${ref.dropped}`, ours.pps.toFixed(0), `${ours.received}/${ours.dropped}`,
        `${keyed.received}/${keyed.dropped}`, `${k.median.toFixed(1)} (${k.n}${k.timeouts ? `, ${k.timeouts} timed out` : ''})`]);
      console.error(`rate ${rate}: dumpcap ${rows.at(-1)![2]}, rsttui ${rows.at(-1)![4]}, with keys ${rows.at(-1)![5]}`);
    }
  } finally {
    ip('link', 'del', TX);
    rmSync(join(OUT, 'keepup.err'), { force: true });
  }
  const head = ['--pps', 'sent pps (dumpcap)', 'dumpcap alone recv/drop', 'sent pps (rsttui)', 'rsttui UI recv/drop', 'with keys recv/drop', 'key-to-repaint median ms (keys)'];
  const w = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
  console.log(`\nlive keep-up: ${n} packets replayed by tcpreplay onto a veth pair, captured on its other end (received counts include the few packets the kernel sends on a new link)`);
  console.log(head.map((h, k) => h.padStart(w[k]!)).join('  '));
  for (const r of rows) console.log(r.map((c, k) => c.padStart(w[k]!)).join('  '));
  const all = stats(allKeys);
  console.log(`highest rate with no drop: dumpcap alone ${bestRef.toFixed(0)} pps, rsttui with its UI ${bestOurs.toFixed(0)} pps (ratio ${(bestOurs / bestRef).toFixed(2)}; goal >= 0.5); ` +
    `key-to-repaint meanwhile: median ${all.median.toFixed(1)} ms, p90 ${all.p90.toFixed(1)} ms (goal: median <= 25)`);
}

await main();
