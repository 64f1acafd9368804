/**
 * follow() (src/read/follow.ts, `--follow` and the capture tool's `-w` file) against a plain read
 * of the same bytes, in the same run: a whole file read to its end (follow with the writer already
 * done, vs fs.createReadStream with the same chunk size), and a file read while another process
 * appends to it in 64 KiB pieces (how far behind the reader is at the last write, and how long
 * after it it has every byte).
 * Not a test, and not part of `npm run bench`.
 *
 *   node dist/bench/follow-read.js               # 256 MB
 *   node dist/bench/follow-read.js --mb 64
 */
import { createReadStream, mkdtempSync, openSync, rmSync, closeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { follow } from '../src/read/follow.js';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '256' } } });
const MB = Number(values.mb);
const CHUNK = 1 << 20;
const dir = mkdtempSync(join(tmpdir(), 'rsttui-follow-bench-'));
const path = join(dir, 'f.bin');
const piece = Buffer.alloc(64 * 1024, 0x61);

async function plain(): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  for await (const c of createReadStream(path, { highWaterMark: CHUNK })) n += (c as Buffer).length;
  if (n !== MB << 20) throw new Error(`plain read ${n}`);
  return (performance.now() - t0) / 1000;
}

async function followed(): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  for await (const c of follow(path, { drainOn: Promise.resolve(), chunkBytes: CHUNK })) n += c.length;
  if (n !== MB << 20) throw new Error(`follow read ${n}`);
  return (performance.now() - t0) / 1000;
}

/** Another process appends 64 KiB pieces as fast as it can while follow() reads. */
async function growing(): Promise<{ secs: number; lagMs: number; behindMB: number }> {
  closeSync(openSync(path, 'w'));
  let finish!: () => void;
  const drain = new Promise<void>((r) => (finish = r));
  let n = 0;
  const t0 = performance.now();
  const reader = (async () => {
    for await (const c of follow(path, { drainOn: drain, chunkBytes: CHUNK, pollMs: 250 })) n += c.length;
  })();
  const code = `const fs = require('fs'); const fd = fs.openSync(${JSON.stringify(path)}, 'a'); const b = Buffer.alloc(65536, 97);
    for (let i = 0; i < ${(MB << 20) / piece.length}; i++) fs.writeSync(fd, b);`;
  await new Promise((r) => spawn(process.execPath, ['-e', code], { stdio: 'inherit' }).on('exit', r));
  const tw = performance.now();
  const behindMB = ((MB << 20) - n) / 1048576;
  finish();
  await reader;
  if (n !== MB << 20) throw new Error(`growing read ${n}`);
  return { secs: (performance.now() - t0) / 1000, lagMs: performance.now() - tw, behindMB };
}

try {
  const g = await growing(); // (also writes the file the other two read)
  const best = async (f: () => Promise<number>) => Math.min(await f(), await f(), await f());
  const p = await best(plain);
  const f = await best(followed);
  console.log(`follow() vs a plain read of ${MB} MB (page cache), best of 3; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores:`);
  console.log(`  fs.createReadStream  ${p.toFixed(3)} s  ${(MB / p).toFixed(0)} MB/s`);
  console.log(`  follow(), file done  ${f.toFixed(3)} s  ${(MB / f).toFixed(0)} MB/s  (${(p / f).toFixed(2)}x the plain read's speed)`);
  console.log(`  follow() while another process appends 64 KiB pieces: ${g.secs.toFixed(3)} s for writing and reading; at the last write the reader was ${g.behindMB.toFixed(1)} MB behind, and had it all ${g.lagMs.toFixed(0)} ms later`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
