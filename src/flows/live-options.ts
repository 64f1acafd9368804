/** The live engine's options and figures (live.ts). */
import type { KeepOptions } from './live-keep.js';

/** Seconds of capture time a closed connection waits for late packets before its record is final. */
export const DEFAULT_GRACE = 2;
/** Seconds without a packet after which an unclosed connection is over (Zeek's tcp_inactivity_timeout). */
export const DEFAULT_IDLE_TIMEOUT = 300;

export interface LiveOptions {
  /** seconds after a closed connection's last packet before it is over (default DEFAULT_GRACE) */
  grace?: number;
  /** seconds without a packet before an unclosed connection is over (default DEFAULT_IDLE_TIMEOUT) */
  idleTimeout?: number;
  /** the engine's time moves on with the wall clock while no packet comes (default true) */
  wallClock?: boolean;
  /** the wall clock, ms (tests) */
  now?: () => number;
  /** a connection's record is final (index in the current tables) */
  onFinal?: (i: number) => void;
  /** --keep: hold only the most recent connections whose records are final (live-keep.ts); default all */
  keep?: KeepOptions;
  /** logs: --year, --tz, --fw-drop-prefix (as for files) */
  year?: number;
  tz?: string;
  dropPrefixes?: readonly string[];
}

/** The capture's own statistics, as its source gives them (dumpcap's or tcpdump's). */
export interface CaptureStats {
  /** packets the capture dropped (the kernel's or the capture program's count) */
  dropped?: number;
}

/** What the engine did so far. */
export interface LiveCounts {
  packets: number;
  /** connections held now */
  conns: number;
  /** connections whose record is final */
  final: number;
  /** packets that arrived for a connection whose record was already final */
  late: number;
}
