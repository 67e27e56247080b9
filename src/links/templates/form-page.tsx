import type { FormField } from "../../definitions/types";
import { Alert, Deadline, Heading, Layout } from "../../html/layout";
import { renderDocument } from "../../html/render";
import { FormFieldView, fieldId } from "./form-field";

/** What the form page shows; `values` and `errors` are keyed by field name. */
export interface FormPageView {
  workflowName: string;
  stepTitle?: string | undefined;
  description?: string | undefined;
  fields: FormField[];
  /** The user's previous input (or stored values); absent fields fall back to `field.default`. */
  values?: Record<string, unknown> | undefined;
  /** Per-field messages; a key naming no field is shown in the summary at the top. */
  errors?: Record<string, string> | undefined;
  formError?: string | undefined;
  /** Where the form posts; a same-origin path such as `/r/{token}` (the CSP allows only 'self'). */
  action: string;
  expiresAt: number;
}

// Field names come from the definition: `constructor` must not find Object.prototype's.
function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Renders the form step's page: one control per field, previous values kept, errors next to their field. */
export function renderFormPage(view: FormPageView): string {
  const title = view.stepTitle ?? "Please fill in this form";
  const errors = view.errors ?? {};
  const values = view.values ?? {};
  const names = new Set(view.fields.map((f) => f.name));
  const fieldErrors = view.fields
    .map((field, index) => ({ field, index, message: own(errors, field.name) }))
    .filter((e): e is { field: FormField; index: number; message: string } => Boolean(e.message));
  const otherErrors = Object.entries(errors).filter(([name]) => !names.has(name));
  const hasErrors = Boolean(view.formError) || fieldErrors.length > 0 || otherErrors.length > 0;
  const anyRequired = view.fields.some((f) => f.required && f.type !== "boolean");

  return renderDocument(
    <Layout title={hasErrors ? `Error: ${title}` : title}>
      <Heading title={title} workflowName={view.workflowName} />
      {view.description ? <p class="text">{view.description}</p> : null}
      <Deadline expiresAt={view.expiresAt} />
      {hasErrors ? (
        <Alert id="form-errors">
          <p>{view.formError ?? "Please correct the following:"}</p>
          {fieldErrors.length > 0 || otherErrors.length > 0 ? (
            <ul>
              {fieldErrors.map((e) => (
                <li>
                  <a href={`#${fieldId(e.index)}`}>
                    {e.field.label ?? e.field.name}: {e.message}
                  </a>
                </li>
              ))}
              {otherErrors.map(([name, message]) => (
                <li>{name ? `${name}: ${message}` : message}</li>
              ))}
            </ul>
          ) : null}
        </Alert>
      ) : null}
      <form method="post" action={view.action}>
        {anyRequired ? (
          <p class="meta">
            Fields marked <span class="req">*</span> are required.
          </p>
        ) : null}
        {view.fields.map((field, index) => (
          <FormFieldView
            field={field}
            index={index}
            value={Object.hasOwn(values, field.name) ? values[field.name] : field.default}
            error={own(errors, field.name)}
          />
        ))}
        <div class="actions">
          <button type="submit">Submit</button>
        </div>
      </form>
    </Layout>,
  );
}
