// `plumbline schema export --spec FILE [--out FILE]`: the event line schemas as JSON Schema.
import { writeFile } from 'node:fs/promises';
import { specLineSchemaDocument } from '../logs/field-schema.js';
import { loadSpecFile } from '../spec/load.js';
import { HelpRequested, UsageError, unknownName, optionalFlag, parseArgs, requireFlag } from './args.js';
import type { CliCommand } from './main.js';

const USAGE =
  'usage: plumbline schema export --spec FILE [--out FILE]\n' +
  '  the JSON Schema (2020-12) of every event line the spec allows; stdout without --out\n';

export const schemaCommand: CliCommand = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h') throw new HelpRequested(USAGE);
  if (sub !== 'export') throw new UsageError(unknownName('subcommand', sub, ['export']), USAGE);
  const parsed = parseArgs(rest, { spec: 'value', out: 'value' }, USAGE);
  const spec = await loadSpecFile(requireFlag(parsed, 'spec'));
  const text = JSON.stringify(specLineSchemaDocument(spec), null, 2) + '\n';
  const out = optionalFlag(parsed, 'out');
  if (out === undefined) io.stdout(text);
  else await writeFile(out, text);
  return 0;
};
