// A tiny flag parser for the CLI: --name value, --flag, and positional words.
export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Map<string, string | true>;
}

export function parseArgs(args: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (i + 1 < args.length && !args[i + 1]!.startsWith('--')) {
      flags.set(arg.slice(2), args[++i]!);
    } else {
      flags.set(arg.slice(2), true);
    }
  }
  return { positional, flags };
}

/** The string value of a flag, or an error naming it. */
export function requireFlag(parsed: ParsedArgs, name: string): string {
  const value = parsed.flags.get(name);
  if (typeof value !== 'string') throw new Error(`--${name} <value> is required`);
  return value;
}

export function optionalFlag(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}
