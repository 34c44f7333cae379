// Titles and descriptions as Grafana shows them. Grafana replaces `$name`, `${name}` and
// `[[name]]` in panel and row titles and in panel descriptions with its variables (its own
// `$__user`, `$__interval` included), and unlike a query's string literal (dashboardString in
// spec/promql.ts) that text has no escape. A spec text holding one (an SLO description "paged as
// $job", an SLI value "/pay/$instance") read as the variable's value.

/**
 * U+2060 WORD JOINER: invisible and zero-width, and not a word character, so Grafana's variable
 * regex (public/app/features/variables/utils.ts, variableRegex: `\$(\w+)`, `\[\[(\w+?)...\]\]`,
 * `\${(\w+)...}`) no longer matches where it stands between `$` and a name or `{`, or between the
 * two `[`s. The text reads the same; nothing else in it changes.
 */
const WORD_JOINER = '\u2060';

/** `text` as Grafana shows it in a title or description, never as a variable's value. */
export function grafanaText(text: string): string {
  return text.replace(/\$(?=[\w{])/g, () => `$${WORD_JOINER}`).replace(/\[(?=\[)/g, () => `[${WORD_JOINER}`);
}
