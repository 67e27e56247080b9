// `node --import ./scripts/lib/typescript5-hook.mjs …`: makes `import "typescript"` load TypeScript 5
// (installed as the alias typescript5) for the one process that generates the client types.
// openapi-typescript builds its output with the `ts.factory` compiler API, which the project's
// TypeScript 7 (native) does not offer; everything else keeps using TypeScript 7.
import { register } from "node:module";

const resolver = `
export async function resolve(specifier, context, next) {
  if (specifier === "typescript") return next("typescript5", context);
  return next(specifier, context);
}
`;

register(`data:text/javascript,${encodeURIComponent(resolver)}`, import.meta.url);
