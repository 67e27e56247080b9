// Starts Swagger UI on /docs. A file rather than an inline script, so the page's CSP can refuse
// every inline script; the bundle beside it is copied from the pinned swagger-ui-dist package.
window.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: root?.dataset.specUrl ?? "/openapi.json",
    domNode: root,
    deepLinking: true,
    // The default asks validator.swagger.io about the spec: /docs must make no external request.
    validatorUrl: null,
  });
});
