import canonicalize from "canonicalize";
import { sha256Hex } from "./hash";

/**
 * `sha256:<hex>` of a value's RFC 8785 canonical JSON (the `canonicalize` package): what a review
 * result's `content_hash` records, so anyone holding the reviewed output can recompute it.
 */
export async function contentHash(value: unknown): Promise<string> {
  return `sha256:${await sha256Hex(canonicalize(value) ?? "null")}`;
}
