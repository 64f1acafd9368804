/**
 * PLACEHOLDER, NOT THE REAL FINDINGS: the findings branch (issue 17, part 2) replaces this whole
 * file with `computeFindings` grouping connections by teardown class x closing side x anomaly set
 * x firewall outcome x impact. This stand-in exists only so that the `report` subcommand (part 3)
 * compiles and runs in its own branch: one generic finding per teardown class present in the
 * selection, worded from the glossary. Nothing but src/cli/report.ts may rely on its groupings.
 */
import { TEARDOWNS, type Teardown } from '../model.js';
import type { Dataset } from '../flows/dataset.js';
import { TEARDOWN_INFO } from './glossary.js';
import { SEVERITIES, type Finding, type Ranked, type Severity } from './finding-types.js';

const SEVERITY: Record<Teardown, Severity> = {
  graceful: 'info', 'half-closed': 'info', open: 'info', 'fin-then-rst': 'info',
  rejected: 'warn', unanswered: 'warn', denied: 'warn',
  abort: 'error', timeout: 'error', 'firewall-reset': 'error',
};

function top<T>(m: Map<T, number>): Ranked<T>[] {
  return [...m].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([value, count]) => ({ value, count }));
}

/** One finding per teardown class of the selected connections (0-based indices). Linear in them. */
export function computeFindings(ds: Dataset, sel: Iterable<number>): Finding[] {
  const c = ds.conns;
  interface Acc { count: number; first: number; last: number; examples: number[]; clients: Map<number, number>; servers: Map<number, number>; ports: Map<number, number> }
  const acc = new Map<number, Acc>();
  for (const i of sel) {
    const t = c.teardown[i]!;
    let a = acc.get(t);
    if (!a) acc.set(t, (a = { count: 0, first: Infinity, last: -Infinity, examples: [], clients: new Map(), servers: new Map(), ports: new Map() }));
    a.count++;
    a.first = Math.min(a.first, c.firstTs[i]!);
    a.last = Math.max(a.last, c.lastTs[i]!);
    if (a.examples.length < 3) a.examples.push(i + 1);
    a.clients.set(c.origAddr[i]!, (a.clients.get(c.origAddr[i]!) ?? 0) + 1);
    a.servers.set(c.respAddr[i]!, (a.servers.get(c.respAddr[i]!) ?? 0) + 1);
    a.ports.set(c.respPort[i]!, (a.ports.get(c.respPort[i]!) ?? 0) + 1);
  }
  const host = (r: Ranked<number>): Ranked<string> => ({ value: ds.addrs.text(r.value), count: r.count });
  const out: Finding[] = [];
  for (const [t, a] of acc) {
    const name = TEARDOWNS[t]! as Teardown;
    out.push({
      name,
      title: `teardown ${name}: ${TEARDOWN_INFO[name].meaning}`,
      severity: SEVERITY[name],
      count: a.count,
      first: a.first,
      last: a.last,
      clients: top(a.clients).map(host),
      servers: top(a.servers).map(host),
      ports: top(a.ports),
      examples: a.examples,
      evidence: [`teardown class ${name}`],
      cause: TEARDOWN_INFO[name].causes,
      who: 'not decided by this placeholder',
      action: 'not decided by this placeholder',
      filter: `teardown == ${name}`,
    });
  }
  return out.sort((x, y) => SEVERITIES.indexOf(x.severity) - SEVERITIES.indexOf(y.severity) || y.count - x.count);
}
