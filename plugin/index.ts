// Entry point of dist/nb67.wasm, the full module (decode + predict: the console, tests and tools load
// it; the pipelines load dist/nb67-decode.wasm and dist/nb67-predict.wasm). Exports are the module contract
// (docs/architecture.md, "The WASM module"): decode, predict, malloc, free, memory.
// Each exported function is stateless per message; Connect pools instances and
// may drop them at any GC.
export { malloc, free } from "./abi";
export { decode } from "./decode";
export { predict } from "./predict";
