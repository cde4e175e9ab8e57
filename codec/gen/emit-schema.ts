// codec/generated/nb67.schema.json: JSON Schema (draft 2020-12) of the decoded record, exact keys,
// types and ranges. Tests validate decoder output against it with ajv.
import { GENERATED_NOTE, type Field, type Model } from "./model.ts";

function prop(f: Field): Record<string, unknown> {
  const base = { description: f.doc + (f.unit ? ` [${f.unit}]` : "") };
  switch (f.json) {
    case "bit":
      return { ...base, type: "integer", enum: [0, 1] };
    case "tenths":
      return { ...base, type: "number", minimum: f.min / 10, maximum: f.max / 10 };
    default:
      return { ...base, type: "integer", minimum: f.min, maximum: f.max };
  }
}

export default function emit(model: Model) {
  const properties: Record<string, unknown> = {};
  for (const f of model.legacy) properties[f.id] = prop(f);
  const derivedPatterns: Record<string, string> = {
    msg_calc_train_no: "^[0-9]{5}$",
    msg_calc_dvc_no: "^[0-9]{7,8}$",
    msg_calc_dvc_time: "^20[0-9]{1,3}-[0-9]{1,3}-[0-9]{1,3} [0-9]{1,3}:[0-9]{1,3}:[0-9]{1,3}$",
  };
  for (const d of model.derived) {
    properties[d.id] = { description: d.doc, type: "string", ...(derivedPatterns[d.id] ? { pattern: derivedPatterns[d.id] } : {}) };
  }
  for (const f of model.extended) properties[f.id] = prop(f);
  const schema = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://nb67.invalid/schema/nb67-record.json",
    $comment: GENERATED_NOTE,
    title: "NB67 decoded record",
    description: `Output of the decode function of dist/nb67.wasm: ${model.legacy.length} legacy fields, ${model.derived.length} derived keys, and the ${model.extended.length} extended fields for frames of at least ${model.extendedMinLength} bytes.`,
    type: "object",
    additionalProperties: false,
    required: [...model.legacy.map((f) => f.id), ...model.derived.map((d) => d.id)],
    dependentRequired: Object.fromEntries(
      model.extended.map((f) => [f.id, model.extended.filter((g) => g !== f).map((g) => g.id)]),
    ),
    properties,
  };
  return [{ path: "codec/generated/nb67.schema.json", content: JSON.stringify(schema, null, 1) + "\n" }];
}
