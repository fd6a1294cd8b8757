// The PromQL language (with its completion), a layer of its own.
export { PromQLExtension } from "@prometheus-io/codemirror-promql";
