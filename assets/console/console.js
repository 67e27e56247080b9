// The console's only script (served from this origin: the CSP allows no other). Everything works
// without it; it adds two things: copy buttons beside code blocks, and a refresh every 5 seconds of a
// run that is still live (paused while the reader is in a form or has text selected, or the tab is hidden).
(() => {
  for (const pre of document.querySelectorAll("pre[data-copy]")) {
    if (!navigator.clipboard) break;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "Copy";
    button.setAttribute("aria-label", `Copy ${pre.dataset.label || "this block"}`);
    button.addEventListener("click", () => {
      navigator.clipboard.writeText(pre.textContent || "").then(
        () => {
          button.textContent = "Copied";
          setTimeout(() => {
            button.textContent = "Copy";
          }, 1500);
        },
        () => {
          button.textContent = "Copy failed";
        },
      );
    });
    pre.before(button);
  }

  if (document.body.dataset.live === "true") {
    setInterval(() => {
      const busy = document.activeElement?.closest("form") || String(window.getSelection() || "") !== "";
      if (!busy && document.visibilityState === "visible") location.reload();
    }, 5000);
  }
})();
