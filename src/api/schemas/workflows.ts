import { z } from "@hono/zod-openapi";
import { jsonObject } from "./json-object";

export const WorkflowIdParam = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/)
    .openapi({ param: { name: "id", in: "path" }, example: "content-review" }),
});

export const WorkflowSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    version: z.number().int(),
    latest_version: z.number().int(),
    step_count: z.number().int(),
    created_by: z.string(),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("WorkflowSummary");

export const WorkflowDetailSchema = WorkflowSummarySchema.extend({
  source_format: z.enum(["yaml", "json"]),
  source: z.string().openapi({ description: "The definition exactly as submitted" }),
  definition: z.record(z.string(), z.unknown()).openapi({ description: "The definition as a JSON object" }),
}).openapi("WorkflowDetail");

export const WorkflowListSchema = z
  .object({ items: z.array(WorkflowSummarySchema), next_cursor: z.string().nullable() })
  .openapi("WorkflowList");

export const ValidationOkSchema = z
  .object({ valid: z.literal(true), id: z.string(), step_count: z.number().int() })
  .openapi("ValidationOk");

const DefinitionJson = jsonObject("A workflow definition").openapi("WorkflowDefinition", {
  description:
    "A workflow definition (see the README's YAML reference). Send YAML with Content-Type application/yaml.",
});

const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"] as const;

/** The minimal example (examples/minimal.yaml) as JSON and as YAML, shown in /docs and the client. */
const DEFINITION_EXAMPLE = {
  id: "minimal",
  name: "Minimal feedback form",
  start_step: "ask",
  steps: [
    {
      id: "ask",
      type: "form",
      title: "Tell us what you think",
      fields: [
        { name: "name", type: "string", label: "Your name", required: true, max_length: 100 },
        { name: "feedback", type: "string", label: "Feedback" },
      ],
    },
  ],
};
const YAML_EXAMPLE = `id: minimal
name: Minimal feedback form
start_step: ask
steps:
  - id: ask
    type: form
    title: Tell us what you think
    fields:
      - { name: name, type: string, label: Your name, required: true, max_length: 100 }
      - { name: feedback, type: string, label: Feedback }
`;

/** Request body accepted by create, new version and validate: JSON or YAML text. */
export const definitionBody = {
  required: false,
  description: "The definition as JSON, or as YAML with a YAML content type (64 KiB at most).",
  content: {
    "application/json": { schema: DefinitionJson, example: DEFINITION_EXAMPLE },
    ...Object.fromEntries(YAML_TYPES.map((t) => [t, { schema: z.string(), example: YAML_EXAMPLE }])),
  },
};

export const isYamlContentType = (ct: string | undefined): boolean =>
  !!ct && YAML_TYPES.some((t) => ct.toLowerCase().split(";")[0]?.trim() === t);
