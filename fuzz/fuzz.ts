/**
 * The fuzz harness: `npm run fuzz -- --n N --seed S [--kinds pcap,pcapng,...] [--keep DIR]
 * [--jobs J] [--limit SECONDS]`, or `--ui` for the key storm. Every kind of fixture is mutated
 * from the seed (inputs.ts), each input runs in a child process under a time limit (pool.ts,
 * check.ts), and an input that fails is kept as a reproducer with a README line.
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { KINDS, loadCorpus, makeInput, type Kind } from './inputs.js';
import { Pool } from './pool.js';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found');
    dir = up;
  }
  return dir;
}

export const ROOT = findRoot();

export interface FuzzOptions {
  n: number;
  seed: number;
  kinds?: readonly Kind[];
  /** where reproducers go (default fixtures/fuzz); undefined: kept nowhere */
  keep?: string | undefined;
  jobs?: number;
  /** per-input time limit, ms (default 10 s) */
  limitMs?: number;
  /** first input index (default 0) */
  from?: number;
  onInput?: (done: number, n: number) => void;
}

export interface FuzzFailure {
  kind: Kind;
  i: number;
  /** the reproducer's file names (in keep) */
  names: string[];
  what: string;
  faults: string[];
}

export interface FuzzReport {
  inputs: number;
  perKind: Record<string, number>;
  failures: FuzzFailure[];
  ms: number;
  /** the slowest input, ms */
  slowest: number;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const t0 = performance.now();
  const kinds = o.kinds ?? KINDS;
  const corpus = loadCorpus(join(ROOT, 'fixtures'));
  const work = mkdtempSync(join(tmpdir(), 'rsttui-fuzz-'));
  const pool = new Pool(o.jobs ?? 1, o.limitMs ?? 10_000);
  const perKind: Record<string, number> = {};
  const failures: FuzzFailure[] = [];
  let next = o.from ?? 0, done = 0, slowest = 0;
  const end = (o.from ?? 0) + o.n;
  const one = async (i: number): Promise<void> => {
    const input = makeInput(corpus, o.seed, i, kinds);
    perKind[input.kind] = (perKind[input.kind] ?? 0) + 1;
    const dir = join(work, String(i));
    mkdirSync(join(dir, 'out'), { recursive: true });
    const paths = input.files.map((f, k) => join(dir, `in${k}.${f.ext}`));
    input.files.forEach((f, k) => writeFileSync(paths[k]!, f.bytes));
    const r = await pool.run(i, paths, join(dir, 'out'));
    slowest = Math.max(slowest, r.ms);
    if (r.faults.length) {
      const stem = `${input.kind}-${o.seed}-${i}`;
      const names = input.files.map((f, k) => (input.files.length === 1 ? `${stem}.${f.ext}` : `${stem}-${k}.${f.ext}`));
      if (o.keep !== undefined) {
        mkdirSync(o.keep, { recursive: true });
        input.files.forEach((f, k) => writeFileSync(join(o.keep!, names[k]!), f.bytes));
        const first = r.faults[0]!.split('\n')[0]!;
        appendFileSync(join(o.keep, 'README.md'), `- ${names.map((x) => `\`${x}\``).join(' + ')}: seed ${o.seed} input ${i} (${input.kind}), ${input.what}. Failed: ${first}\n`);
      }
      failures.push({ kind: input.kind, i, names, what: input.what, faults: r.faults });
    }
    rmSync(dir, { recursive: true, force: true });
    o.onInput?.(++done, o.n);
  };
  const lanes = Array.from({ length: o.jobs ?? 1 }, async () => {
    while (next < end) await one(next++);
  });
  try {
    await Promise.all(lanes);
  } finally {
    pool.close();
    rmSync(work, { recursive: true, force: true });
  }
  return { inputs: o.n, perKind, failures, ms: performance.now() - t0, slowest };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      n: { type: 'string', default: '300' },
      seed: { type: 'string', default: '1' },
      from: { type: 'string', default: '0' },
      kinds: { type: 'string' },
      keep: { type: 'string' },
      jobs: { type: 'string', default: '1' },
      limit: { type: 'string', default: '10' },
      ui: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write('npm run fuzz -- [--n N] [--seed S] [--from I] [--kinds ' + KINDS.join(',') + '] [--keep DIR] [--jobs J] [--limit SECONDS]\nnpm run fuzz -- --ui [--n STORMS] [--seed S]\n');
    return 0;
  }
  const n = Number(values.n), seed = Number(values.seed);
  if (values.ui) {
    const { runStorms } = await import('./ui-storm.js');
    const t0 = performance.now();
    const r = await runStorms({ storms: n, seed, keys: 400 });
    process.stdout.write(`ui storms: ${r.storms} (${r.keys} keys) over ${r.scenarios.join(', ')}: ${r.failures.length} failure(s) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    for (const f of r.failures) process.stdout.write(`  ${f}\n`);
    return r.failures.length ? 1 : 0;
  }
  const kinds = values.kinds ? (values.kinds.split(',') as Kind[]) : KINDS;
  const bad = kinds.filter((k) => !KINDS.includes(k));
  if (bad.length) {
    process.stderr.write(`unknown kind(s) ${bad.join(', ')}: ${KINDS.join(', ')}\n`);
    return 2;
  }
  const tty = process.stderr.isTTY;
  const r = await runFuzz({
    n, seed, kinds, from: Number(values.from), keep: values.keep ?? join(ROOT, 'fixtures', 'fuzz'), jobs: Number(values.jobs), limitMs: Number(values.limit) * 1000,
    onInput: (d, total) => { if (tty && (d % 10 === 0 || d === total)) process.stderr.write(`\r${d}/${total}`); },
  });
  if (tty) process.stderr.write('\n');
  process.stdout.write(`${r.inputs} inputs (${Object.entries(r.perKind).map(([k, v]) => `${k} ${v}`).join(', ')}) in ${(r.ms / 1000).toFixed(1)} s, slowest ${(r.slowest / 1000).toFixed(2)} s: ${r.failures.length} failure(s)\n`);
  for (const f of r.failures) process.stdout.write(`  ${f.names.join(' + ')}: ${f.what}\n    ${f.faults.join('\n    ')}\n`);
  return r.failures.length ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then((code) => process.exit(code), (e: unknown) => {
    process.stderr.write(`fuzz: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(2);
  });
}
