/**
 * Mutations of binary captures (pcap, pcapng), from a seeded Rng: length and id fields set to
 * values that break readers (0, -1, huge, off by one, not a multiple of 4), records and blocks
 * duplicated, dropped, swapped or taken from another file, bit flips, byte sets, truncation,
 * random bytes. Each returns the new bytes and a few words saying what it did (the reproducer's
 * README line).
 */
import type { Rng } from './rng.js';
import { packetFields, walk, type Field } from './capture-walk.js';

export interface Mutated {
  bytes: Uint8Array;
  ops: string[];
}

const MAX: Record<number, number> = { 1: 0xff, 2: 0xffff, 4: 0xffffffff, 8: 0xffffffff };

function readField(b: Uint8Array, f: Field): number {
  if (f.off + f.size > b.length) return 0;
  let v = 0;
  const n = Math.min(f.size, 4);
  for (let k = 0; k < n; k++) v = v * 256 + b[f.off + (f.le ? n - 1 - k : k)]!;
  return v;
}

/** Write v into field f (8-byte fields: v in the low half, the high half all-ones when v is -1). */
export function writeField(b: Uint8Array, f: Field, v: number): void {
  if (f.off + f.size > b.length) return;
  if (f.size === 8) {
    const hi = v === -1 ? 0xffffffff : 0;
    const lo = v === -1 ? 0xffffffff : v >>> 0;
    writeField(b, { ...f, size: 4, off: f.le ? f.off : f.off + 4 }, lo);
    writeField(b, { ...f, size: 4, off: f.le ? f.off + 4 : f.off }, hi);
    return;
  }
  let x = v === -1 ? MAX[f.size]! : Math.max(0, Math.min(MAX[f.size]!, Math.floor(v)));
  for (let k = 0; k < f.size; k++) {
    b[f.off + (f.le ? k : f.size - 1 - k)] = x & 0xff;
    x = Math.floor(x / 256);
  }
}

/** A value chosen to break a reader of this field. */
function nastyValue(r: Rng, f: Field, cur: number): number {
  if (f.name === 'TCP data offset') return r.pick([0x00, 0x10, 0x40, 0x50, 0x60, 0xf0, cur ^ 0x10]);
  if (f.name === 'IPv4 version/IHL') return r.pick([0x40, 0x44, 0x45, 0x46, 0x4f, 0x55, 0x65, 0x00]);
  if (f.name === 'if_tsresol') return r.pick([0, 6, 9, 10, 19, 20, 63, 0x7f, 0x80, 0x8a, 0x9e, 0xbf, 0xff]);
  if (f.name === 'IPv6 next header' || f.name === 'IPv4 protocol') return r.pick([0, 6, 17, 43, 44, 50, 51, 59, 60, 255]);
  if (f.name === 'TCP flags') return r.int(256);
  if (f.name === 'IPv4 fragment field') return r.pick([0x2000, 0x0001, 0x4000, 0x3fff, 0xffff]);
  if (f.name === 'byte-order magic') return r.pick([0x1a2b3c4d, 0x4d3c2b1a, 0, -1]);
  if (f.name.endsWith('linktype')) return r.pick([0, 1, 12, 14, 101, 108, 113, 127, 228, 229, 239, 276, 0xffff, r.int(300)]);
  const max = MAX[f.size]!;
  return r.pick([
    0, 1, -1, max - 1, Math.floor(max / 2), Math.floor(max / 2) + 1, cur + 1, cur - 1, cur + 2, cur + 3, cur * 2,
    cur + 4, Math.max(0, cur - 4), r.int(16), 0x01000000, 262145, 65535, 65536, 0x00ffffff, r.u32() % (max + 1),
  ]);
}

function fieldsOf(b: Uint8Array, r: Rng): Field[] {
  const w = walk(b);
  const out = w.fields.slice();
  // the packet fields of a few records (all of them for small files)
  const recs = w.records.length <= 64 ? w.records : Array.from({ length: 16 }, () => r.pick(w.records));
  for (const rec of recs) out.push(...packetFields(b, rec));
  return out;
}

function opField(b: Uint8Array, r: Rng): string {
  const all = fieldsOf(b, r);
  if (all.length === 0) return opBitflip(b, r);
  // lengths first: they are what readers trust most
  const lengths = all.filter((f) => /length|caplen|origlen|snaplen|data offset|IHL/.test(f.name));
  const f = lengths.length && r.chance(0.7) ? r.pick(lengths) : r.pick(all);
  const cur = readField(b, f);
  const v = nastyValue(r, f, cur);
  writeField(b, f, v);
  return `${f.name} at ${f.off} ${cur} -> ${v === -1 ? 'all ones' : v}`;
}

function opBitflip(b: Uint8Array, r: Rng): string {
  if (b.length === 0) return 'bitflip (empty)';
  const n = r.range(1, 8);
  const at: number[] = [];
  for (let k = 0; k < n; k++) {
    const o = r.int(b.length);
    b[o] = b[o]! ^ (1 << r.int(8));
    at.push(o);
  }
  return `bit flips at ${at.join(',')}`;
}

function opByteset(b: Uint8Array, r: Rng): string {
  if (b.length === 0) return 'byteset (empty)';
  const o = r.int(b.length), n = Math.min(b.length - o, r.range(1, 8)), v = r.pick([0, 0xff, 0x7f, 0x80, 1, r.int(256)]);
  b.fill(v, o, o + n);
  return `bytes ${o}..${o + n - 1} set to ${v}`;
}

/** A cut near a unit boundary (where readers change state) or anywhere. */
function cutPoint(b: Uint8Array, r: Rng): number {
  const w = walk(b);
  if (w.units.length && r.chance(0.6)) {
    const [o, len] = r.pick(w.units);
    return Math.max(0, Math.min(b.length, o + r.pick([0, 1, 3, 4, 7, 8, 11, 12, 15, 16, 17, 20, 27, 28, len - 5, len - 4, len - 1, len, r.int(len)])));
  }
  return r.int(b.length + 1);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function splice(b: Uint8Array, at: number, del: number, ins: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length - del + ins.length);
  out.set(b.subarray(0, at), 0);
  out.set(ins, at);
  out.set(b.subarray(at + del), at + ins.length);
  return out;
}

/** Duplicate, drop or swap records (pcap) or blocks (pcapng), or splice in another file's. */
function opUnits(b: Uint8Array, r: Rng, other: Uint8Array | undefined): { bytes: Uint8Array; op: string } {
  const w = walk(b);
  if (w.units.length === 0) return { bytes: b, op: opBitflip(b, r) };
  const [o, len] = r.pick(w.units);
  const what = r.int(other ? 5 : 4);
  if (what === 0) return { bytes: splice(b, o, 0, b.slice(o, o + len)), op: `unit at ${o} (${len} bytes) duplicated` };
  if (what === 1) return { bytes: splice(b, o, len, new Uint8Array(0)), op: `unit at ${o} (${len} bytes) dropped` };
  if (what === 2) {
    const [o2, len2] = r.pick(w.units);
    if (o2 === o) return { bytes: b, op: 'unit swapped with itself' };
    const [a, al, c, cl] = o < o2 ? [o, len, o2, len2] : [o2, len2, o, len];
    const out = concat(b.subarray(0, a), b.subarray(c, c + cl), b.subarray(a + al, c), b.subarray(a, a + al), b.subarray(c + cl));
    return { bytes: out, op: `units at ${a} and ${c} swapped` };
  }
  if (what === 3) {
    // move a unit to the end (an SHB or IDB after the packets that need it)
    const out = concat(b.subarray(0, o), b.subarray(o + len), b.subarray(o, o + len));
    return { bytes: out, op: `unit at ${o} (${len} bytes) moved to the end` };
  }
  const ow = walk(other!);
  if (ow.units.length === 0) return { bytes: b, op: 'no units in the other file' };
  const [p, plen] = r.pick(ow.units);
  return { bytes: splice(b, o, 0, other!.slice(p, p + plen)), op: `another file's unit (${plen} bytes from ${p}) inserted at ${o}` };
}

/** One mutation of a binary capture. `other` is another capture of the same format, for splicing. */
export function mutateBinary(input: Uint8Array, r: Rng, other?: Uint8Array): Mutated {
  let b: Uint8Array = Uint8Array.from(input);
  const ops: string[] = [];
  const n = r.chance(0.6) ? 1 : r.range(2, 4);
  for (let k = 0; k < n; k++) {
    const x = r.int(100);
    if (x < 38) ops.push(opField(b, r));
    else if (x < 52) {
      const u = opUnits(b, r, other);
      b = u.bytes;
      ops.push(u.op);
    } else if (x < 64) ops.push(opBitflip(b, r));
    else if (x < 72) ops.push(opByteset(b, r));
    else if (x < 82) {
      const c = cutPoint(b, r);
      b = b.slice(0, c);
      ops.push(`truncated to ${c} bytes`);
    } else if (x < 88) {
      const at = cutPoint(b, r), ins = r.bytes(r.range(1, 64));
      b = splice(b, at, 0, ins);
      ops.push(`${ins.length} random bytes inserted at ${at}`);
    } else if (x < 93) {
      const at = r.int(b.length + 1), del = Math.min(b.length - at, r.range(1, 64));
      b = splice(b, at, del, new Uint8Array(0));
      ops.push(`${del} bytes deleted at ${at}`);
    } else if (x < 97) {
      const at = r.int(b.length + 1), len = Math.min(b.length - at, r.range(1, 256));
      b = splice(b, at, 0, b.slice(at, at + len));
      ops.push(`${len} bytes at ${at} repeated`);
    } else {
      // random bytes after the first unit's header: a believable start, then noise
      const keep = Math.min(b.length, r.pick([4, 8, 24, 28, 40, r.int(Math.max(1, b.length))]));
      const tail = r.bytes(r.range(0, 2048));
      b = concat(b.subarray(0, keep), tail);
      ops.push(`random bytes (${tail.length}) after the first ${keep}`);
    }
  }
  return { bytes: b, ops };
}
