export { annotateSpan, currentTraceparent, recordSpan, traced, withSpan } from "./tracer";
