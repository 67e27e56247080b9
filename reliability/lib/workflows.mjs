// The workflows the suite runs. Each covers one kind of in-flight state: a person's form, an approval,
// an AI step held in the queue by transient provider errors, an AI step that re-asks, one that fails.

const SCORE_SCHEMA = `
    schema:
      type: object
      required: [title, score]
      properties:
        title: { type: string, maxLength: 80 }
        score: { type: integer, minimum: 0, maximum: 100 }`;

/** form → conditional → approval (score > 50) or a second form. */
export const HUMAN = `
id: rel-human
name: Reliability human steps
start_step: ask
steps:
  - id: ask
    type: form
    title: Ask
    assignee: "{{profile.email}}"
    fields:
      - { name: note, type: string, required: true, max_length: 200 }
      - { name: score, type: integer, required: true, minimum: 0, maximum: 100 }
    next: route
  - id: route
    type: conditional
    branches:
      - when: "runtime.score > 50"
        next: sign
    default: done
  - id: sign
    type: approval
    approvers: ["lead@rel.test"]
    instructions: "Sign off {{runtime.note}}?"
    output: review
  - id: done
    type: form
    title: Done
    fields: [{ name: ack, type: boolean }]
`;

/** An AI step whose first two queue deliveries fail transiently (held in the queue ~6 s), then a form. */
export const AI_SLOW = `
id: rel-ai-slow
name: Reliability slow AI
start_step: gen
steps:
  - id: gen
    type: ai_generate
    prompt: "Write a title about {{runtime.topic}}"
${SCORE_SCHEMA}
    mock: { mode: transient_error, failures: 2 }
    output: draft
    next: check
  - id: check
    type: form
    title: Check
    fields: [{ name: ok, type: boolean, required: true }]
`;

/** An AI step that answers off-schema twice, then validly (3 attempts), then an approval. */
export const AI_REASK = `
id: rel-ai-reask
name: Reliability AI re-ask
start_step: gen
steps:
  - id: gen
    type: ai_generate
    prompt: "Score {{runtime.topic}}"
${SCORE_SCHEMA}
    max_retries: 2
    mock: { mode: schema_violation, failures: 2 }
    output: draft
    next: sign
  - id: sign
    type: approval
    approvers: ["lead@rel.test"]
    instructions: "Publish '{{runtime.draft.title}}'?"
    output: review
`;

/** An AI step that never matches its schema within its retries: the run fails. */
export const AI_FAIL = `
id: rel-ai-fail
name: Reliability AI failure
start_step: gen
steps:
  - id: gen
    type: ai_generate
    prompt: "Score {{runtime.topic}}"
${SCORE_SCHEMA}
    max_retries: 1
    mock: { mode: schema_violation, failures: 5 }
    output: draft
`;

export const ALL = [HUMAN, AI_SLOW, AI_REASK, AI_FAIL];
