// Entry point of dist/nb67.wasm. Exports are the module contract
// (docs/architecture.md, "The WASM module"): decode, predict, malloc, free, memory.
// Each exported function is stateless per message; Connect pools instances and
// may drop them at any GC.
import { setErrorOnAbort } from "./abi";

export { malloc, free } from "./abi";
export { decode } from "./decode";
export { predict } from "./predict";

// Used via `--use abort=plugin/index/onAbort` so the module imports nothing from
// `env`. Reached only on an internal bug (a failed assertion or an out-of-range
// access): say so on the message, then trap so Connect flags the batch.
function onAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  setErrorOnAbort("internal error in nb67.wasm" + (message !== null ? ": " + message : ""));
  unreachable();
}
