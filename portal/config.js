// Where the API is. Served as it is by the local gateway (same origin as the API: ""); the cloud's copy is
// written by `make deploy-portal` with the stack's ApiUrl (infra/portal_deploy.py, D-302). A classic script,
// not a module, so it runs before app.js reads it.
globalThis.JSZW_PORTAL = { apiBase: "" };
