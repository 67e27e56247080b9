/** Presentation helpers shared by the human pages and the emails that link to them. */

/** A deadline as machine-readable ISO 8601 and as a human-readable UTC string ("Fri, 01 May 2026 09:30 UTC"). */
export function formatUtc(ms: number): { iso: string; human: string } {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return { iso: "unknown", human: "unknown" };
  // toUTCString has a fixed, locale-independent format: "Fri, 01 May 2026 09:30:00 GMT".
  return { iso: d.toISOString(), human: d.toUTCString().replace(/:\d\d GMT$/, " UTC") };
}
