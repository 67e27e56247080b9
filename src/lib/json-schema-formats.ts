/**
 * String formats of @cfworker/json-schema replaced by linear-time checks. Its `url` expression
 * backtracks exponentially ("http://" and 24 letters then "!" takes seconds) and quadratically on
 * long inputs; here the same shape runs on RE2. `regex` asks RE2 too, the engine that runs patterns.
 * Every other format was measured linear on adversarial inputs up to 1 MiB and is kept.
 */
import { format } from "@cfworker/json-schema";
import { compilePattern, patternProblem } from "./re2";

// JavaScript's \s (ECMA-262 white space and line terminators); RE2's \s is ASCII only.
const SPACE =
  "\\t\\n\\x{0b}\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}";
const NOT_SPACE = `[^${SPACE}]`;
const LABEL = "(?:[a-z\\x{a1}-\\x{ffff}0-9]+-?)*[a-z\\x{a1}-\\x{ffff}0-9]+";
const NAME = `${LABEL}(?:\\.${LABEL})*\\.[a-z\\x{a1}-\\x{ffff}]{2,}`;
const PUBLIC_IPV4 =
  "(?:[1-9]\\d?|1\\d\\d|2[01]\\d|22[0-3])(?:\\.(?:1?\\d{1,2}|2[0-4]\\d|25[0-5])){2}(?:\\.(?:[1-9]\\d?|1\\d\\d|2[0-4]\\d|25[0-4]))";
/** cfworker's expression with the host captured; its lookaheads become the PRIVATE_HOST check. */
const URL_SHAPE = `(?i)^(?:https?|ftp)://(?:${NOT_SPACE}+(?::${NOT_SPACE}*)?@)?(${PUBLIC_IPV4}|${NAME})(?::\\d{2,5})?(?:/${NOT_SPACE}*)?$`;
const PRIVATE_HOST =
  "^(?:10(?:\\.\\d{1,3}){3}|127(?:\\.\\d{1,3}){3}|169\\.254(?:\\.\\d{1,3}){2}|192\\.168(?:\\.\\d{1,3}){2}|172\\.(?:1[6-9]|2\\d|3[0-1])(?:\\.\\d{1,3}){2})";

/** An http(s) or ftp URL whose host is a public IPv4 address or a name with a top-level domain. */
export function isUrl(text: string): boolean {
  const match = compilePattern(URL_SHAPE).matcher(text);
  return match.matches() && !compilePattern(PRIVATE_HOST).test(match.group(1) ?? "");
}

let installed = false;

/** Puts the linear checks into cfworker's format table (shared by every validator); idempotent. */
export function installLinearFormats(): void {
  if (installed) return;
  format.url = isUrl;
  format.regex = (text: string) => patternProblem(text) === undefined;
  installed = true;
}
