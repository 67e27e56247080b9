import type { Definition } from "../definitions/types";
import { renderRecipients } from "../executors/recipients";
import { AppError } from "../lib/errors";
import { MAX_RECIPIENTS } from "../lib/limits";
import { decisionOf, isForbidden } from "./approval-policy";
import { blank, type EngineDeps, stepById } from "./engine";
import type { HumanWait, RunState, Transition } from "./state";
import { templateView } from "./view";

// Transitions that hand out links on an open wait without deciding it: escalation (the alarm),
// resend and reassign (the waits API). Each mints new tokens and emails them in its transition.

/** The open human wait of `state`, cloned into a fresh transition. */
function openTransition(state: RunState): { t: Transition; wait: HumanWait } {
  const t = blank(structuredClone(state));
  const wait = t.run.pending;
  if (t.run.status !== "waiting" || wait?.kind !== "human") throw new Error(`run ${state.id} is not waiting`);
  return { t, wait };
}

/** Gives `recipients` a new link each (a token and an email). */
function handOut(t: Transition, wait: HumanWait, recipients: string[], deps: EngineDeps): void {
  for (const recipient of recipients) {
    t.mintTokens.push({
      jti: deps.newId("tok"),
      stepId: wait.stepId,
      waitId: wait.waitId,
      recipient,
      expiresAt: wait.expiresAt,
    });
  }
  if (recipients.length > 0) {
    t.effects.push({ kind: "mail", waitId: wait.waitId, mail: "request", recipients });
  }
}

/** The escalation level due now: its `to` addresses become approvers too; earlier links stay valid. */
export function escalateWait(def: Definition, state: RunState, deps: EngineDeps): Transition {
  const { t, wait } = openTransition(state);
  const step = stepById(def, wait.stepId);
  const levels = step.type === "approval" ? (step.escalate ?? []) : [];
  const level = wait.escalations ?? 0;
  const current = levels[level];
  const next = levels[level + 1];
  wait.escalations = level + 1;
  wait.escalateAt = next ? wait.startedAt + next.after_ms : undefined;
  if (!current) return t;
  const ids = { stepId: wait.stepId, attemptId: wait.attemptId };
  const rendered = renderRecipients(current.to, templateView(t.run)).valid;
  const added: string[] = [];
  for (const address of rendered) {
    if (isForbidden(wait, address)) {
      t.events.push({ ...ids, type: "wait.recipient_forbidden", data: { recipient: address } });
    } else if (!wait.recipients.includes(address) && wait.recipients.length + added.length < MAX_RECIPIENTS) {
      added.push(address);
    }
  }
  wait.recipients = [...wait.recipients, ...added];
  handOut(t, wait, added, deps);
  t.events.push({ ...ids, type: "wait.escalated", data: { level: level + 1, to: added } });
  return t;
}

/** Checks that a request names the run's open wait; a closed or unknown one is a 409 or 404. */
export function openWaitNamed(state: RunState, waitId: string): HumanWait {
  const wait = state.pending;
  if (state.status === "waiting" && wait?.kind === "human" && wait.waitId === waitId) return wait;
  if (state.status !== "waiting")
    throw new AppError("conflict", `The run is ${state.status}: the wait is closed`);
  throw new AppError("conflict", `Wait '${waitId}' is not the run's open wait`);
}

/** A recipient of the wait who has not decided yet, or the 404/409 refusing it. */
function undecided(wait: HumanWait, recipient: string): string {
  const who = recipient.toLowerCase();
  if (!wait.recipients.includes(who)) {
    throw new AppError("not_found", `${recipient} is not a recipient of this wait`);
  }
  if (decisionOf(wait, who)) throw new AppError("conflict", `${recipient} has already decided`);
  return who;
}

/** New links for the wait's undecided recipients (or one of them); their old links stop working. */
export function resendLinks(
  state: RunState,
  waitId: string,
  recipient: string | undefined,
  deps: EngineDeps,
): Transition {
  openWaitNamed(state, waitId);
  const { t, wait } = openTransition(state);
  const targets = recipient
    ? [undecided(wait, recipient)]
    : wait.recipients.filter((r) => !decisionOf(wait, r));
  if (targets.length === 0) throw new AppError("conflict", "Every recipient of this wait has decided");
  t.revokeRecipients = targets.map((r) => ({ waitId, recipient: r }));
  handOut(t, wait, targets, deps);
  t.events.push({
    stepId: wait.stepId,
    attemptId: wait.attemptId,
    type: "wait.resent",
    data: { recipients: targets },
  });
  return t;
}

/** Moves a recipient's link to someone else: `from` loses it, `to` gets a new one. */
export function reassignWait(
  state: RunState,
  waitId: string,
  move: { from: string; to: string; by: string },
  deps: EngineDeps,
): Transition {
  openWaitNamed(state, waitId);
  const { t, wait } = openTransition(state);
  const from = undecided(wait, move.from);
  const to = move.to.toLowerCase();
  if (isForbidden(wait, to)) throw new AppError("forbidden", `${move.to} may not decide this step`);
  if (wait.recipients.includes(to) || decisionOf(wait, to)) {
    throw new AppError("conflict", `${move.to} is already a recipient of this wait`);
  }
  wait.recipients = [...wait.recipients.filter((r) => r !== from), to];
  wait.reassigned = [...(wait.reassigned ?? []), from];
  t.revokeRecipients = [{ waitId, recipient: from }];
  handOut(t, wait, [to], deps);
  t.events.push({
    stepId: wait.stepId,
    attemptId: wait.attemptId,
    type: "wait.reassigned",
    data: { from, to, by: move.by },
  });
  return t;
}

/** What the waits API asks of a run's open wait. */
export type Relink =
  | { kind: "resend"; waitId: string; recipient?: string; by: string }
  | { kind: "reassign"; waitId: string; from: string; to: string; by: string };

/** The transition a resend or a reassign makes. */
export function relinkWait(state: RunState, r: Relink, deps: EngineDeps): Transition {
  return r.kind === "resend"
    ? resendLinks(state, r.waitId, r.recipient, deps)
    : reassignWait(state, r.waitId, r, deps);
}
