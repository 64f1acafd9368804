/**
 * Each firewall reader at scale, side by side (part of `npm run bench`, after bench/logs.ts):
 * `rsttui flows --format ndjson` on a 1 M-line log of every vendor, written by that vendor's
 * deterministic generator (bench/gen-<vendor>.ts, listed in bench/vendor-gens.ts), against the ASA log of bench/gen-asa.ts and
 * `wc -l` of each file, measured in the same run. Not a test: it asserts nothing.
 *
 *   node dist/bench/log-vendors.js                  # 1 M lines each
 *   node dist/bench/log-vendors.js --lines 100000 --runs 1
 */
import { parseArgs } from 'node:util';
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAsaLog } from './gen-asa.js';
import { fmt, rsttui, table, timeCmd, warm } from './log-run.js';
import { generatedPieces, VENDOR_GENERATORS as VENDORS } from './vendor-gens.js';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'out');
// (not strict: `npm run bench -- --packets N` hands the packet part's arguments to this, the chain's last command)
const { values } = parseArgs({ strict: false, options: { lines: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '2' } } });
const LINES = Number(values.lines) || 1_000_000;
const RUNS = Math.max(1, Number(values.runs) || 2);
mkdirSync(OUT, { recursive: true });

/** A generated log written piece by piece (see generatedPieces). */
function writePieces(path: string, gen: (lines: number, seed?: number) => string): void {
  const fd = openSync(path, 'w');
  try {
    for (const text of generatedPieces(gen, LINES)) writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function ensure(name: string, write: (path: string) => void): string {
  const path = join(OUT, `${name}-${LINES}.log`);
  if (!existsSync(path)) {
    const t0 = performance.now();
    write(path);
    process.stderr.write(`generated ${name}-${LINES}.log: ${(statSync(path).size / 1e6).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  return path;
}

const inputs = [
  { name: 'ASA', path: ensure('asa', (p) => generateAsaLog(p, { lines: LINES })) },
  ...VENDORS.map((v) => ({ name: v.name, path: ensure(v.name.toLowerCase(), (p) => writePieces(p, v.gen)) })),
];
const rows: string[][] = [];
let asaUs = NaN;
for (const { name, path } of inputs) {
  warm([path]);
  const wc = timeCmd('wc', ['-l', path]).secs;
  const r = rsttui([path], RUNS);
  const us = (r.secs * 1e6) / LINES;
  if (name === 'ASA') asaUs = us;
  rows.push([name, (statSync(path).size / 1e6).toFixed(0), fmt(r.secs), fmt(us, 2), fmt(us / asaUs) + 'x', fmt((r.rssMB * 1048576) / LINES, 0), String(r.rows), fmt(r.secs / wc, 1) + 'x']);
}
console.log(`\nevery reader: rsttui flows --format ndjson on ${LINES} generated lines, best of ${RUNS} (file read once before each, untimed)`);
table(['vendor', 'MB', 'rsttui s', 'us/line', 'vs ASA', 'RSS B/line', 'rows', 'vs wc'], rows);
