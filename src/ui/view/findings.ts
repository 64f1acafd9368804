/**
 * The Findings screen as data: one row per finding (severity as a word, so that it reads without
 * colour, then the count and the title, cut to the width), and the selected finding's words
 * wrapped for the pane under the list. Text from the inputs (host addresses) is stripped of
 * control characters.
 */
import type { Finding, Severity } from '../../analysis/finding-types.js';
import { stripControls } from '../../text.js';
import { fit, shortNum } from './text.js';

/** Fixed-width severity words: upper case for what needs a look. */
export const SEVERITY_WORD: Record<Severity, string> = { error: 'ERROR', warn: 'WARN ', info: 'info ' };

/** One finding's row: `> ERROR      2  title...`, exactly `width` cells. */
export function findingRow(f: Finding, width: number, marker: string): string {
  return fit(`${marker} ${SEVERITY_WORD[f.severity]} ${shortNum(f.count).padStart(7)}  ${stripControls(f.title)}`, width);
}

/** `n error, n warn, n info` over the findings' connections. */
export function severityCounts(findings: readonly Finding[]): string {
  const n: Record<Severity, number> = { error: 0, warn: 0, info: 0 };
  for (const f of findings) n[f.severity] += f.count;
  return `${n.error} error, ${n.warn} warn, ${n.info} info`;
}

/** Whether the findings call for a look first (any warn or error). */
export function needsLook(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity !== 'info');
}

/** Words of `text` in lines of at most `width` cells, the first after `label`, the others indented as far. */
export function wrapLabelled(label: string, text: string, width: number): string[] {
  const indent = ' '.repeat(label.length);
  const room = Math.max(8, width - label.length);
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    // a word longer than the room is cut into pieces
    for (let w = word; w.length > 0; w = w.slice(room)) {
      const piece = w.slice(0, room);
      if (line && line.length + 1 + piece.length > room) {
        out.push(line);
        line = piece;
      } else line = line ? `${line} ${piece}` : piece;
    }
  }
  out.push(line);
  return out.map((l, k) => fit(`${k === 0 ? label : indent}${l}`, width));
}

/** The pane under the list: the selected finding's title, cause, who, action, where, and how to list it. */
export function findingDetail(f: Finding, width: number): string[] {
  const ranked = (l: readonly { value: string | number; count: number }[]): string => l.map((r) => `${r.value} (${r.count})`).join(', ');
  return [
    ...wrapLabelled('', stripControls(f.title), width),
    ...wrapLabelled('cause:  ', f.cause, width),
    ...wrapLabelled('who:    ', f.who, width),
    ...wrapLabelled('action: ', f.action, width),
    ...wrapLabelled('where:  ', stripControls(`servers ${ranked(f.servers)}; ports ${ranked(f.ports)}; clients ${ranked(f.clients)}`), width),
    ...wrapLabelled('list:   ', `Enter: ${f.filter}  (e.g. #${f.examples.join(', #')})`, width),
    ...f.evidence.flatMap((e) => wrapLabelled('  - ', e, width)),
  ];
}
