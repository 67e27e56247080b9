import { publicBaseUrl } from "../config/env";
import type { Definition } from "../definitions/types";
import { stepById } from "../engine/engine";
import { focusWait } from "../engine/lanes";
import type { Transition } from "../engine/state";
import { templateView } from "../engine/view";
import { newId } from "../lib/ids";
import { renderText } from "../lib/render";
import { composeWaitEmail } from "../mail/compose";
import type { RunDb } from "../run-db/client";
import type { OutboxInsert } from "../run-db/store";
import { openRecipientTokens } from "../run-db/tokens";
import { signResumeToken, type TokenKeyring } from "../tokens";

interface Holder {
  jti: string;
  recipient: string;
  expiresAt: number;
}

/** Builds the emails a transition announces, each with its recipient's own signed link. */
export async function prepareOutbox(
  env: Env,
  db: RunDb,
  def: Definition,
  t: Transition,
  keyring: TokenKeyring,
  now: number,
): Promise<OutboxInsert[]> {
  const out: OutboxInsert[] = [];
  for (const effect of t.effects) {
    if (effect.kind !== "mail") continue;
    // The wait's own branch: its step is the one the email's templates render for.
    const run = focusWait(t.run, effect.waitId);
    const wait = run.pending;
    if (wait?.kind !== "human" || wait.waitId !== effect.waitId) continue;
    let holders: Holder[];
    if (effect.mail === "request") {
      holders = t.mintTokens.flatMap((m) =>
        m.recipient && m.waitId === wait.waitId
          ? [{ jti: m.jti, recipient: m.recipient, expiresAt: m.expiresAt }]
          : [],
      );
    } else {
      holders = await openRecipientTokens(db, t.run.id, wait.waitId);
    }
    const step = stepById(def, wait.stepId);
    const title = step.type === "form" ? step.title : undefined;
    const instructions =
      step.type === "approval" && step.instructions
        ? renderText(step.instructions, templateView(run))
        : step.description;
    for (const h of holders) {
      const token = await signResumeToken(
        keyring,
        {
          runId: t.run.id,
          stepId: wait.stepId,
          waitId: wait.waitId,
          jti: h.jti,
          recipient: h.recipient,
          expiresAt: h.expiresAt,
        },
        now,
      );
      const link = `${publicBaseUrl(env)}/r/${token}`;
      const mail = composeWaitEmail({
        kind: effect.mail,
        stepType: wait.type,
        workflowName: def.name,
        workflowId: def.id,
        stepId: wait.stepId,
        stepTitle: title,
        instructions,
        deadline: wait.expiresAt,
        link,
        to: h.recipient,
      });
      const id = newId("mail", now);
      effect.outboxIds = [...(effect.outboxIds ?? []), id];
      out.push({
        id,
        stepId: wait.stepId,
        waitId: wait.waitId,
        tokenJti: h.jti,
        kind: effect.mail,
        to: h.recipient,
        ...mail,
      });
    }
  }
  return out;
}
