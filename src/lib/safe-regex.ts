/**
 * A cheap guard against catastrophic backtracking: JavaScript regular expressions backtrack, so a
 * quantified group that itself contains a quantifier (`(a+)+`, `(\w*\d?)*`, `(a?){20}`) can take
 * exponential time on a short input. Such patterns are refused when a definition is saved, because
 * anyone holding a resume link could otherwise freeze the run's Durable Object.
 */
export function nestedQuantifier(pattern: string): boolean {
  // One frame per open group: did anything inside it repeat?
  const groups: boolean[] = [];
  let lastGroupRepeats = false;
  let i = 0;
  const isQuantifierAt = (at: number): boolean => {
    const ch = pattern[at];
    if (ch === "*" || ch === "+" || ch === "?") return true;
    if (ch !== "{") return false;
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(at));
    if (!m) return false;
    const max = m[2] === undefined ? Number(m[1]) : m[3] === "" ? Number.POSITIVE_INFINITY : Number(m[3]);
    return max > 1;
  };
  const markRepeat = () => {
    if (groups.length > 0) groups[groups.length - 1] = true;
  };
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch === "\\") {
      i += 2;
      lastGroupRepeats = false;
      continue;
    }
    if (ch === "[") {
      // Skip a character class, honouring escapes and a leading `]`.
      i++;
      if (pattern[i] === "^") i++;
      if (pattern[i] === "]") i++;
      while (i < pattern.length && pattern[i] !== "]") i += pattern[i] === "\\" ? 2 : 1;
      i++;
      lastGroupRepeats = false;
      continue;
    }
    if (ch === "(") {
      groups.push(false);
      i++;
      if (pattern[i] === "?") i++; // (?: (?= (?! (?<name> …: the `?` is not a quantifier
      lastGroupRepeats = false;
      continue;
    }
    if (ch === ")") {
      lastGroupRepeats = groups.pop() ?? false;
      i++;
      if (isQuantifierAt(i) && pattern[i] !== "?") {
        if (lastGroupRepeats) return true;
        markRepeat();
      } else if (lastGroupRepeats) {
        markRepeat();
      }
      continue;
    }
    if (isQuantifierAt(i)) markRepeat();
    lastGroupRepeats = false;
    i++;
  }
  return false;
}
