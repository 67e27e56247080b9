import { and, eq, isNull, type SQL } from "drizzle-orm";
import { resumeTokens } from "./schema";

/** A wait's tokens that still work: neither used nor revoked (the one rule every token read and revoke shares). */
export const workingTokens = (runId: string, waitId: string | SQL) =>
  and(
    eq(resumeTokens.runId, runId),
    eq(resumeTokens.waitId, waitId),
    isNull(resumeTokens.usedAt),
    isNull(resumeTokens.revokedAt),
  );
