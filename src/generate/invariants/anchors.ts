// Anchors of the invariants doc. Invariants get explicit `<a id="...">` anchors (runbook URLs
// must not change when a heading is reworded, and SLO names may hold characters a heading slug
// drops); other headings are linked by GitHub's slug rule. Both spellings live here.

/**
 * GitHub's heading anchor: lowercase, punctuation dropped (letters, digits, spaces, '-' and '_'
 * kept), each space turned into '-'. Duplicate headings get -1, -2, ...: the doc has none.
 */
export function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The explicit anchor line placed right above an invariant's heading. */
export function anchorTag(id: string): string {
  return `<a id="${escapeAttribute(id)}"></a>`;
}

/** Every explicit anchor id in a Markdown text, in order. */
export function explicitAnchors(markdown: string): string[] {
  return [...markdown.matchAll(/<a id="([^"]*)"><\/a>/g)].map((match) =>
    unescapeAttribute(match[1] as string),
  );
}

/** The slug of every ATX heading (`#`..`######`) outside fenced code, in order. */
export function headingSlugs(markdown: string): string[] {
  const slugs: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const match = fenced ? null : /^#{1,6} (.+)$/.exec(line);
    if (match !== null) slugs.push(githubSlug(stripInlineMarkup(match[1] as string)));
  }
  return slugs;
}

/** Fragments of in-document links `](#fragment)`. */
export function internalLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(#([^)]+)\)/g)].map((match) => decodeURIComponent(match[1] as string));
}

/** The fragment of a runbook URL that points into the doc at `docPath`, or undefined if it points elsewhere. */
export function runbookAnchor(url: string, base: string, docPath: string): string | undefined {
  const prefix = `${base}${docPath}#`;
  return url.startsWith(prefix) ? decodeURIComponent(url.slice(prefix.length)) : undefined;
}

/** GitHub's slug keeps the text of code spans and links, not their markup. */
function stripInlineMarkup(text: string): string {
  return text.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

function unescapeAttribute(value: string): string {
  return value
    .replace(/&lt;/g, '<')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
