import { z } from "@hono/zod-openapi";

export const ErrorDetailSchema = z
  .object({
    path: z.string().optional().openapi({ example: "steps[2].next" }),
    message: z.string(),
    line: z.number().int().optional(),
    column: z.number().int().optional(),
    keyword: z.string().optional(),
  })
  .passthrough()
  .openapi("ErrorDetail");

export const ErrorEnvelopeSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "validation_failed" }),
      message: z.string(),
      details: z.array(ErrorDetailSchema).optional(),
    }),
  })
  .openapi("Error");

const DESCRIPTIONS: Record<number, string> = {
  400: "Malformed request (bad JSON, bad cursor or parameter)",
  401: "Missing or invalid credentials",
  403: "Forbidden: the key's role may not do this, or the step forbids this person",
  404: "Not found",
  409: "Conflict with the current state",
  410: "Gone: the link or token has expired",
  413: "Request body larger than 1 MiB",
  415: "Unsupported Content-Type",
  422: "Validation failed; details name each problem",
  500: "Unexpected error (the body carries a request id, never internals)",
};

/** OpenAPI response entries for the given error statuses, all in the error envelope. */
export function errorResponses<S extends number>(...statuses: S[]) {
  const out = {} as Record<
    S,
    { description: string; content: { "application/json": { schema: typeof ErrorEnvelopeSchema } } }
  >;
  for (const s of [...statuses, 500 as S]) {
    out[s] = {
      description: DESCRIPTIONS[s] ?? "Error",
      content: { "application/json": { schema: ErrorEnvelopeSchema } },
    };
  }
  return out;
}

export const PaginationQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .openapi({ param: { name: "limit", in: "query" }, example: 20 }),
  cursor: z
    .string()
    .max(512)
    .optional()
    .openapi({ param: { name: "cursor", in: "query" } }),
});

export const AUTH = [{ bearerAuth: [] }];
