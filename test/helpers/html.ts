/** Reading rendered pages as a user sees them, with workerd's own HTML parser. */
export interface El {
  tag: string;
  attrs: Record<string, string>;
  text: string;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", "#x27": "'" };
/** HTMLRewriter hands over source text; decode the entities the renderer emits to get what a user sees. */
export const decode = (s: string): string =>
  s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_m, e: string) => ENTITIES[e] ?? "");

/** Parses a page with workerd's HTMLRewriter and returns the elements matching `selector`, in order. */
export async function query(html: string, selector: string): Promise<El[]> {
  const found: El[] = [];
  const open: El[] = [];
  await new HTMLRewriter()
    .on(selector, {
      element(e) {
        const attrs = Object.fromEntries([...e.attributes].map(([k, v]) => [k, decode(v ?? "")]));
        const el: El = { tag: e.tagName, attrs, text: "" };
        found.push(el);
        open.push(el);
        // Void elements (input, meta) have no end tag, so onEndTag throws for them.
        try {
          e.onEndTag(() => void open.splice(open.indexOf(el), 1));
        } catch {
          open.splice(open.indexOf(el), 1);
        }
      },
    })
    .onDocument({
      text(t) {
        for (const el of open) el.text += decode(t.text);
      },
    })
    .transform(new Response(html))
    .text();
  return found;
}
