import { Box, Text } from 'ink';
import type { DatabaseView, PlanView, Tone, ViewLine } from '../plan-view.js';

const TONE_COLOR: Record<Tone, string | undefined> = {
  create: 'green',
  update: 'yellow',
  replace: 'magenta',
  destroy: 'red',
  warning: 'yellow',
  error: 'red',
  muted: 'gray',
  plain: undefined,
};

export function ToneText({ tone, color, children }: { tone: Tone; color: boolean; children: string }) {
  return <Text color={color ? TONE_COLOR[tone] : undefined}>{children}</Text>;
}

function Line({ line, color }: { line: ViewLine; color: boolean }) {
  return (
    <Box paddingLeft={2 + line.depth * 4}>
      <Text>
        <ToneText tone={line.tone} color={color}>
          {line.symbol}
        </ToneText>{' '}
        {line.text}
      </Text>
    </Box>
  );
}

function DatabaseSection({ database, color }: { database: DatabaseView; color: boolean }) {
  const nothing = database.links.length === 0 && database.preamble.length === 0 && database.errors.length === 0;
  return (
    <Box flexDirection="column" marginBottom={1}>
      <Text bold>Database {database.alias}</Text>
      {database.preamble.map((line) => (
        <Line key={line.text} line={line} color={color} />
      ))}
      {database.links.map((link) => (
        <Box key={link.link} flexDirection="column">
          {link.lines.map((line, index) => (
            // Lines of one link are a fixed list: their position is their identity.
            // biome-ignore lint/suspicious/noArrayIndexKey: static list
            <Line key={index} line={line} color={color} />
          ))}
        </Box>
      ))}
      {database.notes.map((note) => (
        <Box key={note.text} paddingLeft={2}>
          <ToneText tone={note.severity === 'warning' ? 'warning' : 'muted'} color={color}>{`${note.severity}: ${note.text}`}</ToneText>
        </Box>
      ))}
      {database.errors.map((error) => (
        <Box key={error.text} paddingLeft={2} flexDirection="column">
          <ToneText tone="error" color={color}>{`✗ ${error.text}`}</ToneText>
          {error.hint ? <Text>{`    hint: ${error.hint}`}</Text> : null}
        </Box>
      ))}
      {nothing ? (
        <Box paddingLeft={2}>
          <ToneText tone="muted" color={color}>
            no changes
          </ToneText>
        </Box>
      ) : null}
    </Box>
  );
}

/**
 * The plan, grouped by database and link, with Terraform's symbols. Every string comes from the view
 * model, already escaped for the terminal (Ink writes control characters in text through untouched).
 */
export function PlanScreen({ view, color }: { view: PlanView; color: boolean }) {
  return (
    <Box flexDirection="column">
      {view.databases.map((database) => (
        <DatabaseSection key={database.alias} database={database} color={color} />
      ))}
      <Text bold>{view.summary}</Text>
      {view.footer.map((line) => (
        <ToneText key={line.text} tone={line.tone} color={color}>
          {line.text}
        </ToneText>
      ))}
    </Box>
  );
}
