// The typed Scaff API client: openapi-fetch over the types generated from schemas/openapi.json
// (client/openapi.d.ts). Plain JavaScript, so Node runs it as installed; editors read index.d.ts.
import createClient from "openapi-fetch";

/** A client for one Scaff server; `apiKey` is sent as `Authorization: Bearer <key>`. */
export function createScaffClient({ baseUrl, apiKey, headers, ...options }) {
  if (typeof baseUrl !== "string" || baseUrl === "")
    throw new TypeError("createScaffClient: baseUrl is required");
  return createClient({
    ...options,
    baseUrl: baseUrl.replace(/\/+$/, ""),
    headers: { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...headers },
  });
}
