/**
 * Tokenizer of the filter language. Words are deliberately generous (anything that is not
 * whitespace, a quote or an operator character) because bare words double as values and as
 * shorthand searches: `late-rst`, `203.0.113`, `2001:db8::/32`, `RSTO` are each one word.
 * Keywords (`and`, `or`, `not`, `in`, `contains`, `matches`, `eq`...) are words too; the parser
 * gives them meaning by position, so a keyword never steals a value.
 */

/** 1-based line and column (UTF-16 units) plus the 0-based offset, of a token's first character. */
export interface Pos {
  offset: number;
  line: number;
  col: number;
}

export const TOKEN_KINDS = ['word', 'string', 'op', 'end'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

export interface Token {
  kind: TokenKind;
  /** for `word`/`op`: the text as written; for `string`: the unescaped content */
  text: string;
  pos: Pos;
  /** length in the source, for underlining */
  len: number;
}

/** Raised by the lexer and the parser; caught by `parseFilter`, never escapes the public API. */
export class FilterSyntaxError extends Error {
  constructor(
    message: string,
    readonly pos: Pos,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Operators, longest first so `===` wins over `==` and `!=` over `!`. */
const OPS = ['===', '!==', '==', '!=', '<=', '>=', '&&', '||', '..', '<', '>', '!', '~', '(', ')', '{', '}', ','] as const;

/** Characters that end a word (besides whitespace). `.` is special: only `..` ends a word. */
const STOP = new Set(['=', '!', '<', '>', '&', '|', '(', ')', '{', '}', ',', '"', "'", '~']);

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';

/** Show a piece of the user's text in a message without letting control characters reach a terminal. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const pos = (at: number): Pos => ({ offset: at, line, col: at - lineStart + 1 });

  while (i < src.length) {
    const c = src[i]!;
    if (isSpace(c)) {
      if (c === '\n') {
        line++;
        lineStart = i + 1;
      }
      i++;
      continue;
    }
    // strings: "..." '...' and raw r"..." (no escapes at all, as in Wireshark 4)
    const raw = (c === 'r' || c === 'R') && (src[i + 1] === '"' || src[i + 1] === "'");
    if (c === '"' || c === "'" || raw) {
      const start = i;
      const p = pos(start);
      const quote = raw ? src[i + 1]! : c;
      i += raw ? 2 : 1;
      let text = '';
      for (;;) {
        if (i >= src.length) throw new FilterSyntaxError('unterminated string', p, `close it with ${quote}`);
        const d = src[i]!;
        if (d === quote) {
          i++;
          break;
        }
        if (d === '\n') {
          // a string never spans lines: pointing at the opening quote is more useful than at EOF
          throw new FilterSyntaxError('unterminated string', p, `close it with ${quote}`);
        }
        if (d === '\\' && !raw && i + 1 < src.length) {
          const e = src[i + 1]!;
          // only the quote and the backslash are escapes; `\d`, `\s`... stay as written so a
          // regex can be typed naturally: matches "\d+" and matches "\\d+" mean the same
          if (e === quote || e === '\\') text += e;
          else text += d + e;
          i += 2;
          continue;
        }
        text += d;
        i++;
      }
      out.push({ kind: 'string', text, pos: p, len: i - start });
      continue;
    }
    let op: string | undefined;
    for (const o of OPS) {
      if (src.startsWith(o, i)) {
        op = o;
        break;
      }
    }
    if (op !== undefined) {
      out.push({ kind: 'op', text: op, pos: pos(i), len: op.length });
      i += op.length;
      continue;
    }
    if (c === '&' || c === '|') {
      throw new FilterSyntaxError(`unexpected '${c}'`, pos(i), `did you mean ${c}${c}?`);
    }
    if (c === '=') {
      throw new FilterSyntaxError(`unexpected '='`, pos(i), 'did you mean ==?');
    }
    // a word: stops at whitespace, an operator character, or `..` (so `1..1024` is a range)
    const start = i;
    while (i < src.length) {
      const d = src[i]!;
      if (isSpace(d) || STOP.has(d)) break;
      if (d === '.' && src[i + 1] === '.') break;
      i++;
    }
    out.push({ kind: 'word', text: src.slice(start, i), pos: pos(start), len: i - start });
  }
  out.push({ kind: 'end', text: '', pos: pos(i), len: 0 });
  return out;
}
