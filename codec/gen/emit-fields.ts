// codec/generated/fields.json: the machine-readable model, for tools that are not TypeScript
// (and for a quick look at the layout without reading the .ksy).
import { GENERATED_NOTE, type Model } from "./model.ts";

export default function emit(model: Model) {
  const doc = {
    $comment: GENERATED_NOTE,
    id: model.id,
    title: model.title,
    frame_length: model.frameLength,
    legacy_min_length: model.legacyMinLength,
    extended_min_length: model.extendedMinLength,
    keys: model.keys,
    derived: model.derived,
    fields: model.fields.map((f) => ({
      index: f.index,
      id: f.id,
      type: f.type,
      offset: f.offset,
      bit: f.bit,
      size: f.size,
      output: f.output,
      scale: f.scale,
      unit: f.unit,
      role: f.role,
      extended: f.extended,
      present_from: f.presentFrom,
      min: f.min,
      max: f.max,
      json: f.json,
      doc: f.doc,
    })),
  };
  return [{ path: "codec/generated/fields.json", content: JSON.stringify(doc, null, 1) + "\n" }];
}
