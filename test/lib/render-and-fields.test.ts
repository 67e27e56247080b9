import Mustache from "mustache";
import { describe, expect, it } from "vitest";
import type { FormField } from "../../src/definitions/types";
import { applyDefaults, coerceFormValues, fieldsToJsonSchema } from "../../src/executors/form-fields";
import { AppError } from "../../src/lib/errors";
import { compileSchema, type SchemaValidation } from "../../src/lib/json-schema";
import {
  checkTemplate,
  escapeHtml,
  renderDeep,
  renderHtml,
  renderText,
  renderUrl,
} from "../../src/lib/render";

const view = {
  static: { company: "Acme & Sons" },
  profile: { email: "ann@acme.test", name: "Ann <admin>" },
  runtime: {
    topic: "R&D \"quotes\" <b>bold</b> 'single'",
    audience: "developers",
    words: 500,
    urgent: false,
    ratio: 0.5,
    nothing: null,
    tags: ["edge", "workers"],
    draft: { title: "Hello", score: 91 },
    empty: [],
    items: [{ name: "a" }, { name: "b" }],
  },
};

function appErrorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error("expected an AppError");
}

describe("renderText (prompts)", () => {
  it("renders the design's draft template without HTML escaping", () => {
    const out = renderText(
      "Write about {{runtime.topic}} for {{runtime.audience}} at {{static.company}}.",
      view,
    );
    expect(out).toBe("Write about R&D \"quotes\" <b>bold</b> 'single' for developers at Acme & Sons.");
  });

  it("renders missing keys and null as empty, numbers and booleans as text, objects as JSON", () => {
    expect(renderText("[{{runtime.missing}}][{{nope.deep.path}}][{{runtime.nothing}}]", view)).toBe("[][][]");
    expect(renderText("{{runtime.words}} {{runtime.ratio}} {{runtime.urgent}}", view)).toBe("500 0.5 false");
    expect(renderText("{{runtime.draft}} {{{runtime.tags}}}", view)).toBe(
      '{"title":"Hello","score":91} ["edge","workers"]',
    );
  });

  it("supports sections, inverted sections, lists, {{.}} and array indexes", () => {
    expect(renderText("{{#runtime.tags}}<{{.}}>{{/runtime.tags}}", view)).toBe("<edge><workers>");
    expect(renderText("{{#runtime.items}}{{name}}@{{static.company}};{{/runtime.items}}", view)).toBe(
      "a@Acme & Sons;b@Acme & Sons;",
    );
    expect(
      renderText(
        "{{^runtime.empty}}none{{/runtime.empty}}{{#runtime.urgent}}URGENT{{/runtime.urgent}}",
        view,
      ),
    ).toBe("none");
    expect(renderText("{{runtime.tags.1}} {{runtime.tags.length}}", view)).toBe("workers 2");
    expect(renderText("{{#runtime.draft}}{{title}} ({{score}}){{/runtime.draft}}", view)).toBe("Hello (91)");
  });

  it("never reaches prototypes, functions or class instances", () => {
    const templates = [
      "{{constructor}}",
      "{{constructor.name}}",
      "{{__proto__}}",
      "{{__proto__.x}}",
      "{{runtime.constructor.name}}",
      "{{runtime.topic.constructor.name}}",
      "{{runtime.topic.length}}",
      "{{runtime.tags.constructor.name}}",
      "{{runtime.toString}}",
      "{{#runtime.hasOwnProperty}}x{{/runtime.hasOwnProperty}}",
      "{{#runtime}}{{constructor.name}}{{valueOf}}{{/runtime}}",
      "{{runtime.words.toFixed}}",
    ];
    for (const template of templates) expect(renderText(template, view), template).toBe("");
    const hostile = {
      fn: () => "called",
      map: new Map([["a", 1]]),
      obj: Object.create({ inherited: "yes" }),
    };
    expect(renderText("[{{fn}}][{{#fn}}x{{/fn}}][{{map.size}}][{{obj.inherited}}]", hostile)).toBe(
      "[][][][]",
    );
  });

  it("treats an own __proto__ key from JSON as plain data", () => {
    const fromJson = JSON.parse('{"runtime":{"__proto__":{"x":"own"}}}') as object;
    expect(renderText("{{runtime.__proto__.x}}", fromJson)).toBe("own");
    expect(renderText("{{runtime.x}}", fromJson)).toBe("");
  });

  it("works on Object.create(null) views and renders dates as ISO text", () => {
    const bare = Object.assign(Object.create(null) as object, { a: "b" });
    expect(renderText("{{a}}", bare)).toBe("b");
    expect(renderText("{{at}}", { at: new Date(Date.UTC(2026, 0, 2)) })).toBe("2026-01-02T00:00:00.000Z");
  });

  it("disables partials: {{> x}} renders nothing", () => {
    expect(renderText("a{{> header}}b{{>runtime}}c", view)).toBe("abc");
  });

  it("throws bad_request for a template that does not parse", () => {
    const error = appErrorOf(() => renderText("Hi {{#runtime.tags}}", view));
    expect(error.code).toBe("bad_request");
    expect(error.message).toMatch(/Unclosed section/);
  });

  it("does not change Mustache's global escaping or tags for other callers", () => {
    renderText("{{runtime.topic}}", view);
    renderUrl("https://x.test/{{runtime.topic}}", view);
    expect(Mustache.render("{{x}}", { x: "<b>" })).toBe("&lt;b&gt;");
    // And a caller changing Mustache's globals does not change us.
    const saved = Mustache.escape;
    Mustache.escape = (v: string) => `!${v}!`;
    try {
      expect(renderText("{{x}}", { x: "<b>" })).toBe("<b>");
      expect(renderHtml("{{x}}", { x: "<b>" })).toBe("&lt;b&gt;");
    } finally {
      Mustache.escape = saved;
    }
  });
});

describe("renderHtml and escapeHtml", () => {
  it("escapes {{x}} (also inside JSON) and leaves {{{x}}} raw", () => {
    expect(renderHtml('<p title="{{profile.name}}">{{runtime.topic}}</p>', view)).toBe(
      '<p title="Ann &lt;admin&gt;">R&amp;D &quot;quotes&quot; &lt;b&gt;bold&lt;&#x2F;b&gt; &#39;single&#39;</p>',
    );
    expect(renderHtml("{{runtime.draft}}", { runtime: { draft: { t: "<x>" } } })).toBe(
      "{&quot;t&quot;:&quot;&lt;x&gt;&quot;}",
    );
    expect(renderHtml("{{{raw}}}", { raw: "<i>ok</i>" })).toBe("<i>ok</i>");
  });

  it("escapeHtml escapes every HTML-significant character", () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\`=/</a>`)).toBe(
      "&lt;a href&#x3D;&quot;x&quot; onclick&#x3D;&#39;y&#39;&gt;&amp;&#x60;&#x3D;&#x2F;&lt;&#x2F;a&gt;",
    );
    expect(escapeHtml("plain")).toBe("plain");
  });
});

describe("renderUrl", () => {
  it("URL-encodes interpolated values and leaves {{{x}}} raw", () => {
    const v = { base: "https://api.example.com/v1", q: "a b&c=d/e?#", id: "x/../y" };
    expect(renderUrl("{{{base}}}/items/{{id}}?q={{q}}", v)).toBe(
      "https://api.example.com/v1/items/x%2F..%2Fy?q=a%20b%26c%3Dd%2Fe%3F%23",
    );
    expect(new URL(renderUrl("https://x.test/s?q={{q}}", v)).searchParams.get("q")).toBe(v.q);
  });

  it("rejects results that are not absolute http(s) URLs, without echoing rendered values", () => {
    const secretView = { secrets: { T: "tok-123" }, u: "javascript:alert(1)" };
    for (const template of [
      "{{{u}}}",
      "ftp://x.test/{{secrets.T}}",
      "/relative/{{secrets.T}}",
      "{{{missing}}}",
    ]) {
      const error = appErrorOf(() => renderUrl(template, secretView));
      expect(error.code).toBe("bad_request");
      expect(error.message).not.toContain("tok-123");
    }
    // An encoded value cannot turn into a scheme.
    expect(() => renderUrl("{{u}}", secretView)).toThrow(AppError);
    expect(renderUrl("http://localhost:8787/x", {})).toBe("http://localhost:8787/x");
  });
});

describe("renderDeep", () => {
  it("renders every string in nested objects and arrays, keeping keys and other values", () => {
    const body = {
      "{{runtime.topic}}": "{{runtime.draft.title}}",
      nested: { list: ["{{runtime.audience}}", 3, true, null, { deep: "<{{static.company}}>" }] },
      count: 7,
    };
    expect(renderDeep(body, view)).toEqual({
      "{{runtime.topic}}": "Hello",
      nested: { list: ["developers", 3, true, null, { deep: "<Acme & Sons>" }] },
      count: 7,
    });
    expect(body.nested.list[0]).toBe("{{runtime.audience}}");
    expect(renderDeep("{{runtime.words}}", view)).toBe("500");
    expect(renderDeep(42, view)).toBe(42);
  });

  it("keeps a __proto__ key as data without touching the prototype", () => {
    const out = renderDeep(JSON.parse('{"__proto__":{"polluted":"{{runtime.audience}}"}}'), view) as Record<
      string,
      unknown
    >;
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("checkTemplate", () => {
  it("accepts valid templates and reports parse errors and partials", () => {
    expect(checkTemplate("Hi {{name}} {{#a}}{{b}}{{/a}} {{{raw}}} {{! comment }}")).toBeNull();
    expect(checkTemplate("{{=<% %>=}}<% name %>")).toBeNull();
    expect(checkTemplate("{{#a}}open")).toMatch(/Unclosed section "a"/);
    expect(checkTemplate("{{/a}}")).toMatch(/Unopened section "a"/);
    expect(checkTemplate("{{#a}}{{/b}}")).toMatch(/Unclosed section "a"/);
    expect(checkTemplate("{{name")).toMatch(/Unclosed tag/);
    expect(checkTemplate("x {{#list}}{{> item}}{{/list}}")).toBe("Partials are not supported ({{> item}})");
  });
});

// The design's example form, plus every format.
const fields: FormField[] = [
  { name: "topic", type: "string", required: true, min_length: 3, max_length: 20, label: "Topic" },
  {
    name: "audience",
    type: "string",
    required: false,
    enum: ["developers", "executives"],
    default: "developers",
  },
  { name: "words", type: "integer", required: false, minimum: 100, maximum: 2000 },
  { name: "ratio", type: "number", required: false, minimum: 0, maximum: 1 },
  { name: "contact", type: "string", required: false, format: "email" },
  { name: "site", type: "string", required: false, format: "uri" },
  { name: "day", type: "string", required: false, format: "date" },
  { name: "at", type: "string", required: false, format: "date-time" },
  { name: "code", type: "string", required: false, pattern: "^[A-Z]{3}$" },
  { name: "level", type: "integer", required: false, enum: [1, 2, 3] },
  { name: "urgent", type: "boolean", required: false, help: "Tick if urgent" },
];

const validate = (data: unknown): SchemaValidation => compileSchema(fieldsToJsonSchema(fields))(data);
const errorsOf = (data: unknown): Array<{ path: string; keyword: string }> => {
  const result = validate(data);
  if (result.valid) return [];
  return result.errors.map(({ path, keyword }) => ({ path, keyword }));
};

describe("fieldsToJsonSchema", () => {
  it("compiles fields to a draft 2020-12 object schema", () => {
    const schema = fieldsToJsonSchema(fields);
    expect(schema).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      required: ["topic"],
      additionalProperties: false,
    });
    const props = schema.properties as Record<string, Record<string, unknown>>;
    expect(props.topic).toEqual({ type: "string", title: "Topic", minLength: 3, maxLength: 20 });
    expect(props.audience).toEqual({
      type: "string",
      enum: ["developers", "executives"],
      default: "developers",
    });
    expect(props.words).toEqual({ type: "integer", minimum: 100, maximum: 2000 });
    expect(props.urgent).toEqual({ type: "boolean", description: "Tick if urgent" });
    expect(props.contact?.format).toBe("email");
    expect(props.code?.pattern).toBe("^[A-Z]{3}$");
  });

  it("memoises per fields array and freezes the result", () => {
    const a = fieldsToJsonSchema(fields);
    expect(fieldsToJsonSchema(fields)).toBe(a);
    expect(fieldsToJsonSchema([...fields])).not.toBe(a);
    expect(fieldsToJsonSchema([...fields])).toEqual(a);
    expect(Object.isFrozen(a.properties)).toBe(true);
  });

  it("accepts valid data", () => {
    const full = {
      topic: "Workers",
      audience: "executives",
      words: 100,
      ratio: 1,
      contact: "ann@acme.test",
      site: "https://acme.test/blog?x=1",
      day: "2026-02-28",
      at: "2026-02-28T10:00:00Z",
      code: "ABC",
      level: 2,
      urgent: true,
    };
    expect(validate(full)).toEqual({ valid: true });
    expect(validate({ topic: "abc" })).toEqual({ valid: true });
  });

  it.each([
    ["a missing required field", {}, "/topic", "required"],
    ["a wrong type", { topic: 42 }, "/topic", "type"],
    ["a non-integer", { topic: "abc", words: 150.5 }, "/words", "type"],
    ["an unparsed number", { topic: "abc", words: "many" }, "/words", "type"],
    ["a value outside the enum", { topic: "abc", audience: "kids" }, "/audience", "enum"],
    ["a number outside the enum", { topic: "abc", level: 4 }, "/level", "enum"],
    ["a pattern mismatch", { topic: "abc", code: "abcd" }, "/code", "pattern"],
    ["an invalid email", { topic: "abc", contact: "not-an-email" }, "/contact", "format"],
    ["an invalid uri", { topic: "abc", site: "no scheme here" }, "/site", "format"],
    ["an invalid date", { topic: "abc", day: "2026-13-45" }, "/day", "format"],
    ["an invalid date-time", { topic: "abc", at: "yesterday at noon" }, "/at", "format"],
    ["a value below minimum", { topic: "abc", words: 99 }, "/words", "minimum"],
    ["a value above maximum", { topic: "abc", ratio: 1.01 }, "/ratio", "maximum"],
    ["a too short string", { topic: "ab" }, "/topic", "minLength"],
    ["a too long string", { topic: "x".repeat(21) }, "/topic", "maxLength"],
    ["an unknown field", { topic: "abc", extra: 1 }, "/extra", "additionalProperties"],
    ["a non-boolean checkbox", { topic: "abc", urgent: "yes" }, "/urgent", "type"],
  ])("rejects %s, naming the field", (_name, data, path, keyword) => {
    expect(errorsOf(data)).toContainEqual({ path, keyword });
  });
});

describe("coerceFormValues (HTML posts)", () => {
  it("turns a browser post into typed data that validates", () => {
    const data = coerceFormValues(fields, {
      topic: "Workers",
      words: " 1500 ",
      ratio: "0.25",
      level: "3",
      urgent: "on",
      contact: "",
      day: "2026-01-31",
    });
    expect(data).toEqual({
      topic: "Workers",
      words: 1500,
      ratio: 0.25,
      level: 3,
      urgent: true,
      day: "2026-01-31",
      audience: "developers",
    });
    expect(validate(data)).toEqual({ valid: true });
  });

  it("keeps unparseable numbers as text so validation names the field", () => {
    for (const bad of ["12abc", "0x10", "Infinity", "1e400", "1,5"]) {
      const data = coerceFormValues(fields, { topic: "abc", words: bad });
      expect(data.words).toBe(bad);
      expect(errorsOf(data)).toContainEqual({ path: "/words", keyword: "type" });
    }
    expect(coerceFormValues(fields, { topic: "abc", words: "1.5" }).words).toBe(1.5);
    expect(errorsOf(coerceFormValues(fields, { topic: "abc", words: "1.5" }))).toContainEqual({
      path: "/words",
      keyword: "type",
    });
    expect(coerceFormValues(fields, { topic: "abc", words: "2e2" }).words).toBe(200);
  });

  it("reads checkboxes by presence", () => {
    expect(coerceFormValues(fields, { topic: "abc" }).urgent).toBe(false);
    expect(coerceFormValues(fields, { topic: "abc", urgent: "true" }).urgent).toBe(true);
    expect(coerceFormValues(fields, { topic: "abc", urgent: "false" }).urgent).toBe(false);
    expect(coerceFormValues(fields, { topic: "abc", urgent: ["false", "on"] }).urgent).toBe(true);
    expect(coerceFormValues(fields, { topic: "abc", urgent: "maybe" }).urgent).toBe("maybe");
  });

  it("treats blank inputs as absent: optional ones get defaults, required ones are reported missing", () => {
    const data = coerceFormValues(fields, { topic: "  ", audience: "", words: "", contact: "" });
    expect(data).toEqual({ audience: "developers", urgent: false });
    expect(errorsOf(data)).toEqual([{ path: "/topic", keyword: "required" }]);
    // A chosen value wins over the default; undefined entries are ignored.
    expect(coerceFormValues(fields, { topic: "abc", audience: "executives", site: undefined })).toEqual({
      topic: "abc",
      audience: "executives",
      urgent: false,
    });
  });

  it("passes unknown keys and repeated values through so validation rejects them", () => {
    const data = coerceFormValues(fields, { topic: ["one", "two"], sneaky: "x" });
    expect(data.topic).toEqual(["one", "two"]);
    expect(data.sneaky).toBe("x");
    expect(errorsOf(data)).toEqual(
      expect.arrayContaining([
        { path: "/topic", keyword: "type" },
        { path: "/sneaky", keyword: "additionalProperties" },
      ]),
    );
    expect(coerceFormValues(fields, { topic: ["single"] }).topic).toBe("single");
  });

  it("coerces numeric enum options even on a string field, and keeps a __proto__ key as data", () => {
    const mixed: FormField[] = [{ name: "size", type: "string", required: true, enum: ["small", 2] }];
    expect(coerceFormValues(mixed, { size: "2" }).size).toBe(2);
    expect(coerceFormValues(mixed, { size: "small" }).size).toBe("small");
    const out = coerceFormValues(
      fields,
      JSON.parse('{"topic":"abc","__proto__":"x"}') as Record<string, string>,
    );
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(errorsOf(out)).toContainEqual({ path: "/__proto__", keyword: "additionalProperties" });
  });
});

describe("applyDefaults (JSON resumes)", () => {
  it("fills absent optional fields with their defaults without touching given values or the input", () => {
    const withDefaults: FormField[] = [
      { name: "a", type: "string", required: false, default: "x" },
      { name: "b", type: "integer", required: false, default: 5 },
      { name: "c", type: "boolean", required: false, default: true },
      { name: "d", type: "string", required: true, default: "never for required" },
      { name: "e", type: "string", required: false },
    ];
    const input = { b: 0, c: false, extra: 1 };
    const out = applyDefaults(withDefaults, input);
    expect(out).toEqual({ a: "x", b: 0, c: false, extra: 1 });
    expect(input).toEqual({ b: 0, c: false, extra: 1 });
    expect(applyDefaults(withDefaults, { a: undefined })).toEqual({ a: "x", b: 5, c: true });
  });
});
