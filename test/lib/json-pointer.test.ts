import { describe, expect, it } from "vitest";
import {
  escapeToken,
  fieldPath,
  fragmentPointer,
  pointerSegments,
  pointerTokens,
} from "../../src/lib/json-pointer";
import { compileSchema } from "../../src/lib/json-schema";

describe("JSON pointers", () => {
  it("splits a pointer into unescaped keys; the root has none", () => {
    expect(pointerTokens("")).toEqual([]);
    expect(pointerTokens("/")).toEqual([""]);
    expect(pointerTokens("/properties/a~1b/items/0")).toEqual(["properties", "a/b", "items", "0"]);
    // ~01 is an escaped "~" followed by "1", not a "/".
    expect(pointerTokens("/a~01b/~0~1")).toEqual(["a~1b", "~/"]);
  });

  it("escapes keys so that splitting gives them back", () => {
    for (const key of ["plain", "a/b", "a~b", "~1", "a b", ""]) {
      expect(escapeToken(key).includes("/")).toBe(false);
      expect(pointerTokens(`/${escapeToken(key)}`)).toEqual([key]);
    }
    expect(escapeToken("a~/b")).toBe("a~0~1b");
  });

  it("turns index-like tokens into numbers, and only those", () => {
    expect(pointerSegments("/steps/2/fields/10/x")).toEqual(["steps", 2, "fields", 10, "x"]);
    expect(pointerSegments("/01/-1/1e3/0")).toEqual(["01", "-1", "1e3", 0]);
    expect(pointerSegments("/1234567890")).toEqual(["1234567890"]);
  });

  it("reads the pointer of a URI fragment, tokens percent-decoded and still escaped", () => {
    expect(fragmentPointer("#")).toBe("");
    expect(fragmentPointer("#/a%20b/0")).toBe("/a b/0");
    expect(fragmentPointer("#/%24defs/x~1y")).toBe("/$defs/x~1y");
    expect(fragmentPointer("/no%23hash")).toBe("/no#hash");
    expect(fragmentPointer("#/100%/ok%21")).toBe("/100%/ok!");
  });

  it("reads the validator's locations back into the keys of the instance", () => {
    const validate = compileSchema({
      type: "object",
      properties: { "a b/c#%23~": { type: "array", items: { type: "integer" } } },
    });
    const result = validate({ "a b/c#%23~": [1, "x"] });
    expect(result.valid).toBe(false);
    if (result.valid) return;
    expect(result.errors.map((e) => e.path)).toContain("/a b~1c#%23~0/1");
    expect(pointerTokens(result.errors[0]?.path ?? "")).toEqual(["a b/c#%23~", "1"]);
  });

  it("shows a pointer as the field path users read", () => {
    expect(fieldPath("")).toBe("");
    expect(fieldPath("/topic")).toBe("topic");
    expect(fieldPath("/tags/0/name")).toBe("tags[0].name");
    expect(fieldPath("/0/a")).toBe("[0].a");
    expect(fieldPath("", "inputs")).toBe("inputs");
    expect(fieldPath("/tags/0", "inputs")).toBe("inputs.tags[0]");
    expect(fieldPath("/a~1b", "inputs")).toBe("inputs.a/b");
  });
});
