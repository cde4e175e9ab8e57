// One error shape for every failure, {error, message}: a client gets a stable code and a sentence,
// never a stack trace, SQL text or driver detail (those go to the log with the request id).
import type { FastifyError, FastifyInstance } from "fastify";

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (msg: string) => new HttpError(400, "bad_request", msg);
export const notFound = (msg = "not found") => new HttpError(404, "not_found", msg);
export const forbidden = (msg = "forbidden") => new HttpError(403, "forbidden", msg);
export const conflict = (msg: string) => new HttpError(409, "conflict", msg);

/** A client's timestamp as UTC ISO text, so PostgreSQL never sees an offset it refuses (e.g. +22:00,
 *  which JSON Schema's date-time allows and PostgreSQL does not). */
export function isoTime(s: string, name = "time"): string {
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw badRequest(`${name}: not a valid date-time`);
  return d.toISOString();
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpError, req, reply) => {
    if (err instanceof HttpError) {
      return reply.code(err.statusCode).send({ error: err.code, message: err.message });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      return reply.code(400).send({ error: "bad_request", message: `${fe.validationContext ?? "request"} ${fe.validation[0]?.instancePath ?? ""} ${fe.validation[0]?.message ?? "is invalid"}`.replace(/\s+/g, " ").trim() });
    }
    // PostgreSQL data exceptions (class 22: a value out of range, a bad date) are the request's fault.
    const sqlState = (err as { code?: unknown }).code;
    if (typeof sqlState === "string" && /^22[0-9A-Z]{3}$/.test(sqlState)) {
      req.log.warn({ err }, "request refused by a data exception");
      return reply.code(400).send({ error: "bad_request", message: "a value is out of range" });
    }
    const status = typeof fe.statusCode === "number" ? fe.statusCode : 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors (bad JSON, body too large, unsupported media type): their
      // messages are about the request, not the server.
      const code = status === 413 ? "too_large" : status === 415 ? "unsupported_media_type" : status === 404 ? "not_found" : "bad_request";
      return reply.code(status).send({ error: code, message: String(fe.message).slice(0, 200) });
    }
    req.log.error({ err }, "request failed");
    return reply.code(500).send({ error: "internal", message: "internal error (see the server log, request " + req.id + ")" });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: "not_found", message: `no route ${req.method} ${req.url.split("?")[0].slice(0, 200)}` }));
}
