/**
 * The filter language (`--filter EXPR` on every subcommand, the UI's filter bar): public API.
 *
 * Syntax (Wireshark display-filter habits):
 *   field == value   also `eq`; `!=`/`ne`, `<` `>` `<=` `>=` (`lt gt le ge`), `contains`,
 *                    `matches` / `~` (JS RegExp, case-insensitive; `(?-i)` in front: case-sensitive)
 *   field in {a b c} also comma separated, ranges `1..1024`; `field not in {...}`
 *   and/&&  or/||  not/!  ( )   precedence: not > and > or
 *   field            alone: presence / boolean test (`tls`, `tcp.flags.reset`, `anomaly` = any anomaly,
 *                    `fw.msgid` = any firewall event, `ipv6.addr` = IPv6); scalar fields are always present
 *   word             alone: an exact enum value (`late-rst`, `RSTO`, `fin-then-rst`, a vantage),
 *                    else an address or CIDR (`10.0.0.0/8`), else an address prefix (`203.0.113`),
 *                    else a fuzzy search over the connection's one-line description (`fuzzy: true`)
 *   values           numbers, "strings" ('single', r"raw"), bare words, IPv4/IPv6 addresses and CIDRs
 *   empty filter     matches everything
 *
 * Fields with several values (`ip.addr`, `tcp.port`, `anomaly`, `vantage`, `fw.*`): `==`, `<`,
 * `contains`, `matches`, `in` hold when ANY value does. `!=` follows Wireshark 4 ("all not
 * equal"): `ip.addr != 10.0.0.1` is exactly `!(ip.addr == 10.0.0.1)`, i.e. neither end is
 * 10.0.0.1 (the old "any not equal" reading, true for nearly every connection, is `!==`).
 * `===` is "all equal". An IPv4 value or block never matches an IPv6 address and vice versa.
 *
 * A compiled filter closes over the target's columns: compile again when the target changes.
 */
import { compile } from './compile.js';
import { FIELDS, matchingRows, type FieldDef, type RowTest } from './fields.js';
import { FilterSyntaxError } from './lexer.js';
import { parseFilter, type FilterError } from './parse.js';
import type { FilterTarget } from './target.js';

export type { FilterError, Expr } from './parse.js';
export type { FilterTarget } from './target.js';
export type { FieldDef, FieldType } from './fields.js';
export { parseFilter } from './parse.js';

/** name, type, description (and, for enums over the model, the values) of every field, for help and README */
export const FIELD_HELP: readonly { name: string; type: string; description: string }[] = FIELDS.map((f) => ({
  name: f.name,
  type: f.type,
  description: f.description,
}));
export { FIELDS, matchingRows, type RowTest };

export type CompiledFilter = { ok: true; test: RowTest; fuzzy: boolean } | { ok: false; error: FilterError };

/** Parse and compile `expr` against `t`. Never throws: every problem is a FilterError with a position. */
export function compileFilter(expr: string, t: FilterTarget): CompiledFilter {
  const p = parseFilter(expr);
  if (!p.ok) return p;
  try {
    const c = compile(p.ast, t);
    return { ok: true, test: c.test, fuzzy: c.fuzzy };
  } catch (e) {
    if (e instanceof FilterSyntaxError) {
      const error: FilterError = { message: e.message, line: e.pos.line, col: e.pos.col };
      if (e.hint !== undefined) error.hint = e.hint;
      return { ok: false, error };
    }
    return { ok: false, error: { message: `internal error: ${String(e)}`, line: 1, col: 1 } };
  }
}

/** `error: unknown field 'tcp.flag.reset' at 1:1 (did you mean tcp.flags.reset?)` */
export function formatFilterError(e: FilterError): string {
  return `error: ${e.message} at ${e.line}:${e.col}` + (e.hint !== undefined ? ` (${e.hint})` : '');
}

/** The indices (0-based) of the connections `expr` selects, in order; or the error. */
export function filterIndices(expr: string, t: FilterTarget): Uint32Array | FilterError {
  const c = compileFilter(expr, t);
  return c.ok ? matchingRows(t.count, c.test) : c.error;
}

/** Field names starting with `prefix` (case-insensitive), in table order, for the UI's completion. */
export function completeField(prefix: string): string[] {
  const p = prefix.toLowerCase();
  return FIELDS.filter((f) => f.name.startsWith(p)).map((f) => f.name);
}

/** Values of an enum field starting with `prefix` (`anomaly`, `late` -> `late-rst`), for completion. */
export function completeValue(field: string, prefix: string, t?: FilterTarget): string[] {
  const f: FieldDef | undefined = FIELDS.find((x) => x.name === field);
  if (f === undefined || f.type !== 'enum' || f.values === undefined) return [];
  const p = prefix.toLowerCase();
  return f.values(t).filter((v) => v.toLowerCase().startsWith(p));
}
