import type { FormField } from "../../definitions/types";

// A value that names its zone (a stored date-time); a datetime-local input shows it in UTC.
const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/i;

/** The string an input shows for a value (a default, a stored result, or what the user sent). */
export function inputValue(field: FormField, value: unknown): string {
  if (value === undefined || value === null) return "";
  if (field.format === "date-time" && typeof value === "string" && HAS_ZONE.test(value)) {
    const d = new Date(value);
    // datetime-local wants `YYYY-MM-DDTHH:MM[:SS]` in the zone the page states: UTC.
    if (!Number.isNaN(d.getTime())) {
      const iso = d.toISOString();
      return iso.endsWith(":00.000Z") ? iso.slice(0, 16) : iso.slice(0, 19);
    }
  }
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** Whether a checkbox shows as checked for a value (a boolean, or the raw "on"/"true" a form sent). */
export function isChecked(value: unknown): boolean {
  return value === true || value === "on" || value === "true";
}
