import type { AttemptView } from "../../run-db/history";
import { Code } from "../ui/format";

/**
 * An attempt of a step without a view of its own (api_call, conditional): its request (input), its
 * result (output) and its error, as stored. api_call requests are stored with secrets already
 * replaced by [redacted] (src/lib/secrets.ts), so nothing here can show one.
 */
export function PlainAttempt(props: { a: AttemptView; anchor: string; type: string }) {
  const { a } = props;
  const isApi = props.type === "api_call";
  return (
    <div class={`attempt ${a.status}`} id={props.anchor}>
      <h4>
        Attempt {a.attempt}: {a.status}
      </h4>
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
