import type { AttemptView } from "../../run-db/history";
import { Code } from "../ui/format";

const RUN_ID = /^run_[0-9a-z]{26}$/;

/** The child run a sub-workflow step started (its input, then its output, name it), if any. */
function childRunOf(a: AttemptView): string | undefined {
  for (const v of [a.output, a.input]) {
    const id = (v as { child_run_id?: unknown } | undefined)?.child_run_id;
    if (typeof id === "string" && RUN_ID.test(id)) return id;
  }
  return undefined;
}

/**
 * An attempt of a step without a view of its own (api_call, conditional): its request (input), its
 * result (output) and its error, as stored. api_call requests are stored with secrets already
 * replaced by [redacted] (src/lib/secrets.ts), so nothing here can show one.
 */
export function PlainAttempt(props: { a: AttemptView; anchor: string; type: string }) {
  const { a } = props;
  const isApi = props.type === "api_call";
  const child = childRunOf(a);
  return (
    <div class={`attempt ${a.status}`} id={props.anchor}>
      <h4>
        Attempt {a.attempt}: {a.status}
      </h4>
      {child ? (
        <p>
          Child run: <a href={`/console/runs/${child}`}>{child}</a>
        </p>
      ) : null}
      {a.input !== undefined ? (
        <details open={isApi}>
          <summary>{isApi ? "Request" : "Input"}</summary>
          <Code id={`${props.anchor}-in`} value={a.input} />
        </details>
      ) : null}
      {a.output !== undefined ? (
        <details open={isApi}>
          <summary>{isApi ? "Response" : "Result"}</summary>
          <Code id={`${props.anchor}-out`} value={a.output} />
        </details>
      ) : null}
      {a.error !== undefined ? (
        <>
          <p class="error">Error</p>
          <Code id={`${props.anchor}-err`} value={a.error} />
        </>
      ) : null}
      {a.meta !== undefined ? (
        <details>
          <summary>Details</summary>
          <Code id={`${props.anchor}-meta`} value={a.meta} />
        </details>
      ) : null}
    </div>
  );
}
