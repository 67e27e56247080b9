/**
 * The only stylesheet of the human pages, inlined so a page needs no other request. The CSP
 * allows exactly this text by hash: after editing it, update STYLE_SHA256 (test/pages/pages.test.ts
 * recomputes the hash and prints the new value when they differ).
 */
export const STYLE = [
  ":root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#57606a;--line:#d0d7de;--accent:#0b5cad;--bad:#b42318;--ok:#1a7f37}",
  "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#3d444d;--accent:#4493f8;--bad:#f85149;--ok:#3fb950}}",
  "*{box-sizing:border-box}",
  "body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--fg);background:var(--bg)}",
  "main{max-width:40rem;margin:0 auto;padding:1.5rem 1rem 3rem}",
  "h1{font-size:1.5rem;line-height:1.25;margin:0 0 .25rem}",
  ".workflow,.meta,.help,footer{color:var(--muted);font-size:.9rem}",
  ".workflow{margin:0 0 1rem;text-transform:none}",
  ".field{margin:0 0 1.25rem}",
  "label{display:block;font-weight:600;margin-bottom:.25rem}",
  ".check label{display:inline;font-weight:600;margin-left:.4rem}",
  ".req{color:var(--bad)}",
  "input,select,textarea{font:inherit;width:100%;padding:.6rem;border:1px solid var(--line);border-radius:.4rem;background:var(--bg);color:var(--fg)}",
  "input[type=checkbox]{width:1.2rem;height:1.2rem;vertical-align:middle}",
  "textarea{min-height:6rem}",
  "input:focus,select:focus,textarea:focus,button:focus{outline:3px solid var(--accent);outline-offset:1px}",
  "[aria-invalid=true]{border-color:var(--bad)}",
  ".help{margin:.25rem 0 0}",
  ".error{color:var(--bad);font-weight:600;margin:.25rem 0 0}",
  ".alert{border:2px solid var(--bad);border-radius:.4rem;padding:.75rem 1rem;margin:0 0 1.25rem}",
  ".alert a{color:var(--bad)}",
  ".success{border-color:var(--ok)}",
  ".text{white-space:pre-wrap;overflow-wrap:anywhere}",
  "dl{display:grid;grid-template-columns:minmax(6rem,max-content) 1fr;gap:.25rem 1rem;margin:0 0 1.25rem}",
  "dt{font-weight:600}dd{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}",
  ".actions{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:1.5rem}",
  "button{font:inherit;font-weight:600;padding:.7rem 1.4rem;border:0;border-radius:.4rem;cursor:pointer;color:#fff;background:var(--accent)}",
  "button.approve{background:var(--ok)}button.reject{background:var(--bad)}",
  "footer{max-width:40rem;margin:2.5rem auto 0;padding:.75rem 1rem;border-top:1px solid var(--line)}",
  "@media (max-width:30rem){dl{grid-template-columns:1fr}button{flex:1 1 100%}}",
].join("");

/** base64 SHA-256 of STYLE, for the `style-src` directive of the Content-Security-Policy. */
export const STYLE_SHA256 = "plJkMR7k918vvfui7rit+4jAma6m5rTH86Q9U7hyRMM=";
