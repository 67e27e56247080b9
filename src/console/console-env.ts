import type { AppEnv } from "../api/app-env";
import type { Role } from "../config/env";

/** Who is signed in to the console, and how. */
export interface ConsoleUser {
  /** The API key's name, or the Cloudflare Access user's email. */
  name: string;
  role: Role;
  via: "key" | "access";
}

/** The console's Hono environment: the app's, plus the signed-in user and the CSRF token of their session. */
export interface ConsoleEnv {
  Bindings: AppEnv["Bindings"];
  Variables: AppEnv["Variables"] & { user: ConsoleUser; csrf: string };
}
