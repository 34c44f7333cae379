// Regression: the "small complete spec" of docs/spec.md and the "Passing the context" example of
// docs/metrics.md were refused by the spec validator (`SpecError: ... histograms["http.server.
// request.duration"].attributes: must declare the convention's attributes ...`), so a newcomer
// pasting them got a SpecError at startup. Every spec example in README.md and docs/*.md (the
// object passed to `defineTelemetry(...)`, or assigned to `const spec = {...}`) must validate.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as plumbline from '../../src/index.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DOCS = join(ROOT, 'docs');
const PAGES = [
  join(ROOT, 'README.md'),
  ...readdirSync(DOCS)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join(DOCS, name)),
];

interface Example {
  /** `docs/spec.md:30`: the page and the line the spec starts on. */
  readonly where: string;
  /** The object literal's source text, TypeScript-only `as const` removed. */
  readonly source: string;
}

/** The bodies of the page's ts/js fenced code blocks, with the line each body starts on. */
function codeBlocks(markdown: string): { body: string; line: number }[] {
  const blocks: { body: string; line: number }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*(`{3,})(ts|typescript|js|javascript)\s*$/.exec(lines[i]!);
    if (open === undefined || open === null) continue;
    const fence = open[1]!;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.trim().startsWith(fence)) end++;
    blocks.push({ body: lines.slice(start, end).join('\n'), line: start + 1 });
    i = end;
  }
  return blocks;
}

/** The index just past the `{...}` that opens at `open`, skipping strings and comments. */
function literalEnd(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const c = code[i]!;
    if (c === "'" || c === '"' || c === '`') {
      for (i++; i < code.length && code[i] !== c; i++) if (code[i] === '\\') i++;
    } else if (c === '/' && code[i + 1] === '/') {
      while (i < code.length && code[i] !== '\n') i++;
    } else if (c === '/' && code[i + 1] === '*') {
      i = code.indexOf('*/', i + 2) + 1;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced object literal at ${open}`);
}

/** Every spec example: `defineTelemetry({...})` and `const spec = {...}` in a code block. */
function specExamples(): Example[] {
  const examples: Example[] = [];
  for (const page of PAGES) {
    for (const block of codeBlocks(readFileSync(page, 'utf8'))) {
      for (const match of block.body.matchAll(/defineTelemetry\(\s*\{|\bspec\s*=\s*\{/g)) {
        const open = match.index + match[0].length - 1;
        const source = block.body.slice(open, literalEnd(block.body, open)).replace(/\s+as\s+const\b/g, '');
        const line = block.line + block.body.slice(0, open).split('\n').length - 1;
        examples.push({ where: `${relative(ROOT, page)}:${line}`, source });
      }
    }
  }
  return examples;
}

/** The literal's value, with plumbline's exports (HTTP_SERVER_DURATION_BUCKETS, ...) in scope. */
function evaluate(source: string): unknown {
  const names = Object.keys(plumbline).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
  const values = names.map((name) => (plumbline as Record<string, unknown>)[name]);
  return new Function(...names, `"use strict"; return (${source});`)(...values) as unknown;
}

/** The validator's verdict on one spec: '' when it is accepted, else the SpecError's message. */
function verdict(spec: unknown): string {
  try {
    plumbline.defineTelemetry(spec as plumbline.TelemetrySpec);
    return '';
  } catch (error) {
    if (error instanceof plumbline.SpecError) return error.message;
    throw error;
  }
}

const EXAMPLES = specExamples();

describe('regression: spec examples in the docs are refused by the validator', () => {
  it('finds the spec examples of docs/spec.md and docs/metrics.md', () => {
    const pages = new Set(EXAMPLES.map((example) => example.where.replace(/:\d+$/, '')));
    expect(pages).toContain('docs/spec.md');
    expect(pages).toContain('docs/metrics.md');
    // metrics.md has two: the runnable snippet and "Passing the context".
    expect(EXAMPLES.filter((example) => example.where.startsWith('docs/metrics.md:'))).toHaveLength(2);
  });

  it.each(EXAMPLES.map((example) => [example.where, example.source] as const))(
    'the spec at %s validates',
    (where, source) => {
      expect(verdict(evaluate(source)), `${where}: the spec example is refused`).toBe('');
    },
  );
});
