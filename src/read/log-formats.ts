/**
 * The shapes a firewall log comes in around its lines: plain lines (syslog files), or a SIEM's
 * JSON-lines export that carries each line in a field (siem-json.ts). Sniffed from the first bytes.
 */
import { sniffLogFormat } from './detect.js';
import { siemLine } from './siem-json.js';
import { ANY_FIREWALL_TAG } from './vendors.js';

export type LogFormat = 'lines' | 'siem-json';

/** The format of a log by its first bytes. */
export const logFormatOf = (first: Uint8Array): LogFormat => sniffLogFormat(first);

const unwrapSiem = (line: string): string | null => siemLine(line, ANY_FIREWALL_TAG);

/** The line inside a record of that format (null: the record carries none). */
export const unwrapOf = (format: LogFormat): ((line: string) => string | null) | undefined => (format === 'siem-json' ? unwrapSiem : undefined);
