import { STYLE } from "../../html/styles";

/** The console's additions to the human pages' stylesheet: a wider page, navigation, tables, the graph. */
const CONSOLE_ADDITIONS = [
  "main{max-width:75rem}",
  "h1{overflow-wrap:anywhere}td{overflow-wrap:anywhere}",
  ".skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.5rem;z-index:9}",
  ".bar{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;padding:.6rem 1rem;border-bottom:1px solid var(--line)}",
  ".bar .brand{font-weight:700;color:var(--fg);text-decoration:none}",
  ".bar nav ul{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;margin:0;padding:0}",
  ".bar nav a{color:var(--accent)}.bar nav a[aria-current=page]{font-weight:700;color:var(--fg)}",
  ".bar .who{margin-left:auto;display:flex;align-items:center;gap:.75rem;color:var(--muted);font-size:.9rem}",
  ".bar .who button{padding:.3rem .8rem;background:transparent;color:var(--accent);border:1px solid var(--line)}",
  "a{color:var(--accent)}a:focus-visible,summary:focus-visible,main:focus-visible{outline:3px solid var(--accent);outline-offset:2px}",
  "h2{font-size:1.2rem;margin:1.75rem 0 .5rem}h3{font-size:1.05rem;margin:1rem 0 .4rem}",
  ".table-wrap{overflow-x:auto}",
  "table{border-collapse:collapse;width:100%;font-size:.92rem}",
  "th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}",
  "th{font-weight:600;color:var(--muted)}",
  ".filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end;margin:0 0 1rem}",
  ".filters .field{margin:0;flex:1 1 10rem}.filters input,.filters select{height:2.75rem}.filters button{height:2.75rem;padding:0 1.25rem}",
  "caption{text-align:left;padding:.25rem 0}",
  ".counts{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0;margin:0 0 1rem}",
  ".counts a,.counts span{display:inline-block;padding:.2rem .6rem;border:1px solid var(--line);border-radius:1rem;text-decoration:none;font-size:.9rem}",
  ".counts a[aria-current]{font-weight:700;border-color:var(--fg)}",
  ".status{white-space:nowrap;display:inline-block;padding:0 .45rem;border-radius:.3rem;font-size:.85rem;font-weight:600;border:1px solid currentColor}",
  ".s-failed,.s-rejected,.s-cancelled{color:var(--bad)}.s-completed{color:var(--ok)}.s-waiting,.s-running{color:var(--accent)}",
  ".card{border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem;margin:0 0 1rem}",
  ".card>h2,.card>h3{margin-top:0}",
  ".card.open-wait{border-color:var(--accent);box-shadow:inset 4px 0 0 var(--accent)}",
  ".branches{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,17rem),1fr));gap:.75rem;margin:.75rem 0 .25rem}",
  ".branch{min-width:0;border:1px solid var(--line);border-top:3px solid #1a7f37;border-radius:.5rem;padding:.5rem .75rem}",
  ".branch>h4{margin:0 0 .5rem;overflow-wrap:anywhere}.branch .card{padding:.5rem .75rem;margin-bottom:.75rem}",
  ".branch table{font-size:.85rem}.branch th,.branch td{padding:.3rem .35rem;overflow-wrap:break-word}.branch td:first-child{overflow-wrap:anywhere}",
  ".attempt a{overflow-wrap:anywhere}",
  ".attempt{border-left:3px solid var(--line);padding:.25rem 0 .25rem .75rem;margin:.75rem 0}",
  ".attempt.failed{border-left-color:var(--bad)}.attempt.completed{border-left-color:var(--ok)}",
  "pre{white-space:pre-wrap;overflow-wrap:anywhere;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:color-mix(in srgb,var(--line) 25%,transparent);padding:.6rem;border-radius:.4rem;margin:.25rem 0 .75rem;max-height:28rem;overflow:auto}",
  "details>summary{cursor:pointer;font-weight:600;margin:.25rem 0}",
  ".errors{color:var(--bad);margin:.25rem 0 .75rem;padding-left:1.25rem}",
  ".facts{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;list-style:none;padding:0;margin:.25rem 0;color:var(--muted);font-size:.9rem}",
  ".pager{display:flex;gap:1rem;margin:1rem 0}",
  ".graph{overflow-x:auto;border:1px solid var(--line);border-radius:.5rem;padding:.5rem}",
  ".graph svg{display:block;margin:0 auto;max-width:100%;height:auto}",
  ".graph text{fill:var(--fg);font:12px system-ui,sans-serif}",
  ".graph .edge{fill:none;stroke:var(--muted);stroke-width:1.5}",
  ".graph .edge-label{fill:var(--muted);font-size:11px;paint-order:stroke;stroke:var(--bg);stroke-width:4px;stroke-linejoin:round}",
  ".graph .kind{fill:var(--muted);font-size:11px}",
  ".graph .node rect{fill:var(--bg);stroke:var(--fg);stroke-width:1.5}",
  ".graph .n-ai_generate rect{stroke:#8250df;stroke-width:2.5}",
  ".graph .n-form rect,.graph .n-approval rect{stroke:#bc4c00;stroke-dasharray:6 3;stroke-width:2.5}",
  ".graph .n-conditional rect{stroke:var(--accent)}",
  ".graph .n-parallel rect{stroke:#1a7f37;stroke-width:3.5}",
  ".legend{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;padding:0;font-size:.9rem;color:var(--muted)}",
  ".copy{margin-left:.5rem;padding:.1rem .5rem;font-size:.8rem;background:transparent;color:var(--accent);border:1px solid var(--line)}",
  ".danger{background:var(--bad)}",
  ".sign-in{max-width:28rem}",
  ".relink{display:flex;flex-wrap:wrap;gap:.75rem 2rem}",
  ".inline{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem}.inline label{display:inline;margin:0}",
  ".inline select,.inline input{width:auto;min-width:12rem;padding:.4rem}.inline button{padding:.45rem 1rem}",
  ".muted{color:var(--muted)}",
  "@media (max-width:40rem){.bar .who{margin-left:0}th,td{padding:.35rem .4rem}",
  ".card{padding:.6rem}.branch,.branch .card{padding:.4rem}.branch .attempt{padding-left:.5rem}}",
].join("");

/** The whole inline stylesheet of a console page. */
export const CONSOLE_STYLE = STYLE + CONSOLE_ADDITIONS;

let hash: Promise<string> | undefined;

/** base64 SHA-256 of CONSOLE_STYLE for the CSP (a constant: computed once per isolate). */
export function consoleStyleHash(): Promise<string> {
  hash ??= crypto.subtle.digest("SHA-256", new TextEncoder().encode(CONSOLE_STYLE)).then((d) => {
    let bin = "";
    for (const b of new Uint8Array(d)) bin += String.fromCharCode(b);
    return btoa(bin);
  });
  return hash;
}
