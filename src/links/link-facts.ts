import type { RunRecord } from "../run-db/run-model";
import type { Recorded, TokenState } from "../run-db/tokens";

/** What a link page reads of its run, answered by the run's object: the run, the token, what was recorded. */
export interface LinkFacts {
  run: RunRecord;
  token: TokenState | null;
  recorded?: Recorded;
}
