import type { Context } from "hono";
import { parseDefinitionSource, validateDefinitionObject } from "../definitions/parse";
import type { Definition, DefinitionIssue } from "../definitions/types";
import { AppError } from "../lib/errors";
import { jsonProblem } from "../lib/json-guard";
import type { AppEnv } from "./app-env";
import { isYamlContentType } from "./schemas/workflows";
import { formatPath } from "./validation-hook";

export interface SubmittedDefinition {
  definition: Definition;
  raw: unknown;
  source: string;
  sourceFormat: "yaml" | "json";
}

/** The 422 every definition problem answers with: all issues, each with its path (and line/column for YAML). */
export function definitionInvalid(issues: DefinitionIssue[]): AppError {
  const n = issues.length;
  return new AppError(
    "validation_failed",
    `Workflow definition is invalid: ${n} problem${n === 1 ? "" : "s"}`,
    issues.map((i) => ({ ...i })),
  );
}

/** Reads a definition from a YAML or JSON body and validates it; invalid → 422 with every issue. */
export async function readDefinition(c: Context<AppEnv>, validJson: unknown): Promise<SubmittedDefinition> {
  const contentType = c.req.header("content-type");
  if (isYamlContentType(contentType)) {
    // Decoded by hand: workerd warns when .text() reads a body whose type is not text/*.
    const source = new TextDecoder().decode(await c.req.arrayBuffer());
    const result = parseDefinitionSource(source, "yaml");
    if (!result.ok) throw definitionInvalid(result.issues);
    // YAML escapes can spell a lone surrogate ("\ud800"), which D1 could not store intact.
    const problem = jsonProblem(result.raw);
    if (problem) throw definitionInvalid([{ path: formatPath(problem.path), message: problem.message }]);
    return { definition: result.definition, raw: result.raw, source, sourceFormat: "yaml" };
  }
  if (!contentType) {
    throw new AppError(
      "unsupported_media_type",
      "Send the definition as application/json or application/yaml",
    );
  }
  const source = JSON.stringify(validJson, null, 2);
  const result =
    source.length > 64 * 1024 ? parseDefinitionSource(source, "json") : validateDefinitionObject(validJson);
  if (!result.ok) throw definitionInvalid(result.issues);
  return { definition: result.definition, raw: result.raw, source, sourceFormat: "json" };
}
