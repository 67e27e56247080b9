import { formatUtc } from "../../html";

/** A moment as a <time> element (UTC, machine-readable datetime). */
export function When(props: { at: number | string | null | undefined }) {
  if (props.at === null || props.at === undefined) return <span class="muted">—</span>;
  const t = formatUtc(typeof props.at === "number" ? props.at : Date.parse(props.at));
  return <time datetime={t.iso}>{t.human}</time>;
}

/** "850 ms", "12.3 s", "4 min 5 s", "3 h 20 min", "2 d 4 h". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ${Math.floor(s % 60)} s`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** JSON for people: indented; strings shown as they are. */
export const pretty = (value: unknown): string =>
  typeof value === "string" ? value : (JSON.stringify(value, null, 2) ?? "undefined");

/** A status badge: the word, coloured by what it means (never colour alone). */
export const Status = (props: { status: string }) => (
  <span class={`status s-${props.status}`}>{props.status}</span>
);

/** A block of text or JSON with a copy button (the button works with JavaScript only, so it is added by it). */
export function Code(props: { id: string; value: unknown; label?: string }) {
  return (
    <pre id={props.id} data-copy="true" data-label={props.label}>
      {pretty(props.value)}
    </pre>
  );
}

/** "$0.0123", or "no price" when a model had none. */
export const usd = (v: number | null | undefined): string =>
  v === null || v === undefined ? "no price" : `$${v.toFixed(v < 0.01 ? 6 : 4)}`;
