// `plumbline schema export --spec FILE [--out FILE]`: the event line schemas as JSON Schema.
import { writeFile } from 'node:fs/promises';
import { specLineSchemaDocument } from '../logs/field-schema.js';
import { loadSpecFile } from '../spec/load.js';
import { optionalFlag, parseArgs, requireFlag } from './args.js';
import type { CliCommand } from './main.js';

export const schemaCommand: CliCommand = async (args, io) => {
  const parsed = parseArgs(args);
  if (parsed.positional[0] !== 'export') {
    io.stderr('usage: plumbline schema export --spec FILE [--out FILE]\n');
    return 2;
  }
  const spec = await loadSpecFile(requireFlag(parsed, 'spec'));
  const text = JSON.stringify(specLineSchemaDocument(spec), null, 2) + '\n';
  const out = optionalFlag(parsed, 'out');
  if (out === undefined) io.stdout(text);
  else await writeFile(out, text);
  return 0;
};
