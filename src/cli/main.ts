// The `plumbline` command: each subcommand lives in its own file and is looked up here by name.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HelpRequested, UsageError, unknownName, usageBlock } from './args.js';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** A subcommand: gets the arguments after its name, returns the exit code. */
export type CliCommand = (args: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Readonly<
  Record<string, { readonly summary: string; readonly load: () => Promise<CliCommand> }>
> = {
  schema: {
    summary: 'schema export --spec FILE [--out FILE]: the event schemas as JSON Schema',
    load: async () => (await import('./schema.js')).schemaCommand,
  },
  generate: {
    summary:
      'generate <target> --spec FILE [--out DIR] [--check]: generated artifacts (collector, dashboards, alerts, docs), --check fails on drift',
    load: async () => (await import('./generate.js')).generateCommand,
  },
  slo: {
    summary: 'slo rules --spec FILE --out DIR | slo evaluate --prometheus URL --spec FILE [--json]',
    load: async () => (await import('./slo.js')).sloCommand,
  },
  check: {
    summary:
      'check live --spec FILE --metrics URL [--logs FILE|-] [--otlp-listen ADDR] [--duration 60s] [--json]: a running service against its spec',
    load: async () => (await import('./check.js')).checkCommand,
  },
};

const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** The package's version, read from the package.json beside dist/ (or src/, under tsx). */
function version(): string {
  const path = fileURLToPath(new URL('../../package.json', import.meta.url));
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

function usage(): string {
  return usageBlock(
    'usage: plumbline <command> ... (plumbline <command> --help for its options)',
    COMMANDS,
    '  --version  the version of plumbline\n',
  );
}

export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v') {
    io.stdout(`${version()}\n`);
    return 0;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return 0;
  }
  const command = name === undefined ? undefined : COMMANDS[name];
  if (command === undefined) {
    io.stderr(
      `${name === undefined ? '' : `${unknownName('command', name, Object.keys(COMMANDS))}\n`}${usage()}`,
    );
    return 2;
  }
  try {
    return await (
      await command.load()
    )(rest, io);
  } catch (error) {
    if (error instanceof HelpRequested) {
      io.stdout(error.usage);
      return 0;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) {
      io.stderr(`plumbline ${name}: ${message}\n${error.usage}`);
      return 2;
    }
    io.stderr(`plumbline ${name}: ${message}\n`);
    return 1;
  }
}

/**
 * Exits with `code` once stdout and stderr have handed the OS all that was written to them. A
 * pipe takes 64 KiB at once and Node queues the rest: process.exit() right after the write threw
 * the queue away (`plumbline schema export ... | cat` gave 65,536 of 10,255,047 bytes, exit 0).
 * bin/plumbline.js exits through it too.
 */
export function exitOnceWritten(code: number): void {
  let open = 2;
  for (const stream of [process.stdout, process.stderr]) {
    let flushed = false;
    const done = () => {
      if (flushed) return;
      flushed = true;
      open -= 1;
      if (open === 0) process.exit(code);
    };
    // A reader that left (`| head`) fails the write (EPIPE): nothing more can reach it.
    stream.once('error', done);
    stream.write('', done);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  void main(process.argv.slice(2)).then(exitOnceWritten);
}
