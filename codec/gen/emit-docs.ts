// docs/fields.md: the field reference table.
import { GENERATED_NOTE, type Field, type Model } from "./model.ts";

const esc = (s: string) => s.replace(/\|/g, "\\|");

export default function emit(model: Model) {
  const L: string[] = [];
  L.push(`<!-- ${GENERATED_NOTE} -->`);
  L.push(``);
  L.push(`# NB67 frame fields`);
  L.push(``);
  L.push(
    `The frame is ${model.frameLength} bytes, big-endian; flags are \`b1le\` bits (bit 0 = LSB of the byte). ` +
      `The decoder accepts frames of at least ${model.legacyMinLength} bytes (legacy) and outputs the extended fields ` +
      `only for frames of at least ${model.extendedMinLength} bytes. Output keys, in order: the ${model.legacy.length} kept legacy ` +
      `fields, ${model.derived.map((d) => `\`${d.id}\``).join(", ")}, then the extended fields. ` +
      `"÷10" fields are output as raw/10: an integer when raw % 10 == 0, otherwise one decimal.`,
  );
  L.push(``);
  L.push(`Source of truth: \`codec/NB67.ksy\`. Machine-readable: \`codec/generated/fields.json\`, JSON Schema of the record: \`codec/generated/nb67.schema.json\`.`);
  L.push(``);
  L.push(`## Derived keys`);
  L.push(``);
  L.push(`| key | meaning |`);
  L.push(`|---|---|`);
  for (const d of model.derived) L.push(`| \`${d.id}\` | ${esc(d.doc)} |`);
  L.push(``);
  L.push(`## Flag bytes`);
  L.push(``);
  L.push(`| byte | bit0 | bit1 | bit2 | bit3 | bit4 | bit5 | bit6 | bit7 |`);
  L.push(`|---|---|---|---|---|---|---|---|---|`);
  const byByte = new Map<number, Field[]>();
  for (const f of model.fields) if (f.type === "b1le") byByte.set(f.offset, [...(byByte.get(f.offset) ?? []), f]);
  for (const [off, fs] of [...byByte.entries()].sort((a, b) => a[0] - b[0])) {
    const cells = Array.from({ length: 8 }, (_, b) => {
      const f = fs.find((x) => x.bit === b);
      return f ? (f.output === "keep" ? f.id : `~~${f.id}~~`) : "";
    });
    L.push(`| ${off} (0x${off.toString(16).toUpperCase().padStart(2, "0")}) | ${cells.join(" | ")} |`);
  }
  L.push(``);
  L.push(`## All fields`);
  L.push(``);
  L.push(`| # | field | type | offset | bit | output | scale | unit | meaning |`);
  L.push(`|---|---|---|---|---|---|---|---|---|`);
  for (const f of model.fields) {
    const out = f.output === "keep" ? (f.extended ? `keep (≥ ${model.extendedMinLength} B)` : "keep") : "drop";
    L.push(
      `| ${f.index} | \`${f.id}\` | ${f.type === "bytes" ? `bytes[${f.size}]` : f.type} | ${f.offset} (0x${f.offset
        .toString(16)
        .toUpperCase()
        .padStart(3, "0")}) | ${f.bit ?? ""} | ${out} | ${f.scale ? "÷10" : ""} | ${f.unit ?? ""} | ${esc(f.doc)} |`,
    );
  }
  return [{ path: "docs/fields.md", content: L.join("\n") + "\n" }];
}
