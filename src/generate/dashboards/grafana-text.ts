// Spec text as Grafana shows and sends it. Grafana replaces `$name`, `${name}` and `[[name]]`
// with its variables (its own `$__user`, `$__interval` included) in a query's text, inside string
// literals too, and in panel and row titles and panel descriptions. A spec text holding one (an SLO
// description "paged as $job", an SLI value "/pay/$instance") read as the variable's value, and a
// query asked for another value. Only a `$` before a word character or `{`, and a `[` before `[`,
// start a variable: those are broken, in a way each place reads as the same text.
import { promString } from '../../spec/promql.js';

/** `text` with each `$` and `[` that starts a Grafana variable written as `dollar` and `bracket`. */
function breakVariables(text: string, dollar: string, bracket: string): string {
  return text.replace(/\$(?=[\w{])/g, () => dollar).replace(/\[(?=\[)/g, () => bracket);
}

/**
 * U+2060 WORD JOINER: invisible and zero-width, and not a word character, so Grafana's variable
 * regex (public/app/features/variables/utils.ts, variableRegex: `\$(\w+)`, `\[\[(\w+?)...\]\]`,
 * `\${(\w+)...}`) no longer matches where it stands between `$` and a name or `{`, or between the
 * two `[`s. The text reads the same; nothing else in it changes.
 */
const WORD_JOINER = '\u2060';

/** `text` as Grafana shows it in a title or description, never as a variable's value. */
export function grafanaText(text: string): string {
  return breakVariables(text, `$${WORD_JOINER}`, `[${WORD_JOINER}`);
}

/**
 * A string literal of a dashboard's query (PromQL or TraceQL): such a `$` or `[` is written `\x24`
 * or `\x5b`, which both languages read as the same character (Go's escapes) and Grafana leaves
 * alone; any other `$` (a regex's end anchor) stays (regression:
 * dashboard-spec-value-with-dollar-replaced-by-grafana).
 */
export function dashboardString(value: string): string {
  return breakVariables(promString(value), '\\x24', '\\x5b');
}
