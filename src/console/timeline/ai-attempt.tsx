import type { AttemptView } from "../../run-db/history";
import { Code, duration, pretty, usd } from "../ui/format";

interface AiInput {
  model?: string | null;
  messages?: Array<{ role: string; content: string }>;
}
interface AiMeta {
  provider?: string;
  model?: string;
  tokens_prompt?: number;
  tokens_output?: number;
  latency_ms?: number;
  cost_usd?: number | null;
  fallback_from?: string;
}
interface AiError {
  message?: string;
  errors?: unknown[];
}

const asObject = <T,>(v: unknown): T => (v && typeof v === "object" ? (v as T) : ({} as T));

/** One validation error as a line: "where: what" when it has a path, else its JSON. */
function errorLine(e: unknown): string {
  if (e && typeof e === "object") {
    const { path, instanceLocation, message, error } = e as Record<string, unknown>;
    const where =
      typeof path === "string"
        ? path || "(root)"
        : typeof instanceLocation === "string"
          ? instanceLocation
          : "";
    const what = typeof message === "string" ? message : typeof error === "string" ? error : pretty(e);
    return where ? `${where}: ${what}` : what;
  }
  return String(e);
}

/** An AI attempt: provider and model, tokens, latency, cost; the rendered prompt; the raw output; why it was re-asked. */
export function AiAttempt(props: { a: AttemptView; anchor: string; last: boolean }) {
  const { a } = props;
  const input = asObject<AiInput>(a.input);
  const meta = asObject<AiMeta>(a.meta);
  const error = asObject<AiError>(a.error);
  const errors = Array.isArray(error.errors) ? error.errors : [];
  return (
    <div class={`attempt ai ${a.status}`} id={props.anchor}>
      <h4>
        AI attempt {a.attempt}: {a.status}
      </h4>
      <ul class="facts" aria-label="Attempt facts">
        <li>
          {meta.provider ?? "?"} / {meta.model || input.model || "default model"}
        </li>
        {meta.fallback_from ? <li>fallback from {meta.fallback_from}</li> : null}
        <li>
          tokens {meta.tokens_prompt ?? 0} in / {meta.tokens_output ?? 0} out
        </li>
        <li>latency {duration(meta.latency_ms)}</li>
        <li>cost {usd(meta.cost_usd)}</li>
      </ul>
      {a.status === "failed" ? (
        <div class="validation">
          <p class="error">{error.message ?? "failed"}</p>
          {errors.length > 0 ? (
            <>
              <p>{props.last ? "Validation errors:" : "Validation errors (sent back with the re-ask):"}</p>
              <ul class="errors">
                {errors.map((e) => (
                  <li>{errorLine(e)}</li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      ) : null}
      <details>
        <summary>
          Rendered prompt ({(input.messages ?? []).length} message
          {(input.messages ?? []).length === 1 ? "" : "s"})
        </summary>
        {(input.messages ?? []).map((m, i) => (
          <>
            <p class="muted">{m.role}</p>
            <Code id={`${props.anchor}-m${i}`} value={m.content} label={`${m.role} message`} />
          </>
        ))}
      </details>
      <details open={a.status === "failed"}>
        <summary>Raw output</summary>
        {a.output === undefined ? (
          <p class="muted">No output.</p>
        ) : (
          <Code id={`${props.anchor}-out`} value={a.output} />
        )}
      </details>
    </div>
  );
}
