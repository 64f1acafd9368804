/** One terminal line, never wrapped (the view models cut text to width already). */
import { Text } from 'ink';

export interface LineProps {
  text: string;
  color?: string | undefined;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

export function Line({ text, color, bold, dim, inverse }: LineProps) {
  return (
    <Text wrap="truncate" {...(color ? { color } : {})} bold={bold ?? false} dimColor={dim ?? false} inverse={inverse ?? false}>
      {text === '' ? ' ' : text}
    </Text>
  );
}
