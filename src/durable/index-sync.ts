import { type DevMailRow, mirrorDevMail } from "../db/dev-mail";
import { type IndexWrite, writeRunIndexes } from "../db/wait-index";
import type { Logger } from "../lib/logger";
import { retryDelaySeconds } from "../queue/backoff";
import type { RunDb } from "../run-db/client";
import {
  indexOwed,
  indexWriteFailed,
  indexWritten,
  type PendingIndexWrite,
  pendingIndexWrite,
} from "../run-db/index-outbox";
import type { MailOutboxRow } from "../run-db/mail";

/** How soon the alarm writes an index write the object owes and did not get to (it died meanwhile). */
export const INDEX_WATCHDOG_MS = 10_000;

/**
 * How long the object holds an index write before sending it: entries that follow within this time
 * (a resume right after a start, an approval right after the AI result) ride in the same D1 write.
 * Lists lag a run by at most this plus the write (docs/scaling.md: at most 1 s under the bench's load).
 */
export const INDEX_COALESCE_MS = 200;

/** When the alarm should next try the write `owed` (none: Infinity; not failed yet: the watchdog's time). */
const deadlineOf = (owed: { retryAt: number | null } | null, now: number): number =>
  owed ? (owed.retryAt ?? now + INDEX_WATCHDOG_MS) : Number.POSITIVE_INFINITY;

/** When the alarm should next try the index write this object owes, or Infinity when it owes none. */
export function indexDeadline(db: RunDb, now: number): number {
  return deadlineOf(indexOwed(db), now);
}

/** Where an index write goes: D1 itself, or the index writer (index-writer.ts) that batches many runs'. */
export type IndexSink = (write: IndexWrite) => Promise<unknown>;

/** Writes straight to D1, as one batch of its own. */
export const directTo =
  (d1: D1Database): IndexSink =>
  (write) =>
    writeRunIndexes(d1, [write]);

/** How long an index write to the writer may take before it counts as failed (and is retried). */
export const INDEX_SEND_TIMEOUT_MS = 5_000;

/** Sends through `send`, failing after INDEX_SEND_TIMEOUT_MS (a writer that never answers must not hold the run's writes). */
export const withTimeout =
  (send: IndexSink, ms = INDEX_SEND_TIMEOUT_MS): IndexSink =>
  (write) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`index write got no answer in ${ms} ms`)), ms);
    });
    return Promise.race([send(write), late]).finally(() => clearTimeout(timer));
  };

/** Sets and clears the timer the held write waits on (tests and the bench inject their own). */
export interface Timer {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimer: Timer = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Writes what the run's object owes D1's index: after an entry, off the answer's path, held for
 * INDEX_COALESCE_MS so that later entries meanwhile join it (lists may lag by that and the write). A
 * failure is kept with a backoff time for the alarm; a newer transition meanwhile replaces the write,
 * so D1 gets one write for several transitions. A write held when the object dies is the alarm's.
 */
export class IndexSync {
  private running: Promise<void> | undefined;
  private again = false;
  private held: { handle: unknown; log: Logger } | undefined;
  /** The write the outbox row holds, as the last transition wrote it (saves reading it back). */
  private owed: PendingIndexWrite | null = null;

  constructor(
    private readonly db: RunDb,
    /** Where writes go after an entry (the index writer); the alarm's retries go `direct`. */
    private readonly sink: IndexSink,
    private readonly direct: IndexSink,
    /** Called after a write landed (the object's alarm no longer needs to wait for it). */
    private readonly landed: () => Promise<void>,
    private readonly holdMs = INDEX_COALESCE_MS,
    private readonly timer: Timer = realTimer,
  ) {}

  /**
   * What the transition just committed owes (its outbox row's content). The object is the row's only
   * writer, so this is what a read would find; a write that fails or lands forgets it (the row says).
   */
  remember(owed: PendingIndexWrite | null): void {
    this.owed = owed;
  }

  /** indexDeadline without its read while the write a transition just committed is owed (the common case). */
  deadline(now: number): number {
    return this.owed ? deadlineOf(this.owed, now) : indexDeadline(this.db, now);
  }

  /** Starts writing after the hold (or writes again after the write in flight); never throws. */
  kick(log: Logger): void {
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.held) return;
    if (this.holdMs <= 0) this.start(log);
    else this.held = { log, handle: this.timer.set(() => this.release(true), this.holdMs) };
  }

  /** Resolves once nothing is held or in flight, sending a held write at once (tests and the bench). */
  async settled(): Promise<void> {
    this.release();
    while (this.running) await this.running;
  }

  /** Sends the held write now, if one is held (its timer is cleared unless it is what fired). */
  private release(fired = false): void {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    if (!fired) this.timer.clear(held.handle);
    this.start(held.log);
  }

  private start(log: Logger): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop(log).finally(() => {
      this.running = undefined;
    });
  }

  private async loop(log: Logger): Promise<void> {
    let wrote = false;
    do {
      this.again = false;
      wrote = (await this.writeOnce(log)) === "written" || wrote;
    } while (this.again);
    if (wrote) await this.landed().catch(() => undefined);
  }

  /** One attempt at the owed write; the alarm's (`direct`) goes straight to D1, not through the writer. */
  async writeOnce(log: Logger, direct = false): Promise<"written" | "failed" | "none"> {
    const owed = this.owed ?? pendingIndexWrite(this.db);
    this.owed = null;
    if (!owed) return "none";
    try {
      await (direct ? this.direct : this.sink)({ summary: owed.summary, waits: owed.waits });
      indexWritten(this.db, owed.summary.id, owed.version);
      return "written";
    } catch (e) {
      const failures = owed.failures + 1;
      const retryAt = Date.now() + retryDelaySeconds(failures) * 1000;
      indexWriteFailed(this.db, owed.summary.id, owed.version, failures, retryAt);
      log.warn("index write failed; retrying", { failures, retry_at: retryAt, reason: String(e) });
      return "failed";
    }
  }
}

/** Copies outbox rows to the development mailbox (DEV_MODE only); a failure only costs the copy. */
export async function copyToDevMailbox(d1: D1Database, rows: readonly MailOutboxRow[], log: Logger) {
  const copies = rows.map(
    (r): DevMailRow => ({
      ...{ id: r.id, runId: r.runId, stepId: r.stepId, kind: r.kind, toAddress: r.toAddress },
      ...{ subject: r.subject, textBody: r.textBody, htmlBody: r.htmlBody, status: r.status },
      ...{ lastError: r.lastError, createdAt: r.createdAt },
    }),
  );
  await mirrorDevMail(d1, copies).catch((e: unknown) =>
    log.warn("dev mailbox copy failed", { reason: String(e) }),
  );
}
