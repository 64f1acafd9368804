/**
 * The timeline's one-line layout (issue 17), as sngrep's call flow draws one: a line per packet or
 * firewall event (time, a short arrow between the client's and the server's rule with the flags
 * and length on it, a few words beside it), and under the ladder a pane with the selected row in
 * full: the explanation, both sides' TCP states, the likely causes, what it is evidence of, or a
 * firewall event's log line, wrapped to the width. Also where a timeline opens: at its teardown.
 * Pure: the Timeline screen only calls these.
 */
import { FIN, RST, anomalyNames } from '../../model.js';
import { SAY } from '../../analysis/glossary.js';
import type { Glyphs } from '../theme.js';
import { clampNav, type Nav } from './nav.js';
import { GUTTER, anomalyRows, asciiSafe, gutterText, shaftText, type Timeline } from './ladder.js';
import { fit, timeOfDay, wrap } from './text.js';

export type TimelineLayout = 'one-line' | 'two-line';

/** Lines above the ladder: three header lines and the column titles. */
export const TIMELINE_HEADER = 4;
/** The pane's fewest lines (it keeps this size for short texts, so it does not jump at every row). */
export const PANE_MIN = 3;
/**
 * The ladder keeps at least this many rows, and 2/5 of what is under the header: at 80x24 the
 * seed's denied RST needs 10 lines of pane, and the 8 rows left show its whole teardown.
 */
export const LADDER_MIN = 8;
/** Rows of context shown above the teardown's first row when a timeline opens. */
export const OPEN_CONTEXT = 2;

/** Cells between the two rules: about 2/5 of what the gutter leaves, 12 to 40. */
export function compactInner(width: number): number {
  return Math.max(12, Math.min(40, Math.floor((width - GUTTER) * 0.4)));
}

/** The column-title line: `client` over the left rule, `server` ending on the right one. */
export function compactTitle(width: number): string {
  const inner = compactInner(width);
  const left = ' '.repeat(GUTTER) + 'client';
  const right = 'server';
  return fit(left + ' '.repeat(Math.max(1, GUTTER + inner + 2 - right.length - left.length)) + right, width);
}

/** Row r in one line of `width` cells: gutter, the arrow between the rules, the few words. */
export function compactLine(t: Timeline, r: number, width: number, g: Glyphs, ascii: boolean): string {
  const row = t.rows[r]!;
  const inner = compactInner(width);
  return fit(gutterText(t, r, ascii) + g.vline + shaftText(row, row.arrow, inner, g, ascii) + g.vline + ' ' + asciiSafe(row.brief, ascii), width);
}

/** What the pane says of row r, as paragraphs: the first is its heading. */
export function paneParagraphs(t: Timeline, r: number): string[] {
  const row = t.rows[r];
  if (!row) return [];
  if (row.kind === 'fw') {
    return [`${row.label}, ${row.where ?? 'log'}, logged ${row.when ?? '-'}`, row.text ?? row.note];
  }
  // (`[only here]`: the explanation says it in words)
  const at = row.vantage !== undefined ? `, ${row.vantage} frame ${row.frame}` : '';
  const out = [`packet ${row.k + 1}/${t.packets}${at}, ${timeOfDay(row.ts)}: ${row.label.replace(' [only here]', '')}`];
  // the 4-tuple's other rows (Zeek's lifetime rules): before the first packet, after the last
  const split = t.split ?? [];
  if (row.k === 0) out.push(...split.filter((s) => s.startsWith('split from')));
  const x = row.parts;
  const last = row.k === t.packets - 1 ? split.filter((s) => s.startsWith('continued')) : [];
  if (!x) return [...out, row.note, ...last];
  out.push((row.prefix ?? '') + x.say);
  out.push(`states after it: ${x.states}; ${x.when}`);
  if (x.causes) out.push(SAY.causesLead.replace(/^[\s—-]+/, '') + x.causes);
  const ev = anomalyNames(row.evidence ?? 0);
  if (ev.length) out.push(`evidence of: ${ev.join(', ')}`);
  return [...out, ...last];
}

/** The pane's lines for row r at `width`: every paragraph wrapped, continuation lines indented. */
export function paneLines(t: Timeline, r: number, width: number, ascii: boolean): string[] {
  const out: string[] = [];
  for (const p of paneParagraphs(t, r)) out.push(...wrap(asciiSafe(p, ascii), width, '  '));
  return out;
}

/**
 * How the lines under the header share out between ladder and pane: the pane as tall as its text
 * needs (at least PANE_MIN), the ladder the rest but never less than 2/5 or LADDER_MIN rows.
 */
export function compactSizes(body: number, need: number): { ladder: number; pane: number } {
  const cap = Math.max(PANE_MIN, body - Math.max(LADDER_MIN, Math.ceil(body * 0.4)));
  const pane = Math.max(0, Math.min(cap, Math.max(PANE_MIN, need), body - 1));
  return { ladder: Math.max(1, body - pane), pane };
}

/** The pane's text in `height` lines: what does not fit is counted on the last line, never cut mid-line. */
export function fitPane(lines: readonly string[], height: number): string[] {
  if (height <= 0) return [];
  if (lines.length <= height) return [...lines];
  const shown = lines.slice(0, Math.max(0, height - 1));
  const more = lines.length - shown.length;
  return [...shown, `(${more} more line${more === 1 ? '' : 's'}: a taller or wider terminal shows them)`];
}

/**
 * The row the teardown starts at: the first RST or the last FIN, whichever comes first (the seed's
 * client FIN, before its RST, the server's RST and the firewall's deny); with neither, the first
 * anomaly row; else the first row.
 */
export function teardownRow(t: Timeline): number {
  let lastFin = -1;
  let firstRst = -1;
  t.rows.forEach((row, r) => {
    if (row.kind !== 'packet') return;
    if (row.flags & RST && firstRst < 0) firstRst = r;
    if (row.flags & FIN) lastFin = r;
  });
  const at = [lastFin, firstRst].filter((r) => r >= 0);
  if (at.length) return Math.min(...at);
  return anomalyRows(t)[0] ?? 0;
}

/** Where a timeline opens with `height` ladder rows: the teardown selected, OPEN_CONTEXT rows above it. */
export function openNav(t: Timeline, height: number): Nav {
  const at = teardownRow(t);
  const context = Math.min(OPEN_CONTEXT, Math.max(0, height - 1));
  return clampNav({ cursor: at, offset: Math.max(0, at - context) }, t.rows.length, height);
}

/**
 * The window for `h` ladder rows after it had `prevH`: one that showed the last row keeps showing
 * it when the pane grows (so the end of the teardown stays in view while the cursor walks through
 * it), as long as the cursor stays in view; otherwise the top stays where it was.
 */
export function refitNav(n: Nav, count: number, h: number, prevH: number): Nav {
  if (h < prevH && n.offset + prevH >= count) {
    const offset = Math.max(0, count - h);
    if (n.cursor >= offset) return clampNav({ cursor: n.cursor, offset }, count, h);
  }
  return clampNav(n, count, h);
}
