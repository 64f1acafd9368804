/**
 * Several terminal lines as one Ink text node, for the connection list's page of rows. One node
 * instead of one per row: a page costs one layout node, and one entry in Ink 6's text-size cache,
 * which keeps every distinct text it has ever measured (ink issue #986), instead of one a row
 * (paging 4000 screens at 1 M connections: RSS +96 MB instead of +116; the rest is not that cache).
 */
import { Text } from 'ink';
import type { ReactNode } from 'react';

export interface PageLine {
  /** cut to the width already, as for Line */
  text: string;
  inverse?: boolean;
}

export function Lines({ lines }: { lines: readonly PageLine[] }) {
  const parts: ReactNode[] = [];
  let plain = '';
  lines.forEach((l, k) => {
    const text = l.text === '' ? ' ' : l.text;
    const nl = k < lines.length - 1 ? '\n' : '';
    if (!l.inverse) {
      plain += text + nl;
      return;
    }
    if (plain) parts.push(plain);
    parts.push(<Text key={k} inverse>{text}</Text>);
    plain = nl;
  });
  if (plain) parts.push(plain);
  return <Text>{parts}</Text>;
}
