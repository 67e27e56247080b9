import type { JSX } from "hono/jsx/jsx-runtime";
import type { FieldFormat, FormField } from "../../definitions/types";
import { inputValue, isChecked } from "./input-value";

const INPUT_TYPES: Record<FieldFormat, string> = {
  email: "email",
  uri: "url",
  date: "date",
  "date-time": "datetime-local",
};

/** The id of a field's control; by position, because field names may hold any character. */
export const fieldId = (index: number): string => `f${index}`;

/**
 * JSON Schema `pattern` matches anywhere in the value; the HTML attribute must match all of it.
 * Wrapping keeps the meaning. A pattern the browser cannot compile is ignored by the browser,
 * and the server validates anyway.
 */
const htmlPattern = (pattern: string): string => `.*(?:${pattern}).*`;

interface FieldProps {
  field: FormField;
  index: number;
  value: unknown;
  error: string | undefined;
}

/** What every control of a field shares: its attributes, its label, help and error lines. */
interface FieldParts {
  id: string;
  common: { id: string; name: string; "aria-describedby"?: string; "aria-invalid"?: "true" };
  label: string;
  help: JSX.Element | null;
  errorLine: JSX.Element | null;
}

function fieldParts({ field, index, error }: FieldProps): FieldParts {
  const id = fieldId(index);
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const isDateTime = field.type === "string" && field.format === "date-time";
  const helpText = [field.help, isDateTime ? "Enter the date and time in UTC." : undefined]
    .filter(Boolean)
    .join(" ");
  const describedBy = [helpText ? helpId : "", error ? errorId : ""].filter(Boolean).join(" ") || undefined;
  const common = {
    id,
    name: field.name,
    "aria-describedby": describedBy,
    "aria-invalid": error ? ("true" as const) : undefined,
  };
  const help = helpText ? (
    <p class="help" id={helpId}>
      {helpText}
    </p>
  ) : null;
  const errorLine = error ? (
    <p class="error" id={errorId}>
      {error}
    </p>
  ) : null;
  return { id, common, label: field.label ?? field.name, help, errorLine };
}

/** A label with the required marker. */
function FieldLabel({ parts, required }: { parts: FieldParts; required: boolean | undefined }) {
  return (
    <label for={parts.id}>
      {parts.label}
      {required ? (
        <span class="req" aria-hidden="true">
          {" *"}
        </span>
      ) : null}
    </label>
  );
}

// An unchecked box is a valid "no", so a checkbox is never `required` in the browser.
function Checkbox({ parts, value }: { parts: FieldParts; value: unknown }) {
  return (
    <div class="field check">
      <input {...parts.common} type="checkbox" value="on" checked={isChecked(value)} />
      <label for={parts.id}>{parts.label}</label>
      {parts.help}
      {parts.errorLine}
    </div>
  );
}

/** The control of a field that is not a checkbox: a select for an enum, else a typed input. */
function Control({ field, parts, current }: { field: FormField; parts: FieldParts; current: string }) {
  if (field.enum && field.enum.length > 0) {
    return (
      <select {...parts.common} required={field.required}>
        <option value="" selected={current === ""}>
          Choose…
        </option>
        {field.enum.map((option) => (
          <option value={String(option)} selected={String(option) === current}>
            {String(option)}
          </option>
        ))}
      </select>
    );
  }
  if (field.type === "number" || field.type === "integer") {
    return (
      <input
        {...parts.common}
        type="number"
        step={field.type === "integer" ? "1" : "any"}
        min={field.minimum}
        max={field.maximum}
        value={current}
        required={field.required}
      />
    );
  }
  return (
    <input
      {...parts.common}
      type={field.format ? INPUT_TYPES[field.format] : "text"}
      minlength={field.min_length}
      maxlength={field.max_length}
      pattern={field.pattern === undefined ? undefined : htmlPattern(field.pattern)}
      autocomplete={field.format === "email" ? "email" : undefined}
      value={current}
      required={field.required}
    />
  );
}

/** One form field: label, control with its constraints, help and error, wired with aria-describedby. */
export function FormFieldView(props: FieldProps) {
  const { field, value } = props;
  const parts = fieldParts(props);
  if (field.type === "boolean") return <Checkbox parts={parts} value={value} />;
  return (
    <div class="field">
      <FieldLabel parts={parts} required={field.required} />
      <Control field={field} parts={parts} current={inputValue(field, value)} />
      {parts.help}
      {parts.errorLine}
    </div>
  );
}
