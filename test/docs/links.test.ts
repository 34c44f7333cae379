// Every relative link in README.md and docs/*.md lands: the file exists, and a #anchor names a
// heading (GitHub's slugs) or an explicit <a id> of the file it points into.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DOCS = join(ROOT, 'docs');
const PAGES = [
  join(ROOT, 'README.md'),
  ...readdirSync(DOCS)
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(DOCS, name)),
];

/** The text outside fenced code blocks and inline code, where links and headings live. */
function prose(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    // One entry per line, so a link's index is its line number.
    if (fence === undefined && marker !== undefined) {
      fence = marker[0]!.repeat(marker.length);
      lines.push('');
    } else if (fence !== undefined) {
      if (marker !== undefined && marker.startsWith(fence)) fence = undefined;
      lines.push('');
    } else lines.push(line.replace(/(`+)[^`]*?\1/g, ''));
  }
  return lines;
}

/**
 * GitHub's heading anchor: lower case, punctuation other than `-` and `_` removed, each space a
 * `-`, and repeats numbered `-1`, `-2` (the algorithm github-slugger implements).
 */
function slugger(): (heading: string) => string {
  const seen = new Map<string, number>();
  return (heading) => {
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base);
    seen.set(base, (count ?? 0) + 1);
    return count === undefined ? base : `${base}-${count}`;
  };
}

/** Headings as rendered text (links and emphasis reduced to their text) and explicit anchors. */
function anchorsOf(markdown: string): Set<string> {
  const slug = slugger();
  const anchors = new Set<string>();
  const raw = markdown.split('\n');
  let fence: string | undefined;
  for (const line of raw) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker !== undefined) {
      fence = marker[0]!.repeat(marker.length);
      continue;
    }
    if (fence !== undefined) {
      if (marker !== undefined && marker.startsWith(fence)) fence = undefined;
      continue;
    }
    for (const match of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1]!);
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const text = heading
      .replace(/<[^>]+>/g, '')
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/[*_]{1,3}([^*_]+)[*_]{1,3}/g, '$1');
    anchors.add(slug(text));
  }
  return anchors;
}

interface Link {
  readonly page: string;
  readonly line: number;
  readonly target: string;
}

function linksOf(page: string): Link[] {
  const links: Link[] = [];
  prose(readFileSync(page, 'utf8')).forEach((line, index) => {
    // [text](target) and [text](target "title"), images too; reference definitions `[x]: target`.
    for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      links.push({ page, line: index + 1, target: match[1]! });
    const definition = /^\s*\[[^\]]+\]:\s+(\S+)/.exec(line);
    if (definition !== null) links.push({ page, line: index + 1, target: definition[1]! });
  });
  return links.filter((link) => !/^[a-z][a-z0-9+.-]*:/i.test(link.target));
}

function brokenLinks(pages: readonly string[]): string[] {
  const anchorCache = new Map<string, Set<string>>();
  const broken: string[] = [];
  for (const page of pages) {
    for (const link of linksOf(page)) {
      const where = `${relative(ROOT, link.page)}:${link.line}: ${link.target}`;
      const hash = link.target.indexOf('#');
      const path = decodeURIComponent(hash === -1 ? link.target : link.target.slice(0, hash));
      const anchor = hash === -1 ? undefined : decodeURIComponent(link.target.slice(hash + 1));
      const file = path === '' ? link.page : resolve(dirname(link.page), path);
      if (!existsSync(file)) {
        broken.push(`${where}: no such file`);
        continue;
      }
      if (anchor === undefined) continue;
      if (statSync(file).isDirectory() || !file.endsWith('.md')) {
        broken.push(`${where}: an anchor into a file that is not Markdown`);
        continue;
      }
      let anchors = anchorCache.get(file);
      if (anchors === undefined) anchorCache.set(file, (anchors = anchorsOf(readFileSync(file, 'utf8'))));
      if (!anchors.has(anchor))
        broken.push(`${where}: no heading or <a id> "${anchor}" in ${relative(ROOT, file)}`);
    }
  }
  return broken;
}

describe('relative links in README.md and docs/*.md', () => {
  it('finds the pages and their links', () => {
    expect(PAGES.map((page) => relative(ROOT, page))).toContain('docs/README.md');
    expect(linksOf(join(ROOT, 'README.md')).length).toBeGreaterThan(5);
  });

  it('docs/README.md lists every guide in docs/', () => {
    const index = new Set(linksOf(join(DOCS, 'README.md')).map((link) => link.target.split('#')[0]));
    const guides = readdirSync(DOCS).filter((name) => name.endsWith('.md') && name !== 'README.md');
    expect(guides.filter((name) => !index.has(name))).toEqual([]);
  });

  it('every link points at an existing file, and every #anchor at a heading of it', () => {
    expect(brokenLinks(PAGES)).toEqual([]);
  });

  it('slugs headings the way GitHub does', () => {
    const slug = slugger();
    expect(slug('Tail sampling with budgets')).toBe('tail-sampling-with-budgets');
    expect(slug('Latest bench (one `npm run bench` on the 2-core machine)')).toBe(
      'latest-bench-one-npm-run-bench-on-the-2-core-machine',
    );
    expect(slug('sampling.policies')).toBe('samplingpolicies');
    expect(slug('SLOs: burn-rate alerts you can prove')).toBe('slos-burn-rate-alerts-you-can-prove');
    expect(slug('Tail sampling with budgets')).toBe('tail-sampling-with-budgets-1');
  });

  it('reports a missing file, a missing heading, and ignores links inside code', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plumbline-links-'));
    try {
      writeFileSync(
        join(dir, 'other.md'),
        '# Other page\n\n<a id="explicit"></a>\n\n## Same name\n\n## Same name\n',
      );
      const page = join(dir, 'page.md');
      writeFileSync(
        page,
        [
          '# Page',
          '[ok](other.md) [ok](other.md#other-page) [ok](other.md#explicit) [ok](other.md#same-name-1) [ok](#page)',
          '[gone](missing.md) and [bad anchor](other.md#nowhere) and [self](#nowhere-here)',
          '```md',
          '[in a fence](missing-in-fence.md)',
          '```',
          'and `[inline](missing-inline.md)` and [web](https://example.com/x.md)',
        ].join('\n'),
      );
      expect(brokenLinks([page]).map((problem) => problem.replace(/^.*?page\.md:/, ''))).toEqual([
        '3: missing.md: no such file',
        `3: other.md#nowhere: no heading or <a id> "nowhere" in ${relative(ROOT, join(dir, 'other.md'))}`,
        `3: #nowhere-here: no heading or <a id> "nowhere-here" in ${relative(ROOT, page)}`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
