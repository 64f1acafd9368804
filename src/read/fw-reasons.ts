/**
 * Teardown reasons of every vendor: the ASA family's table (asa-reasons.ts) and each reader's own
 * (vendors.ts), looked up by the event's vendor.
 */
import { reasonClass, reasonMeaning, type ReasonClass } from './asa-reasons.js';
import { isCisco, type Vendor } from './syslog-envelope.js';
import { readerOf, type VendorReason } from './vendors.js';

const lower = new Map<Vendor, Map<string, VendorReason>>();

function vendorReason(v: Vendor, raw: string): VendorReason | undefined {
  let m = lower.get(v);
  if (m === undefined) {
    m = new Map(Object.entries(readerOf(v)?.reasons ?? {}).map(([k, r]) => [k.toLowerCase().trim(), r]));
    lower.set(v, m);
  }
  return m.get(raw.toLowerCase().trim());
}


/** The class of a reason as the vendor wrote it; undefined when rsttui does not know it. */
export function reasonClassFor(v: Vendor, raw: string): ReasonClass | undefined {
  if (isCisco(v)) return reasonClass(raw);
  const r = vendorReason(v, raw);
  return r === undefined ? undefined : { teardown: r.teardown, side: r.side };
}

/** One-line meaning of a reason as the vendor wrote it, or undefined. */
export function reasonMeaningFor(v: Vendor, raw: string): string | undefined {
  return isCisco(v) ? reasonMeaning(raw) : vendorReason(v, raw)?.meaning;
}
