/// <reference types="vite/client" />
// Rules about where code lives that a reader relies on: every D1 statement is in src/db/, and no
// comment points to a design document outside the repository (docs/ explains the code).
import { describe, expect, it } from "vitest";

// Vite inlines the sources at build time: the test runs in workerd, which has no file system.
const sources = import.meta.glob<string>(["../../src/**/*.ts", "../../src/**/*.tsx"], {
  query: "?raw",
  import: "default",
  eager: true,
});
const files = Object.entries(sources).map(([path, text]) => ({ path: path.replace(/^(\.\.\/)+/, ""), text }));

const SQL = /\.prepare\(|\.batch\(|\b(SELECT|INSERT INTO|DELETE FROM|UPDATE [a-z_]+ SET)\b/;
const OUTSIDE_DOC = /DESIGN(\.md)?\b|\.\.\/shared/;

describe("the source tree", () => {
  it("is read in full", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.some((f) => f.path === "src/db/run-store.ts")).toBe(true);
  });

  it("keeps every D1 statement in src/db/", () => {
    const offenders = files
      .filter((f) => !f.path.startsWith("src/db/") && SQL.test(f.text))
      .map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it("cites no document outside the repository", () => {
    const offenders = files.filter((f) => OUTSIDE_DOC.test(f.text)).map((f) => f.path);
    expect(offenders).toEqual([]);
  });
});
