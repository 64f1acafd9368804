/**
 * Every named finding, found by trying the patterns that matter to the rules (every class, closing
 * side, RST side where findings.ts gives one, firewall outcome and impact, with every combination
 * of the anomalies the rules read): for the README's glossary, the help, and the tests that keep names unique.
 */
import { CLOSED_BY, TEARDOWNS, anomalyBit, type Anomaly } from '../model.js';
import { FW_OUTCOMES, RST_SIDES, type Pattern } from './finding-pattern.js';
import { findingWords, type FindingWords } from './finding-words.js';

/** The anomalies the rules look at (the others only ever lead to composed words). */
export const RULE_ANOMALIES: readonly Anomaly[] = ['rst-after-fin', 'late-rst', 'no-close-notify', 'rst-denied', 'after-timeout', 'data-after-rst', 'dropped-between-vantages'];

/** Call f for every pattern over RULE_ANOMALIES. */
export function forEachPattern(f: (p: Pattern) => void): void {
  const masks: number[] = [];
  for (let s = 0; s < 1 << RULE_ANOMALIES.length; s++) {
    masks.push(RULE_ANOMALIES.reduce((m, a, k) => (s & (1 << k) ? m | anomalyBit(a) : m), 0));
  }
  for (const teardown of TEARDOWNS) for (const closedBy of CLOSED_BY) for (const rstBy of RST_SIDES) {
    // (findings.ts gives the side of the first RST for these two classes only)
    if (rstBy !== 'none' && teardown !== 'abort' && teardown !== 'fin-then-rst') continue;
    for (const fw of FW_OUTCOMES) for (const lost of [false, true]) for (const anomalies of masks) f({ teardown, closedBy, rstBy, fw, lost, anomalies });
  }
}

let known: FindingWords[] | undefined;

/** The named (known) findings, one entry per name, in the order the rules give them. */
export function knownFindings(): readonly FindingWords[] {
  if (!known) {
    const byName = new Map<string, FindingWords>();
    forEachPattern((p) => {
      const w = findingWords(p);
      if (w.known && !byName.has(w.name)) byName.set(w.name, w);
    });
    known = [...byName.values()];
  }
  return known;
}
