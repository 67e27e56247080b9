import { DurableObject } from "cloudflare:workers";
import { type IndexWrite, writeRunIndexes } from "../db/wait-index";

/**
 * How long the writer gathers index writes of different runs before it sends them to D1 as one batch.
 * Lists lag a run by the object's hold (INDEX_COALESCE_MS), this, and the write (docs/scaling.md). Every
 * D1 call has a fixed cost far above its rows' (locally, the bench's `floor: one D1 batch`), so a longer
 * window makes fewer, larger batches under load.
 */
export const INDEX_BATCH_MS = 100;

/** At most this many runs' writes in one D1 batch (one transaction); more go in the next one at once. */
export const INDEX_BATCH_MAX = 50;

/** A write's fate, as data (a rejected RPC would also be logged as an uncaught error in the writer). */
export type WriteResult = { ok: true } | { ok: false; error: string };

interface Waiter {
  write: IndexWrite;
  done(result: WriteResult): void;
}

const OK: WriteResult = { ok: true };
const failed = (e: unknown): WriteResult => ({
  ok: false,
  error: e instanceof Error ? e.message : String(e),
});

/**
 * Gathers the index writes run objects owe D1 and sends many runs' writes as one D1 batch (one D1
 * call instead of one per run). It keeps nothing: a run's object keeps its write until `write` resolves,
 * so a writer that dies, fails or never answers costs a retry, never an index write (index-sync.ts).
 * One writer per index database by default (INDEX_WRITERS spreads them over more objects).
 */
export class IndexWriter extends DurableObject<Env> {
  private gathering: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** How long it gathers (a test widens it, so that writes it sends together still meet on a loaded machine). */
  protected gatherMs = INDEX_BATCH_MS;

  /** Answers once D1 has the write (with the others of its batch), or refused it. */
  write(write: IndexWrite): Promise<WriteResult> {
    return new Promise<WriteResult>((done) => {
      this.gathering.push({ write, done });
      if (this.gathering.length >= INDEX_BATCH_MAX) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.gatherMs);
    });
  }

  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.gathering.splice(0, INDEX_BATCH_MAX);
    if (this.gathering.length > 0) this.timer = setTimeout(() => this.flush(), 0);
    void sendBatch(this.env.DB, batch);
  }
}

/**
 * Sends a batch; when D1 refuses it, each write is sent alone, so that one write D1 refuses never
 * holds back the others of its batch.
 */
async function sendBatch(d1: D1Database, batch: readonly Waiter[]): Promise<void> {
  const alone = (w: Waiter) =>
    writeRunIndexes(d1, [w.write]).then(
      () => w.done(OK),
      (e: unknown) => w.done(failed(e)),
    );
  try {
    await writeRunIndexes(
      d1,
      batch.map((w) => w.write),
    );
    for (const w of batch) w.done(OK);
  } catch (e) {
    if (batch.length === 1) batch[0]?.done(failed(e));
    else await Promise.all(batch.map(alone));
  }
}

/** Sends a write to the run's writer; throws what D1 said when it refused it. */
export async function writeThroughWriter(env: Env, write: IndexWrite): Promise<void> {
  const result = await indexWriterFor(env, write.summary.id).write(write);
  if (!result.ok) throw new Error(result.error);
}

/**
 * The writers' ids by namespace and name: an id is a plain value (a hash of the name), the same for
 * every caller, so the isolate derives each once; stubs are made per call (a stub belongs to its caller).
 */
const writerIds = new WeakMap<DurableObjectNamespace, Map<string, DurableObjectId>>();

function writerId(ns: DurableObjectNamespace<IndexWriter>, name: string): DurableObjectId {
  let ids = writerIds.get(ns);
  if (!ids) {
    ids = new Map();
    writerIds.set(ns, ids);
  }
  let id = ids.get(name);
  if (!id) {
    id = ns.idFromName(name);
    ids.set(name, id);
  }
  return id;
}

/** The writer a run's index writes go to: one of INDEX_WRITERS (default 1), picked by the run id. */
export function indexWriterFor(env: Env, runId: string): DurableObjectStub<IndexWriter> {
  const writers = Math.max(1, Math.floor(Number(env.INDEX_WRITERS ?? "1")) || 1);
  let h = 0;
  for (let i = 0; i < runId.length; i++) h = (h * 31 + runId.charCodeAt(i)) >>> 0;
  return env.INDEX_WRITER.get(writerId(env.INDEX_WRITER, `index-writer-${h % writers}`));
}
