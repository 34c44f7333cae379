// The CLI's one flag parser: every command declares its flags, and anything else is refused
// with the flag named (and the nearest known one suggested). `--help` anywhere asks for usage.
import { closestName } from '../spec/suggest.js';

/** A flag either takes a value (`--out DIR`, `--out=DIR`) or is a switch (`--check`). */
export type FlagKinds = Readonly<Record<string, 'value' | 'switch'>>;

export interface ParsedArgs {
  /** By flag name without the dashes: the value, or true for a switch. */
  readonly flags: Map<string, string | true>;
  /** The command's usage, printed with a UsageError about these arguments. */
  readonly usage: string;
}

/** Bad usage (an unknown flag, a missing value): the CLI prints it with the usage, exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** `--help` or `-h` was given: the CLI prints the usage to stdout, exit 0. */
export class HelpRequested extends Error {
  constructor(readonly usage: string) {
    super('help requested');
    this.name = 'HelpRequested';
  }
}

export function parseArgs(args: readonly string[], kinds: FlagKinds, usage: string): ParsedArgs {
  const flags = new Map<string, string | true>();
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--help' || arg === '-h') throw new HelpRequested(usage);
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option "${arg}"`, usage);
      // No command takes arguments besides its flags' values: a word here is a flag typed without
      // its dashes (`json`) or a value after a switch, and was silently ignored (regression:
      // extra-positional-argument-ignored).
      throw new UsageError(unexpectedArgument(arg, kinds), usage);
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const kind = kinds[name];
    if (kind === undefined) throw new UsageError(unknownFlag(name, kinds), usage);
    if (kind === 'switch') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`, usage);
      flags.set(name, true);
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++index];
    if (value === undefined || (eq < 0 && value.startsWith('--')))
      throw new UsageError(`--${name} needs a value`, usage);
    flags.set(name, value);
  }
  return { flags, usage };
}

function unexpectedArgument(arg: string, kinds: FlagKinds): string {
  const nearest = Object.hasOwn(kinds, arg) ? arg : closestName(arg, Object.keys(kinds));
  return `unexpected argument "${arg}"${nearest === undefined ? '' : ` (did you mean --${nearest}?)`}`;
}

/**
 * `unknown <what> "<name>"`, with the closest known one when the name looks like its typo
 * (`plumbline generate alrts`: did you mean "alerts"?), or `a <what> is required` without one.
 */
export function unknownName(what: string, name: string | undefined, known: readonly string[]): string {
  if (name === undefined) return `a ${what} is required`;
  const nearest = closestName(name, known);
  return `unknown ${what} "${name}"${nearest === undefined ? '' : ` (did you mean "${nearest}"?)`}`;
}

function unknownFlag(name: string, kinds: FlagKinds): string {
  const known = Object.keys(kinds);
  const nearest = closestName(name, known);
  const hint = nearest === undefined ? '' : ` (did you mean --${nearest}?)`;
  const list = known.length === 0 ? 'it takes no options' : `known: ${known.map((k) => `--${k}`).join(', ')}`;
  return `unknown option --${name}${hint}; ${list}`;
}

/** A usage block: the first line, then one indented line per entry (name and summary). */
export function usageBlock(
  first: string,
  entries: Readonly<Record<string, { readonly summary: string }>>,
  last = '',
): string {
  const lines = Object.entries(entries).map(([name, entry]) => `  ${name.padEnd(10)} ${entry.summary}\n`);
  return `${first}\n${lines.join('')}${last}`;
}

/**
 * The string value of a flag; without it, bad usage (exit 2), so a CI gate does not read a
 * missing --spec as exit 1, "deviations found" (regression: bad-usage-not-exit-2).
 */
export function requireFlag(parsed: ParsedArgs, name: string): string {
  const value = parsed.flags.get(name);
  if (typeof value !== 'string') throw new UsageError(`--${name} <value> is required`, parsed.usage);
  return value;
}

export function optionalFlag(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** Prometheus label names (the data model's rule). */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * `--series-matcher job=shop,namespace=prod|staging`: extra label matchers on every SLI series,
 * as the rule generators and the live evaluation take them (`seriesMatchers`). Several values of
 * one label, separated by `|`, match any of them.
 */
export function seriesMatchersFlag(
  value: string | undefined,
  usage: string,
): Readonly<Record<string, readonly string[]>> | undefined {
  if (value === undefined) return undefined;
  const matchers: Record<string, string[]> = {};
  for (const pair of value.split(',')) {
    const eq = pair.indexOf('=');
    const label = pair.slice(0, Math.max(0, eq)).trim();
    const values = pair
      .slice(eq + 1)
      .split('|')
      .map((v) => v.trim());
    if (eq < 0 || !LABEL_NAME.test(label) || values.some((v) => v === ''))
      throw new UsageError(
        `--series-matcher: "${pair}" is not label=value (label a Prometheus label name, values separated by |)`,
        usage,
      );
    if (label in matchers) throw new UsageError(`--series-matcher: label "${label}" is given twice`, usage);
    matchers[label] = values;
  }
  return matchers;
}
