/**
 * The app's one Mustache renderer (STYLE rule 11): prompts, approver addresses, api_call requests and
 * HTML pages all render through here, so escaping and lookup rules are the same everywhere.
 */
import Mustache from "mustache";
import { AppError } from "./errors";

type Escape = (value: unknown) => string;
type Tokens = unknown[];

// Explicit tags and escape on every call: another caller mutating Mustache.tags/escape cannot change us.
const TAGS: [string, string] = ["{{", "}}"];
const CACHE_LIMIT = 500;

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/** What a template may see of a value: JSON-like data only (functions and class instances are invisible). */
function visible(value: unknown): { ok: true; value: unknown } | { ok: false } {
  if (
    value === null ||
    typeof value === "string" ||
    typeof value === "number" ||
    typeof value === "boolean"
  ) {
    return { ok: true, value };
  }
  if (typeof value === "bigint") return { ok: true, value: value.toString() };
  if (Array.isArray(value) || isPlainObject(value)) return { ok: true, value };
  if (value instanceof Date && !Number.isNaN(value.getTime()))
    return { ok: true, value: value.toISOString() };
  return { ok: false };
}

/**
 * Resolves a dotted name through own properties of plain objects and arrays only, so
 * `{{constructor}}`, `{{__proto__.x}}` or `{{runtime.topic.length}}` never reach a prototype.
 */
function resolve(view: unknown, path: string[]): { ok: true; value: unknown } | { ok: false } {
  let current: unknown = view;
  for (const segment of path) {
    if (!(Array.isArray(current) || isPlainObject(current)) || !Object.hasOwn(current, segment)) {
      return { ok: false };
    }
    current = (current as Record<string, unknown>)[segment];
  }
  return visible(current);
}

class SafeContext extends Mustache.Context {
  override push(view: unknown): SafeContext {
    return new SafeContext(view, this);
  }

  override lookup(name: string): unknown {
    if (name === ".") {
      const self = visible(this.view);
      return self.ok ? self.value : undefined;
    }
    const path = name.split(".");
    // Like Mustache: a name missing in a section's context is looked up in the enclosing ones.
    for (let context: Mustache.Context | undefined = this; context; context = context.parent) {
      const hit = resolve(context.view, path);
      if (hit.ok) return hit.value;
    }
    return undefined;
  }
}

/** Objects and arrays render as JSON (useful in prompts), scalars as text, null/undefined as nothing. */
const format = (value: unknown): string =>
  typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);

class SafeWriter extends Mustache.Writer {
  constructor() {
    super();
    // Mustache's own cache never evicts; templates come from users, so bound it.
    const cache = new Map<string, string>();
    (this as unknown as { templateCache: Mustache.TemplateCache }).templateCache = {
      get: (key) => cache.get(key),
      set: (key, value) => {
        if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
        cache.set(key, value);
      },
      clear: () => cache.clear(),
    };
  }

  // Partials are disabled: `{{> name}}` renders nothing and never loads anything.
  override renderPartial(): string {
    return "";
  }

  override unescapedValue(token: string[], context: Mustache.Context): string {
    const value: unknown = context.lookup(token[1] ?? "");
    return value == null ? "" : format(value);
  }

  override escapedValue(token: string[], context: Mustache.Context, config?: Mustache.RenderOptions): string {
    const value: unknown = context.lookup(token[1] ?? "");
    const escapeValue = config?.escape ?? escapeHtml;
    return value == null ? "" : escapeValue(format(value));
  }
}

const writer = new SafeWriter();

function parse(template: string): Tokens {
  try {
    return writer.parse(template, TAGS) as Tokens;
  } catch (e) {
    throw new AppError("bad_request", `Invalid template: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function render(template: string, view: unknown, escapeValue: Escape): string {
  parse(template);
  return writer.render(template, new SafeContext(view), undefined, { tags: TAGS, escape: escapeValue });
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "/": "&#x2F;",
  "`": "&#x60;",
  "=": "&#x3D;",
};

/** Escapes text for HTML element content and quoted attribute values (Mustache's character set). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`=/]/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Renders a template as plain text (prompts, emails' text, headers): no escaping, missing keys render empty. */
export function renderText(template: string, view: object): string {
  return render(template, view, format);
}

/** Renders a template for HTML: every `{{x}}` is HTML-escaped; `{{{x}}}` stays raw. */
export function renderHtml(template: string, view: object): string {
  return render(template, view, (value) => escapeHtml(format(value)));
}

/**
 * Renders a URL: every `{{x}}` is URL-component-encoded, `{{{x}}}` is inserted raw (e.g. a base URL).
 * Throws AppError("bad_request") unless the result is an absolute http(s) URL.
 */
export function renderUrl(template: string, view: object): string {
  const url = render(template, view, (value) => encodeURIComponent(format(value)));
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== "http:" && protocol !== "https:") {
    // The rendered URL may hold secrets; name only the template.
    throw new AppError("bad_request", `URL template "${template}" did not render to an absolute http(s) URL`);
  }
  return url;
}

/** Renders every string inside arrays/objects (keys untouched, other values kept): api_call body, headers, query. */
export function renderDeep(value: unknown, view: object): unknown {
  if (typeof value === "string") return renderText(value, view);
  if (Array.isArray(value)) return value.map((item) => renderDeep(item, view));
  if (isPlainObject(value)) {
    // fromEntries defines own properties, so a "__proto__" key stays data.
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderDeep(item, view)]));
  }
  return value;
}

function findPartial(tokens: Tokens): string | undefined {
  for (const token of tokens) {
    if (!Array.isArray(token)) continue;
    if (token[0] === ">") return String(token[1]);
    if ((token[0] === "#" || token[0] === "^") && Array.isArray(token[4])) {
      const inner = findPartial(token[4]);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

// Tags that look a name up: `{{x}}`, `{{{x}}}` / `{{& x}}`, sections and inverted sections.
const LOOKUP_TAGS = new Set(["name", "&", "#", "^"]);

/**
 * True when a template reads `root` or anything under it (`{{secrets.X}}`, `{{{secrets.X}}}`,
 * `{{& secrets.X}}`, `{{#secrets}}…{{/secrets}}`), at any section depth; false when it does not parse.
 */
export function templateReads(template: string, root: string): boolean {
  let pending: Tokens;
  try {
    // A private Writer: checking a template must not fill the render cache.
    pending = [...(new Mustache.Writer().parse(template, TAGS) as Tokens)];
  } catch {
    return false;
  }
  // A stack, not recursion: section nesting is as deep as the template is long.
  for (let token = pending.pop(); token !== undefined; token = pending.pop()) {
    if (!Array.isArray(token)) continue;
    const [type, name, , , children] = token as [string, string, number, number, unknown];
    if (LOOKUP_TAGS.has(type) && (name === root || name.startsWith(`${root}.`))) return true;
    if (Array.isArray(children)) for (const child of children) pending.push(child);
  }
  return false;
}

/** Returns why a template cannot be used (syntax error, or a partial, which Scaff does not support), or null. */
export function checkTemplate(template: string): string | null {
  let tokens: Tokens;
  try {
    tokens = parse(template);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  const partial = findPartial(tokens);
  return partial === undefined ? null : `Partials are not supported ({{> ${partial}}})`;
}
