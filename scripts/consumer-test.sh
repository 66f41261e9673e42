#!/usr/bin/env bash
# The package as a consumer gets it (run by .ci/run, or `npm run consumer-test`):
#  1. `npm pack` (its prepack runs `npm run build`; CONSUMER_TEST_PREBUILT=1 packs the dist/
#     that is already there, as .ci/run does right after `npm run build`);
#  2. a fresh CDK app in a temporary directory outside the repository installs the tarball,
#     aws-cdk-lib, constructs, typescript and @types/aws-lambda with `npm ci --offline`, from the
#     npm cache that the repository's `npm ci` filled (no esbuild, no Docker, no access to this repository's
#     sources: the functions must come prebuilt in the tarball);
#  3. strict `tsc` compiles the consumer app of docs/construct.md, taken from its code blocks
#     (`new MmsPostbackReceiver(..., { outputs: true })`, `onPostback` to an SQS queue and to a
#     Lambda function, and a consumer handler typed `PostbackEvent<'MMS Delivered' | 'MMS Rejected'>`
#     that narrows on `detail-type`);
#  4. `cdk synth` (this repository's CLI, with the app's cdk.json) synthesizes it; the template
#     (outputs, rules, functions from the prebuilt bundles) and assets are checked;
#  5. consumer files with a wrong detail-type name must fail to compile.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"
export CDK_DISABLE_CLI_TELEMETRY=true
started=$SECONDS

WORK="$(mktemp -d "${TMPDIR:-/tmp}/mms-consumer-test.XXXXXX")"
case "$WORK" in "$REPO"/*) echo "consumer-test: the scratch directory must be outside the repository"; exit 1 ;; esac
cleanup() { rm -rf "$WORK"; }
[ -n "${KEEP_CONSUMER_TEST:-}" ] && echo "consumer-test: keeping $WORK" || trap cleanup EXIT

step() { echo "consumer-test: $* ($((SECONDS - started)) s)"; }

# 1. The tarball.
if [ -n "${CONSUMER_TEST_PREBUILT:-}" ]; then
  [ -f dist/lib/index.js ] && [ -f dist/functions/ingest/index.mjs ] || { echo "consumer-test: dist/ is missing: npm run build first"; exit 1; }
  npm pack --ignore-scripts --silent --pack-destination "$WORK" > "$WORK/pack.txt"
else
  npm pack --silent --pack-destination "$WORK" > "$WORK/pack.txt"
fi
TARBALL="$WORK/$(tail -n 1 "$WORK/pack.txt")"
[ -f "$TARBALL" ] || { echo "consumer-test: npm pack wrote no tarball"; exit 1; }
step "packed $(basename "$TARBALL") ($(du -k "$TARBALL" | cut -f1) KB)"

# What the tarball holds: the build output and docs, no sources, no tests.
tar -tzf "$TARBALL" | sort > "$WORK/files.txt"
for required in package/dist/lib/index.js package/dist/lib/index.d.ts package/dist/lambda/events.js package/dist/lambda/events.d.ts \
  package/dist/functions/ingest/index.mjs package/dist/functions/query/index.mjs package/dist/functions/publisher/index.mjs package/dist/functions/status-unknown-sweep/index.mjs \
  package/dist/functions-traced/ingest/index.mjs package/dist/functions-traced/query/index.mjs package/dist/functions-traced/publisher/index.mjs package/dist/functions-traced/status-unknown-sweep/index.mjs \
  package/README.md package/LICENSE package/package.json; do
  grep -qx "$required" "$WORK/files.txt" || { echo "consumer-test: the tarball lacks $required"; exit 1; }
done
if grep -Ev '^package/(dist/.*\.(js|d\.ts|mjs|mjs\.map)|docs/[^/]+\.md|README\.md|LICENSE|package\.json)$' "$WORK/files.txt"; then
  echo "consumer-test: the tarball holds the files above, which consumers do not need"
  exit 1
fi

# 2. A fresh CDK app, installed offline from the npm cache.
version() { node -p "require('$1/package.json').version"; }
APP="$WORK/app"
mkdir -p "$APP/src/handler"
cat > "$APP/package.json" <<EOF
{
  "name": "mms-consumer-app",
  "version": "1.0.0",
  "private": true,
  "dependencies": {
    "mms-postback-receiver": "file:$TARBALL",
    "aws-cdk-lib": "$(version aws-cdk-lib)",
    "constructs": "$(version constructs)"
  },
  "devDependencies": {
    "@types/aws-lambda": "$(version @types/aws-lambda)",
    "typescript": "$(version typescript)"
  }
}
EOF
# The app's lock file is cut from the repository's (scripts/consumer-lock.ts): the versions the
# repository is tested with, with resolved URLs and integrity, so that `npm ci --offline` needs
# only the tarballs the repository's `npm ci` put in the npm cache.
node "$REPO/node_modules/tsx/dist/cli.mjs" "$REPO/scripts/consumer-lock.ts" "$APP" "$TARBALL"
(cd "$APP" && npm ci --offline --no-audit --no-fund --ignore-scripts --loglevel=error > "$WORK/install.log" 2>&1) || {
  cat "$WORK/install.log"
  echo "consumer-test: npm ci --offline failed (is the npm cache filled? run npm ci in the repository first)"
  exit 1
}
[ ! -e "$APP/node_modules/esbuild" ] || { echo "consumer-test: esbuild was installed, so the prebuilt bundles are not what is tested"; exit 1; }
step "installed into $APP"

# 3. The consumer's code: the consumer app of docs/construct.md, exactly as documented
#    (tsconfig.json, cdk.json, src/app.ts, src/handler/index.ts), compiled with strict tsc.
node "$REPO/node_modules/tsx/dist/cli.mjs" "$REPO/scripts/doc-code-blocks.ts" "$REPO/docs/construct.md" "$APP" > "$WORK/blocks.log" ||
  { cat "$WORK/blocks.log"; echo "consumer-test: the consumer app of docs/construct.md could not be extracted"; exit 1; }
for file in tsconfig.json cdk.json src/app.ts src/handler/index.ts; do
  [ -f "$APP/$file" ] || { echo "consumer-test: docs/construct.md holds no $file"; exit 1; }
done
TSC="$APP/node_modules/typescript/bin/tsc"
(cd "$APP" && node "$TSC" -p tsconfig.json) || { echo "consumer-test: the consumer app does not compile"; exit 1; }
# Older resolution (no exports map): the `events` subpath resolves through typesVersions.
(cd "$APP" && node "$TSC" --noEmit --strict --skipLibCheck --target es2022 --module commonjs --moduleResolution node src/handler/index.ts) ||
  { echo "consumer-test: the handler does not compile with moduleResolution node"; exit 1; }
(cd "$APP" && node -e "const e = require('mms-postback-receiver/events'); if (e.DETAIL_TYPES.some((t) => !e.EVENT_DETAIL_SCHEMAS[t])) process.exit(1)") ||
  { echo "consumer-test: mms-postback-receiver/events lacks a schema of a detail-type"; exit 1; }
step "compiled (strict; NodeNext and node resolution)"

# 4. cdk synth, with this repository's CLI; then what it produced.
# The app's own cdk.json says how to run it.
(cd "$APP" && node "$REPO/node_modules/aws-cdk/bin/cdk" synth --output cdk.out --quiet --no-notices --no-version-reporting) > "$WORK/synth.log" 2>&1 ||
  { cat "$WORK/synth.log"; echo "consumer-test: cdk synth of the consumer app failed"; exit 1; }
(cd "$APP" && node - <<'EOF'
const fs = require('node:fs');
const path = require('node:path');
const fail = (message) => { console.error(`consumer-test: ${message}`); process.exit(1); };
const template = JSON.parse(fs.readFileSync('cdk.out/ConsumerStack.template.json', 'utf8'));
const resources = Object.values(template.Resources);
const byType = (type) => resources.filter((r) => r.Type === type);
const assets = JSON.parse(fs.readFileSync('cdk.out/ConsumerStack.assets.json', 'utf8')).files;
const assetDir = (fn) => {
  const key = fn.Properties.Code.S3Key;
  const hash = typeof key === 'string' ? key.replace(/\.zip$/, '') : undefined;
  const source = hash && assets[hash] && assets[hash].source.path;
  if (!source) fail(`no asset for a function: ${JSON.stringify(fn.Properties.Code)}`);
  return path.join('cdk.out', source);
};
const installed = path.join('node_modules', 'mms-postback-receiver', 'dist', 'functions');
const receiverFunctions = byType('AWS::Lambda::Function').filter((fn) => /MMS postbacks/.test(fn.Properties.Description ?? ''));
const prebuilt = fs.readdirSync(installed);
if (receiverFunctions.length !== prebuilt.length) fail(`expected ${prebuilt.length} functions (${prebuilt.join(', ')}), found ${receiverFunctions.length}`);
for (const fn of receiverFunctions) {
  if (fn.Properties.Runtime !== 'nodejs22.x' || fn.Properties.Handler !== 'index.handler') fail(`unexpected runtime/handler ${fn.Properties.Runtime} ${fn.Properties.Handler}`);
  const code = fs.readFileSync(path.join(assetDir(fn), 'index.mjs'));
  if (!prebuilt.some((name) => code.equals(fs.readFileSync(path.join(installed, name, 'index.mjs'))))) fail(`${fn.Properties.Description}: not a prebuilt bundle of the package`);
  // Tracing is off in this app: the bundles without Powertools Tracer and the X-Ray SDK.
  if (fn.Properties.TracingConfig?.Mode === 'Active' || /aws-xray-sdk|AWSXRay/.test(code.toString('utf8'))) fail(`${fn.Properties.Description}: expected the bundle without the tracer`);
}
const rules = byType('AWS::Events::Rule').filter((r) => JSON.stringify(r.Properties.EventPattern ?? {}).includes('mms.postbacks'));
const targetArns = rules.flatMap((r) => (r.Properties.Targets ?? []).map((t) => JSON.stringify(t.Arn)));
if (!targetArns.some((arn) => arn.includes('MmsFailures'))) fail('no rule targets the SQS queue');
if (!targetArns.some((arn) => arn.includes('OnDelivered'))) fail('no rule targets the Lambda function');
const delivered = rules.find((r) => JSON.stringify(r.Properties.Targets).includes('OnDelivered'));
const types = delivered.Properties.EventPattern['detail-type'];
if (JSON.stringify(types) !== JSON.stringify(['MMS Delivered', 'MMS Rejected'])) fail(`unexpected detail-type filter ${JSON.stringify(types)}`);
const outputs = Object.keys(template.Outputs ?? {});
for (const name of ['PostbackUrl', 'QueryUrl', 'EventBusName', 'EventBusArn', 'TableName', 'SecretArn', 'SchemaRegistryName']) {
  if (!outputs.includes(name)) fail(`no stack output ${name} (outputs: ${outputs.join(', ') || 'none'})`);
}
console.log(`consumer-test: template OK (outputs ${outputs.join(', ')}; ${resources.length} resources; ${rules.length} rules; every function from the prebuilt bundles)`);
EOF
)
step "synthesized"

# 5. A wrong detail-type name must not compile: as the type argument, and in the narrowing.
cat > "$APP/src/wrong-name.ts" <<'EOF'
import type { PostbackEvent } from 'mms-postback-receiver/events';

export const handler = async (event: PostbackEvent<'MMS Delivered' | 'MMS Delivred'>) => event.detail.postbackId;
EOF
cat > "$APP/src/wrong-narrowing.ts" <<'EOF'
import type { PostbackEvent } from 'mms-postback-receiver/events';

export const handler = async (event: PostbackEvent<'MMS Delivered' | 'MMS Rejected'>) => {
  if (event['detail-type'] === 'MMS Rejectd') return event.detail.errorInfo;
  return event.detail.postbackId;
};
EOF
set +e
(cd "$APP" && node "$TSC" --noEmit --strict --skipLibCheck --target es2022 --module nodenext --moduleResolution nodenext src/wrong-name.ts src/wrong-narrowing.ts) > "$WORK/wrong.txt" 2>&1
status=$?
set -e
if [ "$status" -eq 0 ]; then
  echo "consumer-test: a consumer with a wrong detail-type name compiled"
  exit 1
fi
grep -q "wrong-name.ts.*MMS Delivred" "$WORK/wrong.txt" || { cat "$WORK/wrong.txt"; echo "consumer-test: PostbackEvent<'MMS Delivred'> was not refused"; exit 1; }
grep -q "wrong-narrowing.ts.*MMS Rejectd" "$WORK/wrong.txt" || { cat "$WORK/wrong.txt"; echo "consumer-test: the comparison with 'MMS Rejectd' was not refused"; exit 1; }
step "wrong detail-type names refused: $(grep -c 'error TS' "$WORK/wrong.txt") compile errors, as expected"
echo "consumer-test: PASS in $((SECONDS - started)) s"
