/**
 * Several terminal lines as one Ink text node, for the connection list's page of rows. One node
 * instead of one per row: a page costs one layout node, and one entry in Ink 6's text-size cache,
 * which keeps every distinct text it has ever measured (ink issue #986): paging through the list
 * left ~1 KB per row behind, now a page's text.
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
