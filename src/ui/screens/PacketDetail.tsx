/**
 * One packet: where it came from, the decoded layers (link, IP, TCP with options, TLS record
 * headers) and a hex/ASCII dump of the bytes read back from the capture. Scrolls as one list.
 */
import { Box } from 'ink';
import { useMemo, useState, type ReactElement } from 'react';
import { decodeDetail } from '../../decode/detail.js';
import type { Dataset } from '../../flows/dataset.js';
import { flagLetters } from '../../model.js';
import { stripControls } from '../../text.js';
import { usePacketBytes, type BytesState } from '../hooks/use-packet-bytes.js';
import { fileOfRow, nflogOfRow, nflogTag } from '../../export/records.js';
import { useKeys } from '../hooks/use-keys.js';
import { useLive } from '../hooks/use-live.js';
import type { Theme } from '../theme.js';
import { Line } from '../components/Line.js';
import { StatusBar } from '../components/StatusBar.js';
import { bytesPerLine, hexDump, layerLines } from '../view/hexdump.js';
import { clampNav, moveNav, type Nav } from '../view/nav.js';
import { fit, timeOfDay } from '../view/text.js';

export interface PacketDetailProps {
  ds: Dataset;
  conn: number;
  /** packet index within the connection */
  k: number;
  /** packet-table row */
  row: number;
  width: number;
  height: number;
  theme: Theme;
  onBack: () => void;
  onHelp: () => void;
  onQuit: () => void;
  /** tests pass the bytes in; the app reads them back from the file */
  bytes?: BytesState;
}

/** The detail lines (pure, for tests). */
export function detailLines(ds: Dataset, conn: number, k: number, row: number, st: BytesState, width: number): string[] {
  const f = ds.files[fileOfRow(ds, row)]!;
  const p = ds.packets;
  const nf = nflogOfRow(ds, row);
  const out = [
    stripControls(`packet ${k + 1} of connection #${conn + 1}: ${f.name} frame ${p.frame(row)}, ${timeOfDay(p.ts(row))} UTC, flags ${flagLetters(p.flags(row)) || '.'}, len ${p.len(row)}${nf ? `, ${nflogTag(nf)}${nf.dropped ? ' (dropped by the firewall)' : ''}` : ''}`),
    '',
  ];
  if (st.status === 'loading') out.push('reading the packet from the capture...');
  else if (st.status === 'none') out.push(stripControls(`no bytes: ${st.reason}`));
  else {
    const b = st.bytes;
    out.push(...layerLines(decodeDetail(b.data, 0, b.caplen, b.origlen, b.linktype)));
    out.push('', `${b.caplen} bytes captured (non-printable bytes shown as .)`);
    out.push(...hexDump(b.data.subarray(0, b.caplen), bytesPerLine(width)));
  }
  return out;
}

export function PacketDetail(props: PacketDetailProps) {
  const { ds, conn, k, row, width, height, theme } = props;
  const read = usePacketBytes(ds, props.bytes ? -1 : row);
  const st = props.bytes ?? read;
  const lines = useMemo(() => detailLines(ds, conn, k, row, st, width), [ds, conn, k, row, st, width]);
  const h = Math.max(1, height - 1);
  const [navState, setNav] = useState<Nav>({ cursor: 0, offset: 0 });
  // the cursor is the top line: scrolling moves the window
  const nav = clampNav(navState, Math.max(1, lines.length - h + 1), h);
  const live = useLive(nav);
  const setNavL = (n: Nav): void => {
    live.current = n;
    setNav(n);
  };

  useKeys('detail', (_t, action) => {
    const nav = live.current;
    if (action === 'back') return props.onBack();
    if (action === 'quit') return props.onQuit();
    if (action === 'help') return props.onHelp();
    if (action) setNavL(moveNav(nav, action, Math.max(1, lines.length - h + 1), h));
  });

  const shown: ReactElement[] = [];
  for (let j = nav.cursor; j < Math.min(lines.length, nav.cursor + h); j++) {
    const l = lines[j]!;
    shown.push(<Line key={j} text={fit(l, width)} bold={j === 0 || /^[A-Z]/.test(l)} />);
  }
  while (shown.length < h) shown.push(<Line key={`p${shown.length}`} text="" />);
  return (
    <Box flexDirection="column" width={width}>
      {shown}
      <StatusBar left={`line ${nav.cursor + 1}/${lines.length}`} hints="j/k PgUp/PgDn scroll  Esc back  ? help  q quit" width={width} theme={theme} />
    </Box>
  );
}
