import { Alert, Deadline, Heading, type LabeledValue, Layout, Pairs } from "../../html/layout";
import { renderDocument } from "../../html/render";
import { MAX_COMMENT_LENGTH } from "../../lib/limits";
import type { SchemaField } from "../schema-fields";
import { SchemaForm, unplacedErrors } from "./schema-form";

/** The reviewed AI output of an approval with `review`, and what the reviewer may do with it. */
export interface ReviewView {
  root: SchemaField;
  value: unknown;
  posted?: Map<string, string[]> | undefined;
  errors?: Record<string, string> | undefined;
  editable: boolean;
  contentHash: string;
  revision: number;
  /** allow_changes and send-backs left: the page offers "Request changes". */
  canSendBack: boolean;
  changesLeft: number;
  aiStep: string;
}

/** What the approval page shows. */
export interface ApprovalPageView {
  workflowName: string;
  stepTitle?: string | undefined;
  /** Rendered plain text; shown escaped, line breaks kept. */
  instructions: string;
  /** The values at the step's `show` paths, labelled by path: all the page shows of the run's context. */
  shown: LabeledValue[];
  /** An approval with `review`: the output under review, shown between the instructions and these values. */
  review?: ReviewView | undefined;
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

/** The reviewed output: a form generated from the AI step's schema, editable or read-only. */
function ReviewSection({ review }: { review: ReviewView }) {
  const errors = review.errors ?? {};
  const others = unplacedErrors(review.root, errors);
  return (
    <section aria-labelledby="review-heading">
      <h2 id="review-heading">{review.editable ? "Review and edit the output" : "Output to review"}</h2>
      <p class="meta">
        Revision {review.revision} of the output of step "{review.aiStep}".
        {review.editable ? " Edit the fields, then approve to use your version." : ""}
      </p>
      {others.length > 0 ? (
        <Alert id="review-errors">
          <ul>
            {others.map((k) => (
              <li>
                {k}: {errors[k]}
              </li>
            ))}
          </ul>
        </Alert>
      ) : null}
      <SchemaForm
        root={review.root}
        value={review.value}
        posted={review.posted}
        errors={errors}
        readOnly={!review.editable}
      />
      <input type="hidden" name="content_hash" value={review.contentHash} />
    </section>
  );
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
      <Pairs id="details-heading" title="Details" items={view.shown} />
      {view.approver ? <p class="meta">You are responding as {view.approver}.</p> : null}
      {view.progress ? <p class="meta progress">{view.progress}</p> : null}
      <Deadline expiresAt={view.expiresAt} />
      <form method="post" action={view.action}>
        {view.review ? <ReviewSection review={view.review} /> : null}
        <div class="field">
          <label for="comment">
            {view.review?.canSendBack ? "Comment (required to request changes)" : "Comment (optional)"}
          </label>
          <textarea id="comment" name="comment" rows={4} maxlength={MAX_COMMENT_LENGTH}>
            {view.comment ?? ""}
          </textarea>
        </div>
        <div class="actions">
          <button type="submit" name="decision" value="approved" class="approve">
            Approve
          </button>
          {view.review?.canSendBack ? (
            <button type="submit" name="decision" value="changes_requested">
              Request changes
            </button>
          ) : null}
          <button type="submit" name="decision" value="rejected" class="reject">
            Reject
          </button>
        </div>
      </form>
    </Layout>,
  );
}
