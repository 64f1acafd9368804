/**
 * AST -> row predicate `(i) => boolean` over a FilterTarget. Everything that does not depend on
 * the row is done here, once: values are parsed and validated (enum names with did-you-mean,
 * CIDRs, regexes), address and port tests become lookup tables, bare words are resolved, and a
 * fuzzy search runs once into a bitmap. Errors are thrown as FilterSyntaxError and turned into a
 * FilterError by the public API.
 *
 * Quantifiers follow Wireshark 4 for fields with several values (`ip.addr`, `tcp.port`,
 * `anomaly`, `vantage`, `fw.*`): `==` `<` `contains` `matches` `in` hold when ANY value does;
 * `!=` is "all not equal", i.e. `a != b` is exactly `!(a == b)`; `===` is "all equal" and `!==`
 * "any not equal".
 */
import { cidrTest, compareAddr, looksLikeAddrPrefix, parseCidr, parseIp } from './addr.js';
import {
  BARE_ENUM_FIELDS,
  FIELD_BY_NAME,
  type FieldDef,
  type NumField,
  type NumTest,
  type Quant,
  type RowTest,
  type StrTest,
} from './fields.js';
import { fuzzyBitmap } from './fuzzy.js';
import { closest } from './suggest.js';
import { FilterSyntaxError, printable } from './lexer.js';
import type { CmpOp, Expr, SetItem, Value } from './parse.js';
import type { FilterTarget } from './target.js';

export interface Compiled {
  test: RowTest;
  /** some part of the filter was a fuzzy search: the UI says so */
  fuzzy: boolean;
}

const ALWAYS: RowTest = () => true;

const fail = (message: string, v: { pos: Value['pos'] }, hint?: string): never => {
  throw new FilterSyntaxError(message, v.pos, hint);
};

function liftP(f: FieldDef, t: FilterTarget, p: NumTest | StrTest, q: Quant): RowTest {
  // the compiler builds string predicates for string fields and number predicates for the others
  return f.type === 'string' ? f.lift(t, p as StrTest, q) : f.lift(t, p as NumTest, q);
}

const art = (w: string): string => (/^[aeiou]/.test(w) ? 'an ' : 'a ') + w;

const NUM_RE = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function numValue(f: FieldDef, v: Value): number {
  const s = v.text.trim();
  const n = NUM_RE.test(s) || /^0x[0-9a-f]+$/i.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(n)) fail(`'${printable(v.text)}' is not a number (${f.name} is ${art(f.type)})`, v);
  if (f.type === 'port' && !(Number.isInteger(n) && n >= 0 && n <= 65535)) {
    fail(`port ${printable(v.text)} is out of range`, v, 'ports are 0..65535');
  }
  return n;
}

function boolValue(f: FieldDef, v: Value): number {
  const s = v.text.toLowerCase();
  if (s === '1' || s === 'true') return 1;
  if (s === '0' || s === 'false') return 0;
  return fail(`'${printable(v.text)}' is not a boolean (${f.name})`, v, 'use 1, 0, true or false');
}

function enumIndex(f: NumField, v: Value, t: FilterTarget): number {
  const names = f.values!(t);
  let k = names.indexOf(v.text);
  if (k !== -1) return k;
  const lower = v.text.toLowerCase();
  const ci = names.filter((n) => n.toLowerCase() === lower);
  if (ci.length === 1) return names.indexOf(ci[0]!);
  const s = closest(v.text, names);
  const hint =
    s !== undefined
      ? `did you mean ${s}?`
      : names.length === 0
        ? `no ${f.name} names are known`
        : `one of: ${names.join(', ')}`;
  return fail(`unknown ${f.name} '${printable(v.text)}'`, v, hint);
}

/** The test `value == v` over one value of field `f`. */
function eqPred(f: FieldDef, v: Value, t: FilterTarget): NumTest | StrTest {
  switch (f.type) {
    case 'address': {
      const r = parseCidr(v.text);
      if (!r.ok) return fail(printable(r.error), v, r.hint);
      return cidrTest(t, r.cidr);
    }
    case 'port':
    case 'number': {
      const n = numValue(f, v);
      return (x: number) => x === n;
    }
    case 'boolean': {
      const b = boolValue(f, v);
      return (x: number) => x === b;
    }
    case 'enum': {
      const k = enumIndex(f, v, t);
      return (x: number) => x === k;
    }
    case 'string': {
      const s = v.text;
      return (x: string) => x === s;
    }
  }
}

function rangePred(f: FieldDef, it: Required<SetItem>, t: FilterTarget): NumTest {
  if (f.type === 'port' || f.type === 'number') {
    const lo = numValue(f, it.lo);
    const hi = numValue(f, it.hi);
    if (lo > hi) fail(`empty range ${printable(it.lo.text)}..${printable(it.hi.text)}`, it.lo, 'write the smaller bound first');
    return (x) => x >= lo && x <= hi;
  }
  if (f.type === 'address') {
    const lo = parseIp(it.lo.text);
    const hi = parseIp(it.hi.text);
    if (lo === null) return fail(`'${printable(it.lo.text)}' is not an IP address`, it.lo);
    if (hi === null) return fail(`'${printable(it.hi.text)}' is not an IP address`, it.hi);
    const c = compareAddr(lo, hi);
    if (c === null) return fail('a range of addresses needs two addresses of the same family', it.lo);
    if (c > 0) fail(`empty range ${printable(it.lo.text)}..${printable(it.hi.text)}`, it.lo, 'write the smaller bound first');
    return (id) => {
      const a = t.addrs.bytes(id);
      const x = compareAddr(a, lo);
      const y = compareAddr(a, hi);
      return x !== null && y !== null && x >= 0 && y <= 0;
    };
  }
  return fail(`a range needs numbers, ports or addresses (${f.name} is ${art(f.type)})`, it.lo);
}

function textPred(op: 'contains' | 'matches', v: Value): StrTest {
  if (op === 'contains') {
    const s = v.text;
    return (x) => x.includes(s);
  }
  // Wireshark's `matches` is case-insensitive; `(?-i)` in front turns that off, as in PCRE2
  let src = v.text;
  let flags = 'i';
  if (src.startsWith('(?-i)')) {
    src = src.slice(5);
    flags = '';
  } else if (src.startsWith('(?i)')) src = src.slice(4);
  let re: RegExp;
  try {
    re = new RegExp(src, flags);
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e);
    return fail(`bad regex: ${printable(why)}`, v);
  }
  return (x) => re.test(x);
}

function compare(node: Extract<Expr, { kind: 'compare' }>, t: FilterTarget): RowTest {
  const f = FIELD_BY_NAME.get(node.field)!;
  const op: CmpOp = node.op;
  const at = { pos: node.opPos };
  if (op === 'contains' || op === 'matches') {
    const sp = textPred(op, node.value);
    if (f.type === 'string') return f.lift(t, sp, 'any');
    if (f.type === 'enum') {
      const names = f.values!(t);
      return f.lift(t, (k) => sp(names[k] ?? ''), 'any');
    }
    if (f.type === 'address') return f.lift(t, (id) => sp(t.addrs.text(id)), 'any');
    return fail(`'${op}' needs a text field, and ${f.name} is ${art(f.type)}`, at);
  }
  if (op === '<' || op === '>' || op === '<=' || op === '>=') {
    const cmp: (c: number) => boolean =
      op === '<' ? (c) => c < 0 : op === '>' ? (c) => c > 0 : op === '<=' ? (c) => c <= 0 : (c) => c >= 0;
    if (f.type === 'port' || f.type === 'number') {
      const n = numValue(f, node.value);
      // specialized closures: these run once per row on the hot path
      const p: NumTest = op === '<' ? (x) => x < n : op === '>' ? (x) => x > n : op === '<=' ? (x) => x <= n : (x) => x >= n;
      return f.lift(t, p, 'any');
    }
    if (f.type === 'address') {
      const ip = parseIp(node.value.text);
      if (ip === null) return fail(`'${printable(node.value.text)}' is not an IP address`, node.value, 'ordering needs one address, not a block');
      return f.lift(
        t,
        (id) => {
          const c = compareAddr(t.addrs.bytes(id), ip);
          return c !== null && cmp(c);
        },
        'any',
      );
    }
    return fail(`'${op}' needs a number or an address, and ${f.name} is ${art(f.type)}`, at);
  }
  const eq = eqPred(f, node.value, t);
  switch (op) {
    case '==':
      return liftP(f, t, eq, 'any');
    case '!=': {
      const r = liftP(f, t, eq, 'any');
      return (i) => !r(i);
    }
    case '===':
      return liftP(f, t, eq, 'all');
    case '!==':
      if (f.type === 'string') return f.lift(t, (x) => !(eq as StrTest)(x), 'any');
      return f.lift(t, (x) => !(eq as NumTest)(x), 'any');
  }
}

function inSet(node: Extract<Expr, { kind: 'in' }>, t: FilterTarget): RowTest {
  const f = FIELD_BY_NAME.get(node.field)!;
  const preds = node.items.map((it) => (it.hi !== undefined ? rangePred(f, { lo: it.lo, hi: it.hi }, t) : eqPred(f, it.lo, t)));
  if (f.type === 'string') {
    const ps = preds as StrTest[];
    return f.lift(t, (x) => ps.some((p) => p(x)), 'any');
  }
  const ps = preds as NumTest[];
  // ports and addresses evaluate this once per domain value, so `some` costs nothing per row
  return f.lift(t, ps.length === 1 ? ps[0]! : (x) => ps.some((p) => p(x)), 'any');
}

/** The table of addresses whose printable form passes `p`, as an `ip.addr` test; null when none does. */
function addrTextTest(t: FilterTarget, p: StrTest): RowTest | null {
  let hit = false;
  for (let id = 0; id < t.addrs.count && !hit; id++) hit = p(t.addrs.text(id));
  if (!hit) return null;
  return (FIELD_BY_NAME.get('ip.addr') as NumField).lift(t, (id) => p(t.addrs.text(id)), 'any');
}

/**
 * A bare word: an exact value of an enum field (`late-rst`, `RSTO`, a vantage name), then an
 * address or CIDR, then an address prefix (`203.0.113` = the addresses under 203.0.113.), and
 * only then a fuzzy search over the descriptions.
 */
function bare(v: Value, t: FilterTarget): Compiled {
  const w = v.text;
  for (const exact of [true, false]) {
    const tests: RowTest[] = [];
    for (const name of BARE_ENUM_FIELDS) {
      const f = FIELD_BY_NAME.get(name) as NumField;
      const names = f.values!(t);
      const k = exact ? names.indexOf(w) : names.findIndex((n) => n.toLowerCase() === w.toLowerCase());
      if (k !== -1) tests.push(f.lift(t, (x) => x === k, 'any'));
    }
    if (tests.length === 1) return { test: tests[0]!, fuzzy: false };
    if (tests.length > 1) return { test: (i) => tests.some((x) => x(i)), fuzzy: false };
  }
  const slash = w.indexOf('/');
  if (parseIp(w) !== null || (slash > 0 && parseIp(w.slice(0, slash)) !== null)) {
    const r = parseCidr(w);
    if (!r.ok) return fail(printable(r.error), v, r.hint);
    return { test: (FIELD_BY_NAME.get('ip.addr') as NumField).lift(t, cidrTest(t, r.cidr), 'any'), fuzzy: false };
  }
  if (looksLikeAddrPrefix(w)) {
    const lw = w.toLowerCase();
    const sep = lw.includes(':') ? ':' : '.';
    const block = lw.endsWith(sep) ? lw : lw + sep;
    // whole labels first (`10.1` is 10.1.x.x, not 10.100.x.x), then, for typing in progress, any prefix
    const test = addrTextTest(t, (s) => s === lw || s.startsWith(block)) ?? addrTextTest(t, (s) => s.startsWith(lw));
    if (test !== null) return { test, fuzzy: false };
  }
  const bm = fuzzyBitmap(t, w);
  return { test: (i) => bm[i] === 1, fuzzy: true };
}

function walk(e: Expr, t: FilterTarget): Compiled {
  switch (e.kind) {
    case 'or':
    case 'and': {
      const a = walk(e.left, t);
      const b = walk(e.right, t);
      const fa = a.test;
      const fb = b.test;
      const test: RowTest = e.kind === 'and' ? (i) => fa(i) && fb(i) : (i) => fa(i) || fb(i);
      return { test, fuzzy: a.fuzzy || b.fuzzy };
    }
    case 'not': {
      const a = walk(e.expr, t);
      const fa = a.test;
      return { test: (i) => !fa(i), fuzzy: a.fuzzy };
    }
    case 'field':
      return { test: FIELD_BY_NAME.get(e.field)!.present(t), fuzzy: false };
    case 'compare':
      return { test: compare(e, t), fuzzy: false };
    case 'in':
      return { test: inSet(e, t), fuzzy: false };
    case 'bare':
      return bare(e.value, t);
  }
}

/** Compile a parsed filter (null: the empty filter, matching everything). Throws FilterSyntaxError. */
export function compile(ast: Expr | null, t: FilterTarget): Compiled {
  if (ast === null) return { test: ALWAYS, fuzzy: false };
  return walk(ast, t);
}
