import { Box, Text, useInput } from 'ink';
import { useState } from 'react';

/** A yes/no question that defaults to no: only "yes" (or y) proceeds. */
export function ConfirmPrompt({ question, onAnswer }: { question: string; onAnswer: (yes: boolean) => void }) {
  const [typed, setTyped] = useState('');
  const [answered, setAnswered] = useState<boolean | null>(null);
  useInput((input, key) => {
    if (answered !== null) return;
    if (key.return) {
      const yes = ['y', 'yes'].includes(typed.trim().toLowerCase());
      setAnswered(yes);
      onAnswer(yes);
    } else if (key.backspace || key.delete) setTyped((t) => t.slice(0, -1));
    else if (key.escape || (key.ctrl && input === 'c')) {
      setAnswered(false);
      onAnswer(false);
    } else if (!key.ctrl && !key.meta) setTyped((t) => t + input);
  });
  return (
    <Box flexDirection="column">
      <Text>
        {question} <Text dimColor>[y/N]</Text> {typed}
        {answered === null ? <Text inverse> </Text> : null}
      </Text>
      {answered === false ? <Text>Not applied.</Text> : null}
    </Box>
  );
}

/** Destroying links asks for the database alias typed out, as `heroku pg:links:destroy` asks for the app. */
export function TypeToConfirm({ alias, links, onAnswer }: { alias: string; links: string[]; onAnswer: (confirmed: boolean) => void }) {
  const [typed, setTyped] = useState('');
  const [answered, setAnswered] = useState<boolean | null>(null);
  useInput((input, key) => {
    if (answered !== null) return;
    if (key.return) {
      const confirmed = typed.trim() === alias;
      setAnswered(confirmed);
      onAnswer(confirmed);
    } else if (key.backspace || key.delete) setTyped((t) => t.slice(0, -1));
    else if (key.escape || (key.ctrl && input === 'c')) {
      setAnswered(false);
      onAnswer(false);
    } else if (!key.ctrl && !key.meta) setTyped((t) => t + input);
  });
  return (
    <Box flexDirection="column">
      <Text color="red"> ! WARNING: Destructive action</Text>
      <Text color="red">{` ! This destroys ${links.map((l) => `link ${l}`).join(', ')} in database ${alias}, with every foreign table in ${links.length === 1 ? 'it' : 'them'}.`}</Text>
      <Text color="red"> ! Views or code written against these schemas will stop working.</Text>
      <Text>
        {` ! To proceed, type "${alias}": `}
        {typed}
        {answered === null ? <Text inverse> </Text> : null}
      </Text>
      {answered === false ? <Text>{`"${typed.trim()}" is not "${alias}". Not applied.`}</Text> : null}
    </Box>
  );
}
