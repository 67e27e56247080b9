/** What an api_call reports: its result, the request as stored, and its error codes. */

export interface ApiCallOutput {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The request as it may be stored and shown: rendered, with every secret value redacted. */
export interface RedactedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

export type ApiCallErrorCode =
  | "invalid_request"
  | "timeout"
  | "network_error"
  | "http_error"
  | "response_too_large"
  | "secret_in_url"
  | "secret_not_allowed"
  | "misconfigured"
  | "redirect_not_allowed"
  | "too_many_redirects";

export interface ApiCallError {
  code: ApiCallErrorCode;
  message: string;
  status?: number;
  body?: unknown;
}

export type ApiCallOutcome =
  | {
      status: "completed";
      output: ApiCallOutput;
      attempts: number;
      request: RedactedRequest;
      duration_ms: number;
    }
  | {
      status: "failed";
      error: ApiCallError;
      attempts: number;
      request: RedactedRequest;
      duration_ms: number;
    };
