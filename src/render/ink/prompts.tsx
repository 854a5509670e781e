import { Box, Text, useInput } from 'ink';
import { useState } from 'react';

/**
 * A line of typed text, submitted with Enter. Keys can arrive in one chunk ("yes\r" from a paste or
 * a fast typist), so Enter is looked for inside the input too, not only as its own key.
 */
function useLineInput(onSubmit: (line: string | null) => void): { typed: string; done: boolean } {
  const [typed, setTyped] = useState('');
  const [done, setDone] = useState(false);
  useInput((input, key) => {
    if (done) return;
    const finish = (line: string | null) => {
      setDone(true);
      onSubmit(line);
    };
    if (key.escape || (key.ctrl && input === 'c')) return finish(null);
    if (key.return) return finish(typed);
    if (key.backspace || key.delete) return setTyped((t) => t.slice(0, -1));
    if (key.ctrl || key.meta) return;
    const enter = input.search(/[\r\n]/);
    if (enter === -1) return setTyped((t) => t + input);
    const line = typed + input.slice(0, enter);
    setTyped(line);
    finish(line);
  });
  return { typed, done };
}

/** A yes/no question that defaults to no: only "yes" (or y) proceeds. */
export function ConfirmPrompt({ question, onAnswer }: { question: string; onAnswer: (yes: boolean) => void }) {
  const [answer, setAnswer] = useState<boolean | null>(null);
  const { typed, done } = useLineInput((line) => {
    const yes = line !== null && ['y', 'yes'].includes(line.trim().toLowerCase());
    setAnswer(yes);
    onAnswer(yes);
  });
  return (
    <Box flexDirection="column">
      <Text>
        {question} <Text dimColor>[y/N]</Text> {typed}
        {done ? null : <Text inverse> </Text>}
      </Text>
      {answer === false ? <Text>Not applied.</Text> : null}
    </Box>
  );
}

/** Destroying links asks for the database alias typed out, as `heroku pg:links:destroy` asks for the app. */
export function TypeToConfirm({ alias, links, onAnswer }: { alias: string; links: string[]; onAnswer: (confirmed: boolean) => void }) {
  const [answer, setAnswer] = useState<boolean | null>(null);
  const { typed, done } = useLineInput((line) => {
    const confirmed = line !== null && line.trim() === alias;
    setAnswer(confirmed);
    onAnswer(confirmed);
  });
  return (
    <Box flexDirection="column">
      <Text color="red"> ! WARNING: Destructive action</Text>
      <Text color="red">{` ! This destroys ${links.map((l) => `link ${l}`).join(', ')} in database ${alias}, with every foreign table in ${links.length === 1 ? 'it' : 'them'}.`}</Text>
      <Text color="red"> ! Views or code written against these schemas will stop working.</Text>
      <Text>
        {` ! To proceed, type "${alias}": `}
        {typed}
        {done ? null : <Text inverse> </Text>}
      </Text>
      {answer === false ? <Text>{`"${typed.trim()}" is not "${alias}". Not applied.`}</Text> : null}
    </Box>
  );
}
