import type { AttemptView } from "../../run-db/history";
import { Code, When } from "../ui/format";

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

interface PatchOp {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

const isPatch = (v: unknown): v is PatchOp[] =>
  Array.isArray(v) && v.every((o) => o && typeof o === "object" && typeof (o as PatchOp).op === "string");

/** An RFC 6902 patch as one line per operation ("replace /title → "New""); anything else as JSON. */
function EditDiff(props: { diff: unknown; anchor: string }) {
  if (!isPatch(props.diff)) return <Code id={`${props.anchor}-diff`} value={props.diff} label="Edit diff" />;
  if (props.diff.length === 0) return <p class="muted">No edits: approved as the AI wrote it.</p>;
  return (
    <ul class="diff" aria-label="Edit diff">
      {props.diff.map((o) => (
        <li>
          <code>
            {o.op} {o.from ? `${o.from} → ` : ""}
            {o.path}
            {"value" in o ? ` = ${JSON.stringify(o.value)}` : ""}
          </code>
        </li>
      ))}
    </ul>
  );
}

/** Each decision of a quorum, in order. */
function Approvals(props: { list: unknown }) {
  if (!Array.isArray(props.list) || props.list.length < 2) return null;
  return (
    <ul aria-label="Every decision">
      {props.list.map((d) => {
        const a = (d && typeof d === "object" ? d : {}) as Record<string, unknown>;
        return (
          <li>
            {str(a.decision) ?? "?"} by {str(a.approver) ?? "?"} <When at={str(a.decided_at)} />
            {str(a.comment) ? `: ${str(a.comment)}` : ""}
          </li>
        );
      })}
    </ul>
  );
}

/** The recorded answer: the decision (who, when, comment), the edit diff when the review changed something. */
export function Decision(props: { a: AttemptView; by: string | undefined; anchor: string }) {
  const out = (props.a.output && typeof props.a.output === "object" ? props.a.output : {}) as Record<
    string,
    unknown
  >;
  const diff = out.patch ?? out.diff ?? out.edits;
  return (
    <div class="decision">
      <h4>Decision</h4>
      <dl>
        {str(out.decision) ? (
          <>
            <dt>Decision</dt>
            <dd>{str(out.decision)}</dd>
          </>
        ) : null}
        <dt>By</dt>
        <dd>{str(out.approver) ?? props.by ?? "—"}</dd>
        <dt>When</dt>
        <dd>
          <When at={str(out.decided_at) ?? props.a.finished_at} />
        </dd>
        {str(out.comment) ? (
          <>
            <dt>Comment</dt>
            <dd>{str(out.comment)}</dd>
          </>
        ) : null}
      </dl>
      <Approvals list={out.approvals} />
      {diff !== undefined ? (
        <>
          <h4>Edit diff</h4>
          <EditDiff diff={diff} anchor={props.anchor} />
        </>
      ) : null}
      <details>
        <summary>Recorded answer</summary>
        <Code id={`${props.anchor}-answer`} value={props.a.output} />
      </details>
    </div>
  );
}
