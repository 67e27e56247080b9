/** zod 4 schema of a whole workflow definition; its output is exactly the typed `Definition`. */
import { z } from "zod";
import { ID_PATTERN, ID_RULE } from "./identifiers";
import { jsonSchema, stepId, stepSchema } from "./schema-steps";
import { triggersSchema } from "./schema-triggers";
import { type Definition, MAX_STEPS } from "./types";

export const definitionSchema = z.strictObject({
  id: z.string().regex(ID_PATTERN, ID_RULE),
  name: z.string().min(1).max(200),
  description: z.string().optional(),
  start_step: stepId,
  inputs: jsonSchema.optional(),
  context: z.record(z.string(), z.unknown()).default({}),
  templates: z.record(z.string().regex(ID_PATTERN, `template ids ${ID_RULE}`), z.string()).default({}),
  steps: z.array(stepSchema).min(1).max(MAX_STEPS, `at most ${MAX_STEPS} steps are allowed`),
  triggers: triggersSchema.optional(),
});

/** Compile-time proof that the schema produces the shared `Definition` type, no more, no less. */
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const proof: Exact<z.output<typeof definitionSchema>, Definition> = true;
void proof;
