import type { RunOrigin } from "../run-db/store";
import type { ResumeClaims } from "../tokens";

/** What a start hands the run's object. */
export interface StartParams {
  runId: string;
  workflowId: string;
  workflowVersion: number;
  inputs: Record<string, unknown>;
  profile: Record<string, unknown>;
  origin: RunOrigin;
}

/** What a resume hands the run's object: the verified link's claims and the submitted data. */
export interface ResumeParams {
  runId: string;
  claims: ResumeClaims;
  data: unknown;
  /** Who resumed, when the token names no recipient (the API principal). */
  principal: string;
}
