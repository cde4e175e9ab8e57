// Entry point of dist/nb67-decode.wasm, the module pipelines/ingest.yaml loads: only `decode`
// (with malloc, free, memory). Connect compiles the module once per pooled instance, so a module
// without predict and its 26 rules compiles several times faster (bench/decode.sh prints both).
export { malloc, free } from "./abi";
export { decode } from "./decode";
