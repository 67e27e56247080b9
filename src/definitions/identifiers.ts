/** Naming rules shared by the definition schema and the semantic checks. */

/** Workflow ids, step ids and template ids: safe in URLs, paths and logs. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const ID_RULE = "must match [a-z0-9][a-z0-9_-]{0,63} (lowercase letters, digits, _ and -)";

/**
 * Form field names and `output` keys become keys of `runtime`, read as `runtime.topic` in CEL and
 * `{{runtime.topic}}` in templates: they must be identifiers there, and never a JS prototype name.
 */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const NAME_RULE = "must be an identifier: a letter or _, then letters, digits or _ (at most 64)";

const RESERVED_NAMES = new Set([
  "__proto__",
  "constructor",
  "prototype",
  // CEL reserved words cannot follow a dot in an expression.
  "true",
  "false",
  "null",
  "in",
  "as",
  "break",
  "const",
  "continue",
  "else",
  "for",
  "function",
  "if",
  "import",
  "let",
  "loop",
  "package",
  "namespace",
  "return",
  "var",
  "void",
  "while",
]);

/** True when `name` can be a runtime key (field name, step output). */
export function isRuntimeName(name: string): boolean {
  return NAME_PATTERN.test(name) && !RESERVED_NAMES.has(name);
}

/** HTTP header names (RFC 9110 token). */
export const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
