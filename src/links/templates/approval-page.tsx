import { Alert, Deadline, Heading, type LabeledValue, Layout, Pairs } from "../../html/layout";
import { renderDocument } from "../../html/render";
import { MAX_COMMENT_LENGTH } from "../../lib/limits";

/** What the approval page shows. */
export interface ApprovalPageView {
  workflowName: string;
  stepTitle?: string | undefined;
  /** Rendered plain text; shown escaped, line breaks kept. */
  instructions: string;
  /**
   * The values at the step's `show` paths, labelled by path: all the page shows of the run's context.
   * (The reviewed AI output, `review`, will be a view field of its own, shown between these and the
   * instructions.)
   */
  shown: LabeledValue[];
  /** Where the form posts; a same-origin path such as `/r/{token}`. */
  action: string;
  expiresAt: number;
  /** The approver the link was sent to (from the token). */
  approver?: string | undefined;
  /** How many approvals are in and still needed (a quorum), as a sentence. */
  progress?: string | undefined;
  error?: string | undefined;
  /** The comment typed before an error, kept on re-render. */
  comment?: string | undefined;
}

/** Renders the approval step's page: instructions, the shown values, a comment box, Approve and Reject buttons. */
export function renderApprovalPage(view: ApprovalPageView): string {
  const title = view.stepTitle ?? "Approval requested";
  return renderDocument(
    <Layout title={view.error ? `Error: ${title}` : title}>
      <Heading title={title} workflowName={view.workflowName} />
      {view.error ? (
        <Alert>
          <p>{view.error}</p>
        </Alert>
      ) : null}
      {view.instructions.trim() ? (
        <section aria-labelledby="instructions-heading">
          <h2 id="instructions-heading">Instructions</h2>
          <p class="text">{view.instructions}</p>
        </section>
      ) : null}
      {/* The reviewed AI output (`review`) goes here, between the instructions and the shown values. */}
      <Pairs id="details-heading" title="Details" items={view.shown} />
      {view.approver ? <p class="meta">You are responding as {view.approver}.</p> : null}
      {view.progress ? <p class="meta progress">{view.progress}</p> : null}
      <Deadline expiresAt={view.expiresAt} />
      <form method="post" action={view.action}>
        <div class="field">
          <label for="comment">Comment (optional)</label>
          <textarea id="comment" name="comment" rows={4} maxlength={MAX_COMMENT_LENGTH}>
            {view.comment ?? ""}
          </textarea>
        </div>
        <div class="actions">
          <button type="submit" name="decision" value="approved" class="approve">
            Approve
          </button>
          <button type="submit" name="decision" value="rejected" class="reject">
            Reject
          </button>
        </div>
      </form>
    </Layout>,
  );
}
