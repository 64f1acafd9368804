/**
 * Parser of the filter language: tokens -> AST with positions. Recursive descent with the
 * precedence `not` > `and` > `or` (and/or are left-associative). Field names are checked here
 * so that `tcp.flag.reset` is reported at its own column with a suggestion; values are checked
 * by the compiler, which knows the field's type (and, for `vantage`, the target's names).
 */
import { FIELD_BY_NAME, FIELD_NAMESPACES, suggestField } from './fields.js';
import { FilterSyntaxError, printable, tokenize, type Pos, type Token } from './lexer.js';

export type { Pos } from './lexer.js';

/** Comparison operators after normalization (`eq` -> `==`, `~` -> `matches`, `any_ne` -> `!==`...). */
export const CMP_OPS = ['==', '!=', '===', '!==', '<', '>', '<=', '>=', 'contains', 'matches'] as const;
export type CmpOp = (typeof CMP_OPS)[number];

/** A value as written: a bare word (`late-rst`, `443`, `10.0.0.0/8`) or a quoted string. */
export interface Value {
  kind: 'word' | 'string';
  text: string;
  pos: Pos;
}

/** One member of an `in {...}` set: a value or an inclusive range `lo..hi`. */
export interface SetItem {
  lo: Value;
  hi?: Value;
}

export type Expr =
  | { kind: 'or' | 'and'; left: Expr; right: Expr; pos: Pos }
  | { kind: 'not'; expr: Expr; pos: Pos }
  /** a field alone: presence / boolean test (`tls`, `tcp.flags.reset`, `anomaly`) */
  | { kind: 'field'; field: string; pos: Pos }
  | { kind: 'compare'; field: string; op: CmpOp; value: Value; pos: Pos; opPos: Pos }
  | { kind: 'in'; field: string; items: SetItem[]; pos: Pos; opPos: Pos }
  /** a bare word or string alone: shorthand (enum value, address, address prefix, fuzzy) */
  | { kind: 'bare'; value: Value; pos: Pos };

export interface FilterError {
  message: string;
  /** 1-based */
  line: number;
  /** 1-based */
  col: number;
  /** the text of the parenthesis after the position, e.g. `did you mean tcp.flags.reset?` */
  hint?: string;
}

const OP_WORDS: Record<string, CmpOp> = {
  eq: '==',
  ne: '!=',
  lt: '<',
  gt: '>',
  le: '<=',
  ge: '>=',
  contains: 'contains',
  matches: 'matches',
  any_eq: '==',
  all_ne: '!=',
  all_eq: '===',
  any_ne: '!==',
};
const OP_SYMBOLS: Record<string, CmpOp> = {
  '==': '==',
  '!=': '!=',
  '===': '===',
  '!==': '!==',
  '<': '<',
  '>': '>',
  '<=': '<=',
  '>=': '>=',
  '~': 'matches',
};

function describeToken(t: Token): string {
  if (t.kind === 'end') return 'end of filter';
  if (t.kind === 'string') return 'string';
  return `'${printable(t.text)}'`;
}

/** A word that is meant as a field name: `tcp.flag.reset`, `ip.adr` (but not `203.0.113` or `late-rst`). */
function looksLikeField(w: string): boolean {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$/.test(w)) return false;
  return FIELD_NAMESPACES.has(w.slice(0, w.indexOf('.')).toLowerCase());
}

function canonicalField(w: string): string | undefined {
  if (FIELD_BY_NAME.has(w)) return w;
  const l = w.toLowerCase();
  return FIELD_BY_NAME.has(l) ? l : undefined;
}

class Parser {
  private k = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(n = 0): Token {
    return this.toks[Math.min(this.k + n, this.toks.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    if (this.k < this.toks.length - 1) this.k++;
    return t;
  }
  private isWord(t: Token, w: string): boolean {
    return t.kind === 'word' && t.text.toLowerCase() === w;
  }
  private isOp(t: Token, o: string): boolean {
    return t.kind === 'op' && t.text === o;
  }
  private unexpected(t: Token, expected: string): never {
    if (t.kind === 'end') throw new FilterSyntaxError(`unexpected end of filter, expected ${expected}`, t.pos);
    throw new FilterSyntaxError(`unexpected ${describeToken(t)}, expected ${expected}`, t.pos);
  }

  parse(): Expr {
    const e = this.or();
    const t = this.peek();
    if (t.kind !== 'end') {
      if (this.isOp(t, ')')) throw new FilterSyntaxError(`unexpected ')' without a matching '('`, t.pos);
      this.unexpected(t, "'and', 'or' or end of filter");
    }
    return e;
  }

  private or(): Expr {
    let left = this.and();
    for (;;) {
      const t = this.peek();
      if (!(this.isWord(t, 'or') || this.isOp(t, '||'))) return left;
      this.next();
      const right = this.and();
      left = { kind: 'or', left, right, pos: t.pos };
    }
  }

  private and(): Expr {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (!(this.isWord(t, 'and') || this.isOp(t, '&&'))) return left;
      this.next();
      const right = this.unary();
      left = { kind: 'and', left, right, pos: t.pos };
    }
  }

  private unary(): Expr {
    const t = this.peek();
    if (this.isWord(t, 'not') || this.isOp(t, '!')) {
      this.next();
      return { kind: 'not', expr: this.unary(), pos: t.pos };
    }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.peek();
    if (this.isOp(t, '(')) {
      this.next();
      const e = this.or();
      const c = this.peek();
      if (!this.isOp(c, ')')) {
        if (c.kind === 'end') {
          throw new FilterSyntaxError(`missing ')'`, c.pos, `to close the '(' at ${t.pos.line}:${t.pos.col}`);
        }
        this.unexpected(c, "')'");
      }
      this.next();
      return e;
    }
    if (t.kind === 'string') {
      this.next();
      return { kind: 'bare', value: { kind: 'string', text: t.text, pos: t.pos }, pos: t.pos };
    }
    // `tls and or x`: a binary keyword where an operand belongs is a slip, not a search for "or"
    if (t.kind !== 'word' || this.isWord(t, 'and') || this.isWord(t, 'or')) this.unexpected(t, 'a field name or a value');
    this.next();
    const opTok = this.peek();
    const sym = opTok.kind === 'op' ? OP_SYMBOLS[opTok.text] : undefined;
    const word = opTok.kind === 'word' ? opTok.text.toLowerCase() : '';
    const wordOp = opTok.kind === 'word' && Object.hasOwn(OP_WORDS, word) ? OP_WORDS[word] : undefined;
    const isIn = word === 'in' || (word === 'not' && this.isWord(this.peek(1), 'in'));
    const followed = sym !== undefined || wordOp !== undefined || isIn;
    const field = canonicalField(t.text);

    if (!followed) {
      if (field !== undefined) return { kind: 'field', field, pos: t.pos };
      if (looksLikeField(t.text)) this.unknownField(t);
      return { kind: 'bare', value: { kind: 'word', text: t.text, pos: t.pos }, pos: t.pos };
    }
    if (field === undefined) this.unknownField(t);
    this.next();
    if (isIn) {
      let negate = false;
      if (word === 'not') {
        this.next(); // the `in`
        negate = true;
      }
      const items = this.set();
      const node: Expr = { kind: 'in', field, items, pos: t.pos, opPos: opTok.pos };
      return negate ? { kind: 'not', expr: node, pos: opTok.pos } : node;
    }
    const op = (sym ?? wordOp)!;
    const value = this.value(`a value after '${opTok.text}'`);
    return { kind: 'compare', field, op, value, pos: t.pos, opPos: opTok.pos };
  }

  private unknownField(t: Token): never {
    const s = suggestField(t.text);
    throw new FilterSyntaxError(
      `unknown field '${printable(t.text)}'`,
      t.pos,
      s !== undefined ? `did you mean ${s}?` : undefined,
    );
  }

  private value(expected: string): Value {
    const v = this.peek();
    if (v.kind !== 'word' && v.kind !== 'string') this.unexpected(v, expected);
    this.next();
    return { kind: v.kind, text: v.text, pos: v.pos };
  }

  private set(): SetItem[] {
    const open = this.peek();
    if (!this.isOp(open, '{')) this.unexpected(open, "'{' after 'in'");
    this.next();
    const items: SetItem[] = [];
    for (;;) {
      const t = this.peek();
      if (this.isOp(t, '}')) {
        if (items.length === 0) throw new FilterSyntaxError('empty set', open.pos, 'put at least one value between { }');
        this.next();
        return items;
      }
      if (t.kind === 'end') {
        throw new FilterSyntaxError(`missing '}'`, t.pos, `to close the '{' at ${open.pos.line}:${open.pos.col}`);
      }
      if (items.length > 0 && this.isOp(t, ',')) {
        this.next();
        continue;
      }
      const lo = this.value("a value or '}'");
      if (this.isOp(this.peek(), '..')) {
        this.next();
        items.push({ lo, hi: this.value("the end of the range after '..'") });
      } else items.push({ lo });
    }
  }
}

/** Parse a filter expression. Never throws. An empty (or all-blank) filter parses to `null`: match all. */
export function parseFilter(src: string): { ok: true; ast: Expr | null } | { ok: false; error: FilterError } {
  try {
    const toks = tokenize(src);
    if (toks.length === 1) return { ok: true, ast: null };
    return { ok: true, ast: new Parser(toks).parse() };
  } catch (e) {
    if (e instanceof FilterSyntaxError) {
      const error: FilterError = { message: e.message, line: e.pos.line, col: e.pos.col };
      if (e.hint !== undefined) error.hint = e.hint;
      return { ok: false, error };
    }
    // a bug of ours, not the user's: still never throw past the parser
    return { ok: false, error: { message: `internal error: ${String(e)}`, line: 1, col: 1 } };
  }
}
