// Per-scenario bookkeeping: how many things were tried, how many held, and what was lost (with evidence).

/** A scenario's tally. `lose(what, evidence)` records a failure with what a reader needs to reproduce it. */
export function tally(name) {
  const t = {
    name,
    tried: 0,
    held: 0,
    lost: [],
    notes: [],
    /** Records one check: holds when `ok`; otherwise lost with evidence. */
    check(ok, what, evidence) {
      t.tried++;
      if (process.env.REL_VERBOSE) console.log(`   ${ok ? "held" : "LOST"}: ${what}`);
      if (ok) t.held++;
      else t.lost.push({ what, evidence });
      return ok;
    },
    note(text) {
      t.notes.push(text);
    },
  };
  return t;
}

const clip = (v, n = 600) => {
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s === undefined ? "undefined" : s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s;
};

/** Prints a scenario's counts, notes and lost items (identical descriptions grouped, first evidence shown). */
export function printTally(t, max = 25) {
  console.log(`\n== ${t.name}: tried ${t.tried} / held ${t.held} / lost ${t.lost.length}`);
  for (const n of t.notes) console.log(`   note: ${n}`);
  const groups = new Map();
  for (const l of t.lost) {
    if (!groups.has(l.what)) groups.set(l.what, []);
    groups.get(l.what).push(l.evidence);
  }
  for (const [what, evidence] of [...groups].slice(0, max)) {
    console.log(
      `   LOST${evidence.length > 1 ? ` x${evidence.length}` : ""}: ${what}\n         ${clip(evidence[0])}`,
    );
  }
  if (groups.size > max) console.log(`   … and ${groups.size - max} more kinds of loss`);
}

export { clip };
