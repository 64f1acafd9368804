/**
 * The `finding` field: the name of the connection's finding (src/analysis/findings.ts), e.g.
 * `finding == tls-client-fin-rst-late-rst-denied`. The target hands over every connection's finding
 * as an index into a list of names, made once per dataset; a test then reads one table entry per
 * row. A target without findings (hand-built ones in tests) matches nothing.
 */
import type { FieldDef, RowTest } from './fields.js';
import type { FilterTarget } from './target.js';

const NEVER: RowTest = () => false;

/** Rows whose index passes `tb` (a 0/1 table over the names), with a scan for the filter bar. */
function lookup(index: ArrayLike<number>, tb: Uint8Array): RowTest {
  const test: RowTest = (i) => tb[index[i]!] === 1;
  test.scan = (n, into) => {
    const out = into ?? new Uint32Array(n);
    let k = 0;
    for (let i = 0; i < n; i++) {
      out[k] = i;
      k += tb[index[i]!]!;
    }
    return into ? into.subarray(0, k) : out.slice(0, k);
  };
  return test;
}

export const FINDING_FIELD: FieldDef = {
  name: 'finding',
  type: 'string',
  description: 'the name of the connection\'s finding (its pattern: see "Findings"; `rsttui summary` lists them), e.g. tls-client-fin-rst-late-rst-denied',
  multi: false,
  present: (t: FilterTarget) => (t.findings ? () => true : NEVER),
  lift: (t: FilterTarget, p: (s: string) => boolean) => {
    const f = t.findings?.();
    if (!f) return NEVER;
    const tb = new Uint8Array(f.names.length);
    f.names.forEach((name, k) => { tb[k] = p(name) ? 1 : 0; });
    return lookup(f.index, tb);
  },
};
