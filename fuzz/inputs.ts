/**
 * The fuzz corpus (every fixture of the repository, by kind) and input `i` of seed `s`: the kind
 * is taken in turn, the base fixture and the mutations from `rngFor(s, i)` alone.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { concat, mutateBinary } from './mutate-bin.js';
import { mutateText } from './mutate-text.js';
import { rngFor, type Rng } from './rng.js';

export const KINDS = ['pcap', 'pcapng', 'gzip', 'log', 'siem', 'text', 'mixed'] as const;
export type Kind = (typeof KINDS)[number];

export interface Fixture {
  /** path relative to fixtures/ */
  rel: string;
  bytes: Uint8Array;
}

export type Corpus = Record<Exclude<Kind, 'mixed'>, Fixture[]> & { groups: Fixture[][] };

const DIRS = ['formats', 'tcp', 'demo', 'malformed', 'logs', 'text'];
const SKIP = /(^|\/)README\.md$|\.(ts|py|sh|mjs|js)$/;

/** Sets of inputs that belong together (captures of one traffic and its firewall's log). */
const GROUPS = [
  ['demo/inside.pcap', 'demo/outside.pcap', 'demo/asa.log'],
  ['text/seed-inside.txt', 'text/seed-outside.txt', 'text/seed-clean.txt', 'logs/seed-asa.log'],
  ['logs/netfilter/router-inside.pcap', 'logs/netfilter/router-outside.pcap', 'logs/netfilter/router.log'],
  ['tcp/fin-then-rst-late.pcap', 'logs/pf/seed-pf-capture.log'],
  ['text/seed-inside.txt', 'logs/fortigate/seed-fortigate.log'],
  ['text/seed-outside.txt', 'logs/panos/seed-fin.log', 'logs/srx/seed-srx.log', 'logs/ftd/seed-ftd.log'],
];

function kindOf(rel: string, b: Uint8Array): Exclude<Kind, 'mixed'> | undefined {
  const m = b.length >= 4 ? Buffer.from(b.subarray(0, 4)).readUInt32LE(0) : 0;
  if ([0xa1b2c3d4, 0xa1b23c4d, 0xd4c3b2a1, 0x4d3cb2a1].includes(m)) return 'pcap';
  if (m === 0x0a0d0d0a) return 'pcapng';
  if (b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (rel.startsWith('logs/siem/')) return 'siem';
  if (rel.startsWith('logs/')) return 'log';
  if (rel.startsWith('text/') || rel.startsWith('malformed/')) return 'text';
  return undefined;
}

export function loadCorpus(fixturesDir: string): Corpus {
  const c: Corpus = { pcap: [], pcapng: [], gzip: [], log: [], siem: [], text: [], groups: [] };
  const byRel = new Map<string, Fixture>();
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) visit(p);
      else {
        const rel = relative(fixturesDir, p).split('\\').join('/');
        if (SKIP.test(rel)) continue;
        const f = { rel, bytes: new Uint8Array(readFileSync(p)) };
        const k = kindOf(rel, f.bytes);
        if (k) {
          c[k].push(f);
          byRel.set(rel, f);
        }
      }
    }
  };
  for (const d of DIRS) visit(join(fixturesDir, d));
  for (const g of GROUPS) {
    const fs = g.map((rel) => byRel.get(rel));
    if (fs.every((f) => f !== undefined)) c.groups.push(fs as Fixture[]);
  }
  return c;
}

/** One file of an input: its extension and bytes. */
export interface InputFile {
  ext: string;
  bytes: Uint8Array;
}

export interface FuzzInput {
  kind: Kind;
  seed: number;
  i: number;
  files: InputFile[];
  /** what was done, for the reproducer's README line */
  what: string;
}

/** A gzip fixture's content (a truncated one's, as far as it goes). */
function gunzip(b: Uint8Array): Uint8Array {
  return new Uint8Array(gunzipSync(b, { finishFlush: constants.Z_SYNC_FLUSH }));
}

function extOf(f: Fixture): string {
  const k = kindOf(f.rel, f.bytes);
  return k === 'pcap' ? 'pcap' : k === 'pcapng' ? 'pcapng' : k === 'gzip' ? 'gz' : k === 'siem' ? 'ndjson' : k === 'text' ? 'txt' : 'log';
}

const isBinary = (f: Fixture): boolean => {
  const k = kindOf(f.rel, f.bytes);
  return k === 'pcap' || k === 'pcapng' || k === 'gzip';
};

/** Mutate one fixture by its kind; a binary one with another of the same format to splice from. */
function mutateFixture(c: Corpus, f: Fixture, r: Rng): { bytes: Uint8Array; ops: string[] } {
  if (isBinary(f)) {
    const plain = f.bytes[0] === 0x1f ? gunzip(f.bytes) : f.bytes;
    const same = [...c.pcap, ...c.pcapng].filter((o) => o.bytes[0] === plain[0]);
    const m = mutateBinary(plain, r, same.length ? r.pick(same).bytes : undefined);
    return f.bytes[0] === 0x1f ? { bytes: new Uint8Array(gzipSync(m.bytes)), ops: ['gunzipped', ...m.ops, 'gzipped again'] } : m;
  }
  const others = [...c.log, ...c.siem, ...c.text].filter((o) => o.rel !== f.rel);
  return mutateText(f.bytes, r, others.length ? r.pick(others).bytes : undefined);
}

function makeGzip(c: Corpus, r: Rng): { bytes: Uint8Array; what: string } {
  const textual = r.chance(0.12);
  const base = textual ? r.pick([...c.log, ...c.text]) : r.pick([...c.gzip, ...c.pcap, ...c.pcapng]);
  let inner = base.bytes[0] === 0x1f && base.bytes[1] === 0x8b ? gunzip(base.bytes) : base.bytes;
  const ops: string[] = [];
  if (r.chance(0.7)) {
    const m = textual ? mutateText(inner, r) : mutateBinary(inner, r, r.pick([...c.pcap, ...c.pcapng]).bytes);
    inner = m.bytes;
    ops.push(...m.ops);
  }
  let z: Uint8Array = new Uint8Array(gzipSync(inner, { level: r.pick([1, 6, 9]) }));
  const x = r.int(100);
  if (x < 30) {
    const cut = r.int(z.length);
    z = z.slice(0, cut);
    ops.push(`gzip truncated to ${cut} bytes`);
  } else if (x < 40) {
    const at = 10 + r.int(Math.max(1, z.length - 10));
    z[at] = z[at]! ^ (1 << r.int(8));
    ops.push(`bit flip in the gzip stream at ${at}`);
  } else if (x < 48) {
    z = concat(z, r.bytes(r.range(1, 64)));
    ops.push('garbage after the gzip member');
  } else if (x < 56) {
    z = concat(z, new Uint8Array(gzipSync(r.pick([...c.pcap, ...c.log]).bytes)));
    ops.push('a second gzip member appended');
  } else if (x < 60) {
    z = new Uint8Array(gzipSync(z));
    ops.push('gzipped twice');
  } else if (x < 64) {
    z = z.slice(0, r.range(0, 12));
    ops.push(`gzip header only (${z.length} bytes)`);
  }
  return { bytes: z, what: `${base.rel}: ${ops.join('; ') || 'gzipped unchanged'}` };
}

/** Input i of seed s, of the kinds given (taken in turn). */
export function makeInput(c: Corpus, seed: number, i: number, kinds: readonly Kind[]): FuzzInput {
  const kind = kinds[i % kinds.length]!;
  const r = rngFor(seed, i);
  const one = (f: Fixture): FuzzInput => {
    const m = mutateFixture(c, f, r);
    return { kind, seed, i, files: [{ ext: extOf(f), bytes: m.bytes }], what: `${f.rel}: ${m.ops.join('; ')}` };
  };
  switch (kind) {
    case 'pcap':
    case 'pcapng':
    case 'log':
    case 'siem':
    case 'text':
      return one(r.pick(c[kind]));
    case 'gzip': {
      const g = makeGzip(c, r);
      return { kind, seed, i, files: [{ ext: 'gz', bytes: g.bytes }], what: g.what };
    }
    case 'mixed': {
      // a group that belongs together, or any captures with any log; at least one member mutated
      const group = c.groups.length && r.chance(0.6)
        ? r.pick(c.groups)
        : [r.pick([...c.pcap, ...c.pcapng, ...c.text]), ...(r.chance(0.4) ? [r.pick([...c.pcap, ...c.text])] : []), r.pick([...c.log, ...c.siem])];
      const hit = r.int(group.length);
      const files: InputFile[] = [];
      const what: string[] = [];
      group.forEach((f, k) => {
        if (k === hit || r.chance(0.3)) {
          const m = mutateFixture(c, f, r);
          files.push({ ext: extOf(f), bytes: m.bytes });
          what.push(`${f.rel}: ${m.ops.join('; ')}`);
        } else {
          files.push({ ext: extOf(f), bytes: f.bytes });
          what.push(`${f.rel} unchanged`);
        }
      });
      return { kind, seed, i, files, what: what.join(' + ') };
    }
  }
}
