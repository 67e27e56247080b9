import { loadDefinition } from "../definitions/cache";
import type { AiGenerateStep, ApprovalStep, Definition, FormStep } from "../definitions/types";
import { runStub } from "../durable/address";
import { type RpcResult, unwrap } from "../durable/rpc";
import { replacedLink } from "../engine/decide";
import { openWait, tokenMatches } from "../engine/link-check";
import { AppError } from "../lib/errors";
import type { RunRecord } from "../run-db/run-model";
import type { Recorded } from "../run-db/tokens";
import type { ResumeClaims } from "../tokens";
import type { LinkFacts } from "./link-facts";

/**
 * Where a verified link stands, asked of the run's object, which only reads (GET/HEAD must never change anything):
 * - `open`: the run waits on this link's wait and the token is unused: show the page;
 * - `used`: this token's submission was accepted; `recorded` is what it recorded;
 * - `cancelled`: the run was cancelled;
 * - `closed`: the wait ended another way (another recipient answered, a timeout, the run moved on
 *   or ended); `answered` says whether someone else or the timeout answered it. What they recorded
 *   is never carried: a recipient's page shows only their own answer.
 */
export type LinkState =
  | { kind: "open"; run: RunRecord; def: Definition; step: LinkStep }
  | { kind: "used"; run: RunRecord; def: Definition; step: LinkStep; recorded?: Recorded }
  | { kind: "cancelled"; run: RunRecord; def: Definition }
  | {
      kind: "closed";
      run: RunRecord;
      def: Definition;
      step: LinkStep;
      answered?: Answered;
      /** The wait is still open but this link was revoked: a resend or reassign replaced it. */
      replaced?: boolean;
    };

/** The steps a link answers: forms, approvals, and ai_generate steps a person fixes (`on_invalid: fix`). */
export type LinkStep = FormStep | ApprovalStep | AiGenerateStep;

/** Who answered a wait this link did not: another recipient (or the API), or the step's timeout. */
export type Answered = "someone" | "timeout";

const answeredBy = (recorded: Recorded | undefined): Answered | undefined => {
  if (recorded === undefined) return undefined;
  const output = recorded.output as { timed_out?: unknown } | null;
  return output?.timed_out === true ? "timeout" : "someone";
};

const invalid = (): AppError => new AppError("unauthorized", "This link is not valid");

/** What the run's object knows of the link's run, token and wait; "unauthorized" when it knows none. */
async function linkFacts(env: Env, claims: ResumeClaims): Promise<LinkFacts> {
  const r = await runStub(env, claims.runId).linkFacts(claims.runId, claims.jti, claims.waitId);
  try {
    return unwrap(r as unknown as RpcResult<LinkFacts>);
  } catch (e) {
    if (e instanceof AppError && e.code === "not_found") throw invalid();
    throw e;
  }
}

/** Reads the run, the token row and the wait a verified link belongs to; throws "unauthorized" for unknown ones. */
export async function readLinkState(env: Env, claims: ResumeClaims): Promise<LinkState> {
  const { run, token, recorded } = await linkFacts(env, claims);
  // A genuine signature over a token the run does not know (or knows for another run): refuse.
  if (!tokenMatches(token, claims)) throw invalid();
  const def = await loadDefinition(env.DB, run.workflowId, run.workflowVersion);
  if (!def) throw invalid();
  const step = def.steps.find((s) => s.id === claims.stepId);
  // Only a fix wait mints tokens for an ai_generate step.
  if (step?.type !== "form" && step?.type !== "approval" && step?.type !== "ai_generate") throw invalid();

  if (token.usedAt !== null) return { kind: "used", run, def, step, recorded };
  if (run.status === "cancelled") return { kind: "cancelled", run, def };
  if (openWait(run, token, claims)) return { kind: "open", run, def, step };
  if (replacedLink(run, token, claims)) return { kind: "closed", run, def, step, replaced: true };
  const answered = answeredBy(recorded);
  return { kind: "closed", run, def, step, ...(answered ? { answered } : {}) };
}
