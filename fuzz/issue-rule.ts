/**
 * The rule every reported input issue must keep (a fuzz failure otherwise):
 *
 * 1. `file` is one of the inputs as given (`stdin` for `-`).
 * 2. Where it is given, a position is inside the input: `offset` an integer in [0, size] (size of
 *    the decompressed input), `line` an integer in [1, lines + 1], `frame` an integer ≥ 1.
 * 3. An issue about a place in the input names it: `offset` or `line`. The only issues without
 *    one are those about the input as a whole, which have no single place:
 *    - the input could not be opened (`open-failed`), or an option was bad (`bad-option`);
 *    - a count over the whole input (`damaged-packets`, `cut-packets`, `unsupported-link`,
 *      `ip-fragments`), which names the first record it counts in `frame` where it counts damage
 *      (`damaged-packets`);
 *    - a count of the issues not listed past a cap (a message `N more ...`: `12 more
 *      'truncated-record' issues not shown`, `30 more unreadable firewall lines skipped`).
 * 4. The message is not empty.
 */
import type { InputIssue } from '../src/model.js';

/** What the rule needs to know of an input: its name in issues, decompressed size and line count. */
export interface InputFacts {
  file: string;
  size: number;
  lines: number;
}

const WHOLE_INPUT = new Set(['open-failed', 'bad-option', 'cut-packets', 'unsupported-link', 'ip-fragments']);
const MORE = /^\d+ more /;

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);

/** What is wrong with issue i, or undefined when it keeps the rule. */
export function issueFault(i: InputIssue, inputs: readonly InputFacts[]): string | undefined {
  const input = inputs.find((f) => f.file === i.file);
  if (!input) return `names no input (file ${JSON.stringify(i.file)})`;
  if (typeof i.message !== 'string' || i.message.trim() === '') return 'has no message';
  if (i.offset !== undefined && !(isCount(i.offset) && i.offset >= 0 && i.offset <= input.size)) return `offset ${i.offset} outside the input (0..${input.size})`;
  if (i.line !== undefined && !(isCount(i.line) && i.line >= 1 && i.line <= input.lines + 1)) return `line ${i.line} outside the input (1..${input.lines + 1})`;
  if (i.frame !== undefined && !(isCount(i.frame) && i.frame >= 1)) return `frame ${i.frame} is not a record number`;
  if (i.offset !== undefined || i.line !== undefined) return undefined;
  if (WHOLE_INPUT.has(i.code) || MORE.test(i.message)) return undefined;
  if (i.code === 'damaged-packets' || i.code === 'nflog-damaged') return i.frame !== undefined || MORE.test(i.message) ? undefined : 'counts damage without naming the first record';
  return 'names no offset or line';
}
