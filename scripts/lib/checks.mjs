// Named checks for the scripts that drive a real server (the browser test, the CLI test): each check is
// reported and counted, a failing one does not stop the next, and the last line is "N passed, N failed".

/** A counter of checks whose log lines start with `[tag]`. */
export function checks(tag) {
  const counts = { passed: 0, failed: 0 };
  const log = (message) => console.log(`[${tag}] ${message}`);
  /** Runs one named check. */
  async function check(name, fn) {
    try {
      await fn();
      counts.passed++;
      log(`ok    ${name}`);
    } catch (err) {
      counts.failed++;
      const text = err instanceof Error ? err.message : String(err);
      log(`FAIL  ${name}\n      ${text.split("\n").join("\n      ")}`);
    }
  }
  return { check, log, counts };
}
