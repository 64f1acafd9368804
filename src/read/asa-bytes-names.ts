/**
 * The byte reader's strings (asa-bytes.ts): interface and ACL names and a Teardown's
 * reason, each cached by its bytes (ByteValues), pooled for the chunk (Pooled).
 */
import { reasonOf } from './asa-scan.js';
import { ByteValues } from './byte-strings.js';
import { Pooled } from './fw-chunk-writer.js';

/**
 * The body is not searched for control and other non-ASCII bytes as a whole (the string path strips
 * them, so such a line is the string path's): every byte is read by a literal, a number, an address
 * or one of these caches, whose values are null for a run that is not printable ASCII or holds a
 * `"` or `\` (rare in names: left to the string path, so that a body this reader takes is known
 * to need no escape in JSON unless the reader says so: asa-bytes.ts ESC).
 */
const printable = (t: string): boolean => !/[^\x20\x21\x23-\x5b\x5d-\x7e]/.test(t);
export const names = new ByteValues<Pooled | null>((t) => (printable(t) ? new Pooled(t) : null));
/** interface names as ifaceInto takes them without trimming (no space at either end, no `)` at the end); per side */
const ifaceName = (t: string): Pooled | null => (printable(t) && t[0] !== ' ' && !t.endsWith(' ') && !t.endsWith(')') ? new Pooled(t) : null);
export const ifaces = [new ByteValues(ifaceName), new ByteValues(ifaceName)];
/**
 * A teardown's `reason[ from IF]`, as asa-fast.ts teardown() splits it (common case, no user),
 * and whether the two written again as `reason[ from IF]` give the same text.
 */
export const tails = new ByteValues<[Pooled, Pooled | undefined, boolean] | null>((t) => {
  if (!printable(t)) return null;
  const f = t.indexOf(' from ');
  const r = f < 0 ? t.length : f;
  const reason = reasonOf(t.charCodeAt(r - 1) === 32 ? t.slice(0, r).trim() : t.slice(0, r));
  const from = f >= 0 ? t.slice(f + 6).trim() : undefined;
  return [new Pooled(reason), from === undefined ? undefined : new Pooled(from), (from === undefined ? reason : `${reason} from ${from}`) === t];
});
