import type { JSX } from "hono/jsx/jsx-runtime";

/** Renders a synchronous Hono JSX tree to a string (pages here have no async components). */
export function renderHtml(node: JSX.Element): string {
  if (node instanceof Promise) throw new Error("renderHtml: async components are not supported");
  return node.toString();
}

/** Renders a full page: the doctype followed by the `<html>` tree. */
export function renderDocument(node: JSX.Element): string {
  return `<!DOCTYPE html>${renderHtml(node)}`;
}
