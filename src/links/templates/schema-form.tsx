import type { JSX } from "hono/jsx/jsx-runtime";
import { isPlainObject } from "../../lib/objects";
import { controlName, errorKey, type SchemaField } from "../schema-fields";

/** What the generated form shows: the value, what was posted (kept after a refused submit), the errors. */
export interface SchemaFormProps {
  root: SchemaField;
  value: unknown;
  /** Posted strings by control name; when present they are shown instead of `value`. */
  posted?: Map<string, string[]> | undefined;
  /** Messages keyed by result path (`output.title`, `output.tags[0]`). */
  errors?: Record<string, string> | undefined;
  readOnly: boolean;
}

/** Empty inputs a list offers for new items (without scripts, adding means filling one in). */
const SPARE_ITEMS = 2;

/** Every error key a field shows next to itself (its own, and its list items'). */
function ownErrors(field: SchemaField, errors: Record<string, string>): string[] {
  const key = errorKey(field);
  // A list or a JSON editor also shows the errors inside it (`output.tags[0]`, `output.sources[0].url`).
  const inside = field.kind === "list" || field.kind === "json";
  return Object.keys(errors).filter(
    (k) => k === key || (inside && (k.startsWith(`${key}[`) || k.startsWith(`${key}.`))),
  );
}

/** The error keys no field of `root` shows: listed on top of the page. */
export function unplacedErrors(root: SchemaField, errors: Record<string, string>): string[] {
  const placed = new Set<string>();
  const walk = (f: SchemaField) => {
    for (const k of ownErrors(f, errors)) placed.add(k);
    if (f.kind === "object") f.children.forEach(walk);
  };
  walk(root);
  return Object.keys(errors).filter((k) => !placed.has(k));
}

interface Ctx {
  posted: Map<string, string[]> | undefined;
  errors: Record<string, string>;
  readOnly: boolean;
}

const idOf = (field: SchemaField): string =>
  `o-${field.path.map((p) => String(p).replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)).join("-")}`;

/** What a control shows: what was posted (an unticked box posts nothing), else the value. */
function shown(field: SchemaField, value: unknown, ctx: Ctx): string[] {
  if (!ctx.posted) return asStrings(field, value);
  return (
    ctx.posted.get(controlName(field.path)) ?? (field.kind === "boolean" || field.kind === "list" ? [] : [""])
  );
}

function asStrings(field: SchemaField, value: unknown): string[] {
  if (value === undefined) return [""];
  if (field.kind === "list") return Array.isArray(value) ? value.map((v) => String(v)) : [];
  if (field.kind === "json") return [JSON.stringify(value, null, 2)];
  if (field.kind === "enum") return [JSON.stringify(value)];
  if (field.kind === "boolean") return value === true ? ["true"] : [];
  return [String(value)];
}

/** The generated form of a review or fix page (schema-fields.ts); controls named by JSON Pointer. */
export function SchemaForm(props: SchemaFormProps) {
  const ctx: Ctx = { posted: props.posted, errors: props.errors ?? {}, readOnly: props.readOnly };
  return <Field field={props.root} value={props.value} ctx={ctx} />;
}

/** What every control of a field shares: its id, error line, help line and aria attributes. */
interface Parts {
  id: string;
  errorLine: JSX.Element | null;
  help: JSX.Element | null;
  aria: { "aria-invalid"?: "true"; "aria-describedby"?: string };
}

function partsOf(field: SchemaField, ctx: Ctx): Parts {
  const id = idOf(field);
  const messages = ownErrors(field, ctx.errors).map((k) => ctx.errors[k]);
  const errorId = `${id}-error`;
  const bad = messages.length > 0;
  return {
    id,
    errorLine: bad ? (
      <p class="error" id={errorId}>
        {messages.join(" ")}
      </p>
    ) : null,
    help: field.description ? <p class="help">{field.description}</p> : null,
    aria: bad ? { "aria-invalid": "true", "aria-describedby": errorId } : {},
  };
}

type FieldProps = { field: SchemaField; value: unknown; ctx: Ctx };

function Field(props: FieldProps) {
  const { field } = props;
  if (field.kind === "object") return <ObjectField {...props} />;
  if (field.kind === "boolean") return <BooleanField {...props} />;
  if (field.kind === "list") return <ListField {...props} />;
  return <ScalarField {...props} />;
}

function ObjectField({ field, value, ctx }: FieldProps) {
  if (field.kind !== "object") return null;
  const parts = partsOf(field, ctx);
  const current = isPlainObject(value) ? value : {};
  const body = field.children.map((child) => {
    const key = String(child.path.at(-1));
    return <Field field={child} value={Object.hasOwn(current, key) ? current[key] : undefined} ctx={ctx} />;
  });
  if (field.path.length === 0) {
    return (
      <div class="schema-form" id={parts.id}>
        {parts.errorLine}
        {body}
      </div>
    );
  }
  return (
    <fieldset id={parts.id} {...parts.aria}>
      <legend>{field.label}</legend>
      {parts.help}
      {parts.errorLine}
      {body}
    </fieldset>
  );
}

function BooleanField({ field, value, ctx }: FieldProps) {
  const parts = partsOf(field, ctx);
  const checked = shown(field, value, ctx).includes("true");
  const name = controlName(field.path);
  return (
    <div class="field check">
      <input
        id={parts.id}
        name={name}
        disabled={ctx.readOnly}
        {...parts.aria}
        type="checkbox"
        value="true"
        checked={checked}
      />
      <label for={parts.id}>{field.label}</label>
      {parts.help}
      {parts.errorLine}
    </div>
  );
}

function ListField({ field, value, ctx }: FieldProps) {
  if (field.kind !== "list") return null;
  const parts = partsOf(field, ctx);
  const values = shown(field, value, ctx);
  const items = ctx.readOnly ? values : [...values.filter((v) => v !== ""), ...Array(SPARE_ITEMS).fill("")];
  return (
    <fieldset id={parts.id} class="field list" {...parts.aria}>
      <legend>{field.label}</legend>
      {parts.help}
      {ctx.readOnly ? null : <p class="help">One item per box; clear a box to remove its item.</p>}
      {items.map((v, i) => (
        <input
          name={controlName(field.path)}
          disabled={ctx.readOnly}
          aria-label={`${field.label} item ${i + 1}`}
          type={field.item === "string" ? "text" : "number"}
          step={field.item === "integer" ? "1" : field.item === "number" ? "any" : undefined}
          value={v}
        />
      ))}
      {parts.errorLine}
    </fieldset>
  );
}

function ScalarField({ field, value, ctx }: FieldProps) {
  const parts = partsOf(field, ctx);
  const current = shown(field, value, ctx)[0] ?? "";
  const common = { id: parts.id, name: controlName(field.path), disabled: ctx.readOnly, ...parts.aria };
  return (
    <div class="field">
      <label for={parts.id}>
        {field.label || "Value"}
        {field.required ? (
          <span class="req" aria-hidden="true">
            {" *"}
          </span>
        ) : null}
      </label>
      <Control field={field} common={common} current={current} />
      {field.kind === "json" ? (
        <p class="help">JSON; it is checked against the schema when you submit.</p>
      ) : null}
      {parts.help}
      {parts.errorLine}
    </div>
  );
}

type Common = { id: string; name: string; disabled: boolean } & Parts["aria"];

function Control({ field, common, current }: { field: SchemaField; common: Common; current: string }) {
  switch (field.kind) {
    case "enum":
      return (
        <select {...common}>
          <option value="" selected={current === ""}>
            Choose…
          </option>
          {field.options.map((o) => (
            <option value={JSON.stringify(o)} selected={JSON.stringify(o) === current}>
              {String(o)}
            </option>
          ))}
        </select>
      );
    case "number":
      return (
        <input
          {...common}
          type="number"
          step={field.integer ? "1" : "any"}
          min={field.minimum}
          max={field.maximum}
          value={current}
        />
      );
    case "json":
      return (
        <textarea {...common} rows={8} class="json">
          {current}
        </textarea>
      );
    case "text":
      if (!field.long) return <input {...common} type="text" maxlength={field.maxLength} value={current} />;
      return (
        <textarea
          {...common}
          rows={current.length > 160 || current.includes("\n") ? 8 : 3}
          maxlength={field.maxLength}
        >
          {current}
        </textarea>
      );
    default:
      return null;
  }
}
