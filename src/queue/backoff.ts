/** Queue retry delay in seconds: 2^attempt capped at 5 minutes, or the provider's Retry-After when longer. */
export function retryDelaySeconds(attempt: number, retryAfterSeconds?: number): number {
  const exp = Math.min(300, 2 ** Math.max(1, attempt));
  return Math.ceil(Math.max(exp, Math.min(retryAfterSeconds ?? 0, 3600)));
}
