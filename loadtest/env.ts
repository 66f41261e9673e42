// Imported first by run.ts: Node 20 is expected on our machines; keep the SDK's multi-line notice out of the report.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
