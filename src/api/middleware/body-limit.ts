import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../../lib/errors";
import type { AppEnv } from "../app-env";

export const MAX_BODY_BYTES = 1024 * 1024;

/** Rejects request bodies over 1 MiB with 413, whether declared by Content-Length or streamed. */
export const limitBody = (): MiddlewareHandler<AppEnv> =>
  bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new AppError("payload_too_large", "Request body is larger than 1 MiB");
    },
  });
