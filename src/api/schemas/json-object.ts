import { z } from "@hono/zod-openapi";
import { jsonProblem } from "../../lib/json-guard";
import { isPlainObject } from "../../lib/objects";

/**
 * A JSON object taken as it was sent (no keys stripped), refused when it is too deep, has a
 * `__proto__` key or a lone surrogate, with the path of the problem.
 */
export const jsonObject = (description: string) =>
  z
    .custom<Record<string, unknown>>(isPlainObject, { message: "must be an object" })
    .superRefine((value, ctx) => {
      const problem = jsonProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem.message, path: problem.path });
    })
    .openapi({ type: "object", additionalProperties: true, description });
