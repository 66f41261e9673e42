/**
 * Preloaded by the npm scripts that run the project's code on this machine (`npm start`,
 * `npm run replay-rejected`, `npm run loadtest`, `npm run bench`): `tsx --import ./scripts/cli-preload.ts …`.
 *
 * The local run is on Node 20 by design (the functions run on Node 22 in Lambda, and the code
 * runs on both). The AWS SDK warns about Node 20 once per process that creates a client
 * (`NodeVersionSupportWarning`), which is every worker and child process here: a line a
 * developer can do nothing about. This turns off that one warning, with the SDK's own switch,
 * for this process and the processes it starts; every other warning still prints.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
