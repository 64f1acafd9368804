/**
 * The filter bar's logic without React: line editing by key token, the quick-filter menu and how
 * its items compose into the expression, whether an expression needs the fuzzy debounce, and
 * applying a compiled test to all connections.
 */
import { ANOMALIES } from '../../model.js';
import { ANOMALY_INFO } from '../../analysis/glossary.js';
import { completeField, FIELDS, type FilterTarget } from '../../filter/index.js';
import { isPrintable } from '../keys.js';

export interface LineState {
  text: string;
  /** cursor position in code units */
  pos: number;
}

/** Apply one key token to a text line; returns undefined for tokens that are not editing keys. */
export function editLine(s: LineState, token: string): LineState | undefined {
  if (token === 'backspace') {
    if (s.pos === 0) return s;
    return { text: s.text.slice(0, s.pos - 1) + s.text.slice(s.pos), pos: s.pos - 1 };
  }
  if (token === 'left') return { ...s, pos: Math.max(0, s.pos - 1) };
  if (token === 'right') return { ...s, pos: Math.min(s.text.length, s.pos + 1) };
  if (token === 'home' || token === 'ctrl-a') return { ...s, pos: 0 };
  if (token === 'end' || token === 'ctrl-e') return { ...s, pos: s.text.length };
  if (token === 'ctrl-u') return { text: s.text.slice(s.pos), pos: 0 };
  if (token === 'ctrl-w') {
    const before = s.text.slice(0, s.pos).replace(/\S+\s*$/, '');
    return { text: before + s.text.slice(s.pos), pos: before.length };
  }
  if (isPrintable(token)) {
    const ch = token === 'space' ? ' ' : token;
    return { text: s.text.slice(0, s.pos) + ch + s.text.slice(s.pos), pos: s.pos + ch.length };
  }
  return undefined;
}

/** Tab: complete the field name under the cursor when it is unambiguous (or to the common prefix). */
export function completeAtCursor(s: LineState): LineState {
  const m = /[A-Za-z_][\w.]*$/.exec(s.text.slice(0, s.pos));
  if (!m) return s;
  const names = completeField(m[0]);
  if (names.length === 0) return s;
  let common = names[0]!;
  for (const n of names) while (!n.startsWith(common)) common = common.slice(0, -1);
  const add = (names.length === 1 ? names[0]! + ' ' : common).slice(m[0].length);
  return { text: s.text.slice(0, s.pos) + add + s.text.slice(s.pos), pos: s.pos + add.length };
}

export interface QuickItem {
  key: string;
  label: string;
  clause: string;
}

const QUICK_KEYS = '123456789abcdhilmoprsuvwxyz';

/** The quick-filter menu: anomaly classes, data lost, then flags, teardown classes and firewall events. */
export function quickItems(): QuickItem[] {
  const raw: { label: string; clause: string }[] = [
    ...ANOMALIES.map((a) => ({ label: `${a}: ${ANOMALY_INFO[a].meaning}`, clause: `anomaly == ${a}` })),
    { label: 'data lost at a RST (a peer had unacknowledged data)', clause: 'data_lost' },
    { label: 'some packet carries RST', clause: 'tcp.flags.reset' },
    { label: 'the responder (server) sent RST', clause: 'tcp.flags.reset.resp' },
    { label: 'some packet carries FIN', clause: 'tcp.flags.fin' },
    { label: 'teardown fin-then-rst (FIN, then RST)', clause: 'teardown == fin-then-rst' },
    { label: 'teardown abort (RST without FIN)', clause: 'teardown == abort' },
    { label: 'any firewall event', clause: 'fw.msgid' },
    { label: 'firewall denied a packet of no connection (ASA 106015, any vendor)', clause: 'fw.kind == deny-no-conn' },
    { label: 'teardown timeout (the firewall timed it out)', clause: 'teardown == timeout' },
    { label: 'teardown denied (blocked by policy, never built)', clause: 'teardown == denied' },
    { label: 'no anomaly at all', clause: 'not anomaly' },
  ];
  return raw.map((r, k) => ({ ...r, key: QUICK_KEYS[k] ?? '' })).filter((r) => r.key !== '');
}

/** `expr and clause`, with the old expression parenthesized when it has a top-level `or`. */
export function composeClause(expr: string, clause: string): string {
  const e = expr.trim();
  if (e === '') return clause;
  if (e === clause || e.endsWith(` and ${clause}`)) return e;
  const needParens = /\b(or)\b|\|\|/.test(e) && !/^\(.*\)$/.test(e);
  return `${needParens ? `(${e})` : e} and ${clause}`;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'contains', 'matches', 'eq', 'ne', 'lt', 'gt', 'le', 'ge', 'true', 'false']);

/** Every word that names a field or an enum value: such words compile fast (no fuzzy index). */
export function knownWords(t?: FilterTarget): Set<string> {
  const s = new Set<string>(KEYWORDS);
  for (const f of FIELDS) {
    s.add(f.name.toLowerCase());
    if (f.type === 'enum' && f.values) for (const v of f.values(t)) s.add(v.toLowerCase());
  }
  return s;
}

/**
 * Whether compiling `expr` may run a fuzzy search (a bare word that is no field, value, keyword,
 * number or address): those are debounced, since fuse.js costs ~270 ms per query at 100 k rows.
 */
export function mayBeFuzzy(expr: string, known: ReadonlySet<string>): boolean {
  const noStrings = expr.replace(/"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?/g, ' ');
  const words = noStrings.match(/[A-Za-z_][\w.:/-]*/g) ?? [];
  const ops = /[=<>!~]/;
  const prevOp = (w: string): boolean => {
    const at = noStrings.indexOf(w);
    return ops.test(noStrings.slice(Math.max(0, at - 4), at));
  };
  return words.some((w) => {
    const l = w.toLowerCase();
    if (known.has(l)) return false;
    if (/^[0-9a-f:]+(\/\d+)?$/i.test(w) && w.includes(':')) return false; // IPv6
    if (prevOp(w)) return false; // a value after an operator is compared, not fuzzily searched
    return true;
  });
}

export function allIndices(count: number): Uint32Array {
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = i;
  return out;
}
