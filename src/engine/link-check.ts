import type { HumanWait, Pending, RunStatus } from "./state";

// Whether a resume link still works: the API's resume and the link pages ask the same questions.

/** A resume token's stored state, as the link checks read it. */
export interface LinkToken {
  runId: string;
  waitId: string;
  usedAt: number | null;
  revokedAt: number | null;
}

/** What a signed link names: the run, and the wait and step it answers. */
export interface LinkTarget {
  runId: string;
  waitId: string;
  stepId: string;
}

/** True when the stored token is the one the link names (a genuine signature over an unknown jti is not). */
export function tokenMatches(token: LinkToken | null, target: LinkTarget): token is LinkToken {
  return token !== null && token.runId === target.runId && token.waitId === target.waitId;
}

/**
 * The wait a link answers, while the link is still open: unused, not revoked, and the run waiting on
 * that very wait and step. Null once it was used, revoked, or the run moved on or ended.
 */
export function openWait(
  run: { status: RunStatus; pending: Pending | null },
  token: LinkToken,
  target: LinkTarget,
): HumanWait | null {
  const wait = run.pending;
  const open =
    run.status === "waiting" &&
    wait?.kind === "human" &&
    wait.waitId === target.waitId &&
    wait.stepId === target.stepId &&
    token.usedAt === null &&
    token.revokedAt === null;
  return open ? wait : null;
}
