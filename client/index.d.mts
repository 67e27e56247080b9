/**
 * The typed Scaff API client (openapi-fetch over types generated from the OpenAPI document).
 *
 * @example
 * const scaff = createScaffClient({ baseUrl: "http://127.0.0.1:8787", apiKey: process.env.SCAFF_API_KEY });
 * const { data, error } = await scaff.POST("/v1/executions", { body: { workflow_id: "minimal" } });
 */
import type { Client, ClientOptions } from "openapi-fetch";
import type { components, operations, paths } from "./openapi.js";

export type { components, operations, paths };

/** A client whose methods (`GET`, `POST`, …) know every path, parameter, body and response. */
export type ScaffClient = Client<paths>;

export interface ScaffClientOptions extends Omit<ClientOptions, "baseUrl"> {
  /** The server's origin, e.g. `http://127.0.0.1:8787` (no `/v1`). */
  baseUrl: string;
  /** An API key from the server's API_KEYS. */
  apiKey?: string;
}

/** A client for one Scaff server. */
export declare function createScaffClient(options: ScaffClientOptions): ScaffClient;

export type RunStatus = components["schemas"]["RunStatus"];
export type RunEvents = components["schemas"]["RunEvents"];
export type WorkflowSummary = components["schemas"]["WorkflowSummary"];
export type WorkflowDetail = components["schemas"]["WorkflowDetail"];
export type ErrorEnvelope = components["schemas"]["Error"];
