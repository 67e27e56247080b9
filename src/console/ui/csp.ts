import { consoleStyleHash } from "./styles";

/** Where the console's one script is served from (Workers static assets, `assets/console/`). */
export const CONSOLE_SCRIPT = "/console/console.js";

/**
 * The console's Content-Security-Policy: the human pages' (nothing from anywhere, the inline stylesheet
 * by hash, forms post only here) plus this origin's one script (auto-refresh, copy buttons).
 */
export async function consoleCsp(): Promise<string> {
  return [
    "default-src 'none'",
    `style-src 'sha256-${await consoleStyleHash()}'`,
    "script-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}
