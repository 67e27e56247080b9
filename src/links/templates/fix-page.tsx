import { Alert, Deadline, Heading, Layout } from "../../html/layout";
import { renderDocument } from "../../html/render";
import type { SchemaField } from "../schema-fields";
import { SchemaForm, unplacedErrors } from "./schema-form";

/** What the fix page shows: the AI's last output in the schema form, each problem next to its field. */
export interface FixPageView {
  workflowName: string;
  stepId: string;
  description?: string | undefined;
  root: SchemaField;
  value: unknown;
  posted?: Map<string, string[]> | undefined;
  /** Messages keyed by result path (`output.title`). */
  errors: Record<string, string>;
  /** True while the errors are the AI's (first view), false after the person's own submit was refused. */
  fromAi: boolean;
  action: string;
  expiresAt: number;
  fixer?: string | undefined;
  error?: string | undefined;
}

/** Renders the fix page of an ai_generate step with `on_invalid: fix`. */
export function renderFixPage(view: FixPageView): string {
  const title = `Fix the output of step "${view.stepId}"`;
  const others = unplacedErrors(view.root, view.errors);
  const count = Object.keys(view.errors).length;
  return renderDocument(
    <Layout title={view.fromAi ? title : `Error: ${title}`}>
      <Heading title={title} workflowName={view.workflowName} />
      {view.description ? <p class="text">{view.description}</p> : null}
      <p class="text">
        The AI could not produce an output that passes the step's checks. Its last attempt is filled in below;
        correct it and submit, and the workflow continues with your version.
      </p>
      {view.fixer ? <p class="meta">You are responding as {view.fixer}.</p> : null}
      <Deadline expiresAt={view.expiresAt} />
      {view.error || count > 0 ? (
        <Alert id="fix-errors">
          <p>
            {view.error ??
              (view.fromAi
                ? `The AI's output failed ${count} check${count === 1 ? "" : "s"}, shown next to each field.`
                : "Please correct the fields marked below.")}
          </p>
          {others.length > 0 ? (
            <ul>
              {others.map((k) => (
                <li>
                  {k}: {view.errors[k]}
                </li>
              ))}
            </ul>
          ) : null}
        </Alert>
      ) : null}
      <form method="post" action={view.action}>
        <SchemaForm
          root={view.root}
          value={view.value}
          posted={view.posted}
          errors={view.errors}
          readOnly={false}
        />
        <div class="actions">
          <button type="submit" class="approve">
            Submit the fixed output
          </button>
        </div>
      </form>
    </Layout>,
  );
}
