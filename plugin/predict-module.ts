// Entry point of dist/nb67-predict.wasm, the module pipelines/predict.yaml loads: only `predict`
// (with malloc, free, memory).
export { malloc, free } from "./abi";
export { predict } from "./predict";
