/**
 * The live UI's key-to-repaint while packets pour in (not part of `npm run bench`):
 *
 *   node dist/bench/live-ui.js [--packets 1000000] [--mbps 20]
 *
 * `rsttui --follow FIFO` in tmux at 80x24; the bench capture (bench/live.ts makes it) written into
 * the FIFO at --mbps MB/s; meanwhile `j`/`k` pressed every 100 ms, each timed until the selected
 * row moves (a tmux control-mode client polls the screen: its own cost is in the figures). The same
 * keys once the capture has been read, with nothing coming in, are the reference.
 */
import { parseArgs } from 'node:util';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { generate } from './gen.js';
import { ControlDriver, SESSION, killSession, press, selected, sleep, stats, tmux } from './ui-tmux.js';
import { BIN, OUT } from './paths.js';

const { values } = parseArgs({ options: { packets: { type: 'string', default: '1000000' }, mbps: { type: 'string', default: '20' } } });

const FEED = `
const fs = require('fs');
const [src, dst, mbps] = process.argv.slice(1);
const buf = fs.readFileSync(src); const fd = fs.openSync(dst, 'w'); const step = 1 << 18;
let o = 0; const t0 = Date.now();
(function next() {
  if (o >= buf.length) { fs.closeSync(fd); return; }
  fs.writeSync(fd, buf.subarray(o, o + step)); o += step;
  setTimeout(next, Math.max(0, o / (mbps * 1e6) * 1000 - (Date.now() - t0)));
})();`;

async function keys(d: ControlDriver, ms: number): Promise<number[]> {
  const out: number[] = [];
  const end = performance.now() + ms;
  let k = 0;
  while (performance.now() < end) {
    const before = selected((await d.capture()) ?? '');
    const key = k++ % 2 ? 'k' : 'j';
    const t = await press(d, key, true, (s) => selected(s) !== before && selected(s) !== '', 5000);
    out.push(t.ms);
    await sleep(100);
  }
  return out;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const n = Number(values.packets);
  const file = join(OUT, `live-${n}.pcap`);
  if (!existsSync(file)) generate(file, { packets: n, format: 'pcap' });
  const fifo = join(OUT, 'live-ui.fifo');
  rmSync(fifo, { force: true });
  spawnSync('mkfifo', [fifo]);
  killSession();
  tmux(['new', '-d', '-s', SESSION, '-x', '80', '-y', '24', `node ${BIN} --follow ${fifo}`]);
  const feeder = spawn('node', ['-e', FEED, file, fifo, values.mbps!], { stdio: 'ignore' });
  const d = await ControlDriver.open();
  try {
    await sleep(1500);
    const t0 = performance.now();
    // (the bench capture is ~100 bytes a packet: the feed lasts about that long)
    const storm = await keys(d, Math.max(2000, ((n * 100) / (Number(values.mbps) * 1e6)) * 1000 - 2000));
    const during = (performance.now() - t0) / 1000;
    await new Promise((r) => feeder.on('exit', r));
    await sleep(1500);
    const status = ((await d.capture()) ?? '').trim().split('\n').pop();
    const idle = await keys(d, 3000);
    const a = stats(storm), b = stats(idle);
    console.log(`key to repaint while ~${values.mbps} MB/s come in (${during.toFixed(1)} s): median ${a.median.toFixed(1)} ms, p90 ${a.p90.toFixed(1)} ms, max ${a.max.toFixed(1)} ms, ${a.n} keys, ${a.timeouts} timeouts`);
    console.log(`key to repaint afterwards, nothing coming in:        median ${b.median.toFixed(1)} ms, p90 ${b.p90.toFixed(1)} ms, max ${b.max.toFixed(1)} ms (ratio ${(a.median / b.median).toFixed(2)})`);
    console.log(`status bar at the end: ${status}`);
  } finally {
    d.close();
    feeder.kill();
    killSession();
    rmSync(fifo, { force: true });
  }
}

await main();
