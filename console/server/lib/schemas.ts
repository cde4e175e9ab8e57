// Shared JSON Schema pieces. Every object is closed (additionalProperties false) and every string
// and number bounded, so the schema is the first line of input validation.
export const ErrorBody = {
  type: "object",
  additionalProperties: false,
  required: ["error", "message"],
  properties: { error: { type: "string" }, message: { type: "string" } },
} as const;

export const errors = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  // the router's own answer to an over-long path parameter (before any route or schema runs)
  414: { type: "object", description: "URI too long" },
  429: ErrorBody,
  500: ErrorBody,
} as const;

export const DvcNo = { type: "string", pattern: "^[0-9]{3,12}$", maxLength: 12 } as const;
export const TrainNo = { type: "string", pattern: "^[0-9]{1,10}$", maxLength: 10 } as const;
export const Timestamp = { type: "string", format: "date-time", maxLength: 40 } as const;
export const NullableTimestamp = { type: ["string", "null"], format: "date-time" } as const;
export const Status = { type: "string", enum: ["normal", "warning", "alarm", "offline", "shelved"] } as const;
export const FieldId = { type: "string", pattern: "^[a-z][a-z0-9_]{0,40}$" } as const;
export const Reason = { type: "string", minLength: 1, maxLength: 500 } as const;
export const Kind = { type: "string", enum: ["alarm", "warning"] } as const;

export const NoQuery = { type: "object", additionalProperties: false, properties: {} } as const;

export function obj(properties: Record<string, unknown>, required: string[] = []) {
  return { type: "object", additionalProperties: false, required, properties } as const;
}
