/**
 * Takes the place of `@aws-lambda-powertools/tracer` in the bundles built for functions whose
 * tracing is off (an esbuild alias: `BUNDLING_WITHOUT_TRACER` of `lib/function-bundling.ts`),
 * so that neither the Tracer nor the X-Ray SDK it loads (about 130 KB, parsed at every cold
 * start) is in the code such a function loads. Nothing here runs while tracing is off
 * (`createTracer` loads the Tracer only when tracing is enabled); a function whose
 * configuration enables tracing on such a bundle fails at init with this message, instead of
 * running untraced. The middy middleware `@aws-lambda-powertools/tracer/middleware` is not
 * replaced (it does not load the Tracer).
 */
export class Tracer {
  constructor() {
    throw new Error(
      'This bundle was built without Powertools Tracer (tracing off): deploy the function with tracing enabled to get the traced bundle',
    );
  }
}
