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
const MID = "(?:1?\\d{1,2}|2[0-4]\\d|25[0-5])";
const LAST = "(?:[1-9]\\d?|1\\d\\d|2[0-4]\\d|25[0-4])";
const IPV4 = `(?:[1-9]\\d?|1\\d\\d|2[01]\\d|22[0-3])(?:\\.${MID}){2}\\.${LAST}`;
/** The addresses cfworker's lookaheads exclude (private, loopback, link-local), in IPV4's grammar. */
const PRIVATE_IPV4 = `(?:(?:10|127)(?:\\.${MID}){2}|169\\.254\\.${MID}|192\\.168\\.${MID}|172\\.(?:1[6-9]|2\\d|3[01])\\.${MID})\\.${LAST}`;

/** cfworker's `url` expression around a given host; without captures RE2 runs it on its fast DFA. */
const urlWith = (host: string): string =>
  `(?i)^(?:https?|ftp)://(?:${NOT_SPACE}+(?::${NOT_SPACE}*)?@)?(?:${host})(?::\\d{2,5})?(?:/${NOT_SPACE}*)?$`;
const NAMED_URL = urlWith(NAME);
const IPV4_URL = urlWith(IPV4);
const PRIVATE_URL = urlWith(PRIVATE_IPV4);

/**
 * An http(s) or ftp URL whose host is a name with a top-level domain or a public IPv4 address.
 * (When several `@` allow both a public and a private address as the host, it is refused.)
 */
export function isUrl(text: string): boolean {
  if (compilePattern(NAMED_URL).test(text)) return true;
  return compilePattern(IPV4_URL).test(text) && !compilePattern(PRIVATE_URL).test(text);
}

let installed = false;

/** Puts the linear checks into cfworker's format table (shared by every validator); idempotent. */
export function installLinearFormats(): void {
  if (installed) return;
  format.url = isUrl;
  format.regex = (text: string) => patternProblem(text) === undefined;
  installed = true;
}
