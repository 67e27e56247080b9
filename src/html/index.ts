export { formatUtc } from "./format";
export type { ConfirmationPageView, ErrorPageView } from "./message-pages";
export { renderConfirmationPage, renderErrorPage } from "./message-pages";
export { htmlResponse, PAGE_CSP, PAGE_HEADERS } from "./response";
