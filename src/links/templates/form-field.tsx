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

/** One form field: label, control with its constraints, help and error, wired with aria-describedby. */
export function FormFieldView({ field, index, value, error }: FieldProps) {
  const id = fieldId(index);
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const label = field.label ?? field.name;
  const isDateTime = field.type === "string" && field.format === "date-time";
  const helpText = [field.help, isDateTime ? "Enter the date and time in UTC." : undefined]
    .filter(Boolean)
    .join(" ");
  const describedBy = [helpText ? helpId : "", error ? errorId : ""].filter(Boolean).join(" ") || undefined;
  const common = {
    id,
    name: field.name,
    "aria-describedby": describedBy,
    "aria-invalid": error ? "true" : undefined,
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

  // An unchecked box is a valid "no", so a checkbox is never `required` in the browser.
  if (field.type === "boolean") {
    return (
      <div class="field check">
        <input {...common} type="checkbox" value="on" checked={isChecked(value)} />
        <label for={id}>{label}</label>
        {help}
        {errorLine}
      </div>
    );
  }

  const labelEl = (
    <label for={id}>
      {label}
      {field.required ? (
        <span class="req" aria-hidden="true">
          {" *"}
        </span>
      ) : null}
    </label>
  );
  const current = inputValue(field, value);

  if (field.enum && field.enum.length > 0) {
    return (
      <div class="field">
        {labelEl}
        <select {...common} required={field.required}>
          <option value="" selected={current === ""}>
            Choose…
          </option>
          {field.enum.map((option) => (
            <option value={String(option)} selected={String(option) === current}>
              {String(option)}
            </option>
          ))}
        </select>
        {help}
        {errorLine}
      </div>
    );
  }

  if (field.type === "number" || field.type === "integer") {
    return (
      <div class="field">
        {labelEl}
        <input
          {...common}
          type="number"
          step={field.type === "integer" ? "1" : "any"}
          min={field.minimum}
          max={field.maximum}
          value={current}
          required={field.required}
        />
        {help}
        {errorLine}
      </div>
    );
  }

  return (
    <div class="field">
      {labelEl}
      <input
        {...common}
        type={field.format ? INPUT_TYPES[field.format] : "text"}
        minlength={field.min_length}
        maxlength={field.max_length}
        pattern={field.pattern === undefined ? undefined : htmlPattern(field.pattern)}
        autocomplete={field.format === "email" ? "email" : undefined}
        value={current}
        required={field.required}
      />
      {help}
      {errorLine}
    </div>
  );
}
