/**
 * Mutations of line-oriented inputs (firewall logs of every vendor, SIEM JSON lines, text packet
 * listings), from a seeded Rng: lines dropped, repeated, swapped, put out of order, spliced in
 * from another vendor's log, cut; numbers and addresses replaced by values that break parsers;
 * control characters, escape sequences and invalid UTF-8; very long lines; other line endings;
 * broken JSON. The text is handled as latin1 so that every byte survives as one character.
 */
import type { Rng } from './rng.js';
import type { Mutated } from './mutate-bin.js';

const NUMBERS = ['0', '-1', '4294967295', '4294967296', '65535', '65536', '256', '99999999999999999999', '1e308', '000000000000000000000001', 'NaN', '9007199254740993', '-0', '2147483648'];
const ADDRESSES = ['999.999.1.1', '1.2.3', '1.2.3.4.5', '::', '::ffff:1.2.3.4', 'fe80::1%eth0', '2001:db8::1::2', '0.0.0.0', '255.255.255.255', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', ''];
const NASTY = ['\x00', '\x1b[2J', '\x1b]0;title\x07', '\x07', '\x7f', '\x9b31m', '\r', '\t', '\x85', '\xff', '\xc3', '\xe2\x82', '\xef\xbb\xbf', '\\', '"', "'", '%', '%n%s', '{', '}', '[', ']'];

function lines(s: string): string[] {
  return s.split('\n');
}

/** A random line index that holds something (the last element after a final newline is ''). */
function someLine(ls: string[], r: Rng): number {
  for (let k = 0; k < 8; k++) {
    const i = r.int(ls.length);
    if (ls[i]!.length > 0) return i;
  }
  return r.int(ls.length);
}

function replaceRun(s: string, re: RegExp, r: Rng, by: string): { s: string; was?: string } {
  const hits = [...s.matchAll(re)];
  if (hits.length === 0) return { s };
  const m = r.pick(hits);
  return { s: s.slice(0, m.index) + by + s.slice(m.index! + m[0].length), was: m[0] };
}

/** One mutation of a line-oriented input. `other` is another log (any vendor) to splice lines from. */
export function mutateText(input: Uint8Array, r: Rng, other?: Uint8Array): Mutated {
  let text = Buffer.from(input).toString('latin1');
  const ops: string[] = [];
  const n = r.chance(0.55) ? 1 : r.range(2, 5);
  for (let k = 0; k < n; k++) {
    const ls = lines(text);
    const i = someLine(ls, r);
    const x = r.int(100);
    if (x < 8) {
      const c = r.range(1, Math.max(1, Math.min(5, ls.length)));
      ls.splice(i, c);
      ops.push(`${c} line(s) dropped at line ${i + 1}`);
    } else if (x < 14) {
      ls.splice(i, 0, ls[i]!);
      ops.push(`line ${i + 1} repeated`);
    } else if (x < 19) {
      const j = r.int(ls.length);
      [ls[i], ls[j]] = [ls[j]!, ls[i]!];
      ops.push(`lines ${i + 1} and ${j + 1} swapped`);
    } else if (x < 22) {
      const c = Math.min(ls.length - i, r.range(2, 20));
      ls.splice(i, c, ...ls.slice(i, i + c).reverse());
      ops.push(`lines ${i + 1}..${i + c} reversed`);
    } else if (x < 34 && other) {
      // lines of another vendor's log, spliced in (or interleaved with these)
      const ol = lines(Buffer.from(other).toString('latin1')).filter((l) => l.length > 0);
      const c = r.range(1, Math.max(1, Math.min(ol.length, 12)));
      const from = r.int(Math.max(1, ol.length - c + 1));
      if (r.chance(0.3)) {
        for (let q = 0; q < c; q++) ls.splice(r.int(ls.length + 1), 0, ol[from + q] ?? '');
        ops.push(`${c} lines of another log interleaved`);
      } else {
        ls.splice(i, 0, ...ol.slice(from, from + c));
        ops.push(`${c} lines of another log inserted at line ${i + 1}`);
      }
    } else if (x < 40) {
      const l = ls[i]!;
      const at = r.int(l.length + 1);
      ls[i] = l.slice(0, at);
      ops.push(`line ${i + 1} cut after ${at} characters`);
    } else if (x < 54) {
      const by = r.pick(NUMBERS);
      const m = replaceRun(ls[i]!, /\d+/g, r, by);
      ls[i] = m.s;
      ops.push(`line ${i + 1}: number ${m.was ?? '(none)'} -> ${by}`);
    } else if (x < 60) {
      const by = r.pick(ADDRESSES);
      const m = replaceRun(ls[i]!, /\d+\.\d+\.\d+\.\d+|[0-9a-f]*:[0-9a-f:]+/gi, r, by);
      ls[i] = m.s;
      ops.push(`line ${i + 1}: address ${m.was ?? '(none)'} -> ${JSON.stringify(by)}`);
    } else if (x < 68) {
      const l = ls[i]!, at = r.int(l.length + 1), by = r.pick(NASTY);
      ls[i] = l.slice(0, at) + by + l.slice(at);
      ops.push(`line ${i + 1}: ${JSON.stringify(by)} inserted at ${at}`);
    } else if (x < 72) {
      // a separator or quote removed (key=value, CSV, JSON, structured data)
      const m = replaceRun(ls[i]!, /[=,";:{}[\]<>|]/g, r, r.pick(['', ' ', '""', '=', ',']));
      ls[i] = m.s;
      ops.push(`line ${i + 1}: ${JSON.stringify(m.was ?? '')} replaced`);
    } else if (x < 75) {
      const l = ls[i]!, at = r.int(l.length + 1), piece = l.slice(at, at + r.range(1, 40)) || 'x';
      const times = r.range(100, 4000);
      ls[i] = l.slice(0, at) + piece.repeat(times) + l.slice(at);
      ops.push(`line ${i + 1}: ${piece.length} characters repeated ${times} times`);
    } else if (x < 78) {
      const c = r.range(1, 50);
      ls.splice(i, 0, ...Array.from({ length: c }, () => r.pick(['', ' ', '\t', '\r', ' \r'])));
      ops.push(`${c} empty lines at line ${i + 1}`);
    } else if (x < 81) {
      const eol = r.pick(['\r\n', '\r', '\n\n', '\x00']);
      text = ls.join(eol);
      ops.push(`line endings ${JSON.stringify(eol)}`);
      continue;
    } else if (x < 83) {
      const bom = r.pick(['\xef\xbb\xbf', '\xff\xfe', '\xfe\xff']);
      text = bom + text;
      ops.push(`BOM ${JSON.stringify(bom)} prepended`);
      continue;
    } else if (x < 86) {
      const depth = r.pick([2, 50, 1000, 5000]);
      ls.splice(i, 0, '{"message":' + '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) + '}');
      ops.push(`JSON nested ${depth} deep at line ${i + 1}`);
    } else if (x < 89) {
      const by = r.pick(['null', '[]', '{}', '12', '"', 'true', '"\\u0000"', '"\\ud800"']);
      const m = replaceRun(ls[i]!, /"[^"]*"/g, r, by);
      ls[i] = m.s;
      ops.push(`line ${i + 1}: string ${JSON.stringify(m.was ?? '')} -> ${by}`);
    } else if (x < 92) {
      ls.splice(i, 0, Buffer.from(r.bytes(r.range(1, 200))).toString('latin1'));
      ops.push(`random bytes line at ${i + 1}`);
    } else if (x < 96) {
      const cut = r.int(text.length + 1);
      text = text.slice(0, cut);
      ops.push(`truncated to ${cut} characters`);
      continue;
    } else {
      const b = Buffer.from(text, 'latin1');
      const f = r.range(1, 6);
      for (let q = 0; q < f && b.length; q++) {
        const o = r.int(b.length);
        b[o] = b[o]! ^ (1 << r.int(8));
      }
      text = b.toString('latin1');
      ops.push(`${f} bit flips`);
      continue;
    }
    text = ls.join('\n');
  }
  return { bytes: Buffer.from(text, 'latin1'), ops };
}
