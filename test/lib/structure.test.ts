/// <reference types="vite/client" />
// Rules about where code lives that a reader relies on: every D1 statement is in src/db/ and every
// statement on a run's own SQLite in src/run-db/, and no
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
    expect(files.some((f) => f.path === "src/run-db/store.ts")).toBe(true);
    expect(files.some((f) => f.path === "src/db/run-index.ts")).toBe(true);
  });

  it("keeps every SQL statement in src/db/ (D1) or src/run-db/ (the run's own SQLite)", () => {
    const storage = (path: string) => path.startsWith("src/db/") || path.startsWith("src/run-db/");
    const offenders = files
      .filter((f) => !storage(f.path) && (SQL.test(f.text) || /\.sql\.exec\(/.test(f.text)))
      .map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it("cites no document outside the repository", () => {
    const offenders = files.filter((f) => OUTSIDE_DOC.test(f.text)).map((f) => f.path);
    expect(offenders).toEqual([]);
  });
});
