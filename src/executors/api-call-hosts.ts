/** Where an api_call may send the secrets it carries: SECRETS_ALLOWED_HOSTS, checked on every hop. */
import { parseSecretsAllowedHosts, type SecretHosts } from "../config/env.js";
import { isAppError } from "../lib/errors.js";
import { secretMayGoTo } from "../lib/secrets.js";
import type { ApiCallError } from "./api-call-types.js";

/** Vets one URL a request is about to be sent to; an error when it may not go there. */
export type HopCheck = (url: URL) => ApiCallError | undefined;

/**
 * The check every hop of a request carrying `secrets` (names) must pass: each secret must be listed
 * for the hop's host. The URL is the rendered one, so a host chosen by run data (`{{{runtime.base}}}`)
 * is checked like a literal one. A request without secrets goes anywhere (SSRF is not this check's
 * job); SECRETS_ALLOWED_HOSTS is parsed once per call, and only when a request carries a secret: a
 * malformed value refuses every hop as `misconfigured`.
 */
export function secretHopCheck(secrets: readonly string[], allowedHosts: string | undefined): HopCheck {
  if (secrets.length === 0) return () => undefined;
  let hosts: SecretHosts;
  try {
    hosts = parseSecretsAllowedHosts(allowedHosts);
  } catch (err) {
    if (!isAppError(err)) throw err;
    const error: ApiCallError = { code: "misconfigured", message: err.message };
    return () => error;
  }
  return (url) => {
    const refused = secrets.find((name) => !secretMayGoTo(hosts, name, url));
    if (refused === undefined) return undefined;
    const message = `secret ${refused} may not be sent to ${url.host}: SECRETS_ALLOWED_HOSTS does not list that host for it`;
    return { code: "secret_not_allowed", message };
  };
}
