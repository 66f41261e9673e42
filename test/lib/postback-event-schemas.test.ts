import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DETAIL_TYPES } from '../../lambda/domain/catalog';
import { EVENT_DETAIL_SCHEMAS } from '../../lambda/domain/event-schemas';
import { eventEnvelopeSchema, PostbackEventSchemas, schemaNameFor } from '../../lib/postback-event-schemas';

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema documents
type Json = any;

describe('schemaNameFor', () => {
  test.each([
    ['MMS Delivered', 'mms.postbacks@MMSDelivered'],
    ['MMS Delivered As SMS', 'mms.postbacks@MMSDeliveredAsSMS'],
    ['MMS Postback Unrecognized', 'mms.postbacks@MMSPostbackUnrecognized'],
  ] as const)('%s -> %s', (detailType, name) => {
    expect(schemaNameFor('mms.postbacks', detailType)).toBe(name);
  });

  test('every detail-type gets a distinct name', () => {
    expect(new Set(DETAIL_TYPES.map((t) => schemaNameFor('s', t))).size).toBe(DETAIL_TYPES.length);
  });
});

describe('eventEnvelopeSchema', () => {
  const envelope: Json = eventEnvelopeSchema('mms.postbacks', 'MMS Delivered', EVENT_DETAIL_SCHEMAS['MMS Delivered']);

  test('describes the whole EventBridge event in draft-04 with the registry extensions', () => {
    expect(envelope.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(envelope['x-amazon-events-source']).toBe('mms.postbacks');
    expect(envelope['x-amazon-events-detail-type']).toBe('MMS Delivered');
    expect(envelope.properties['detail-type']).toEqual({ type: 'string', enum: ['MMS Delivered'] });
    expect(envelope.properties.source).toEqual({ type: 'string', enum: ['mms.postbacks'] });
    expect(envelope.required).toEqual(expect.arrayContaining(['detail', 'detail-type', 'source', 'time']));
    expect(envelope.properties.detail).toEqual({ $ref: '#/definitions/MMSDelivered' });
  });

  test('the detail definition is the generated detail schema, without a nested $schema', () => {
    const { $schema: _root, ...detail } = EVENT_DETAIL_SCHEMAS['MMS Delivered'] as Json;
    expect(envelope.definitions.MMSDelivered).toEqual(detail);
    expect(envelope.definitions.MMSDelivered.$schema).toBeUndefined();
  });

  test('uses no keyword newer than draft-04', () => {
    const text = JSON.stringify(envelope);
    for (const keyword of ['"const"', '"$defs"', '"$id"', '"if"', '"then"', '"contains"', '"propertyNames"', '"examples"']) {
      expect(text).not.toContain(keyword);
    }
  });
});

describe('PostbackEventSchemas', () => {
  test('one registry, one JSONSchemaDraft4 schema per detail-type: the event envelope around the detail schema of EVENT_DETAIL_SCHEMAS', () => {
    const stack = new Stack();
    const schemas = new PostbackEventSchemas(stack, 'Schemas', { eventSource: 'mms.postbacks', registryName: 'mms-postbacks' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    template.hasResourceProperties('AWS::EventSchemas::Registry', { RegistryName: 'mms-postbacks' });
    const resources = Object.entries(template.findResources('AWS::EventSchemas::Schema')) as Array<[string, Json]>;
    expect(resources).toHaveLength(DETAIL_TYPES.length);
    for (const detailType of DETAIL_TYPES) {
      // Expected facts written out here, not computed by the function the construct calls.
      const name = detailType.replaceAll(' ', '');
      const found = resources.find(([, r]) => r.Properties.SchemaName === `mms.postbacks@${name}`);
      expect(found).toBeDefined();
      const [schemaId, resource] = found as [string, Json];
      expect(resource.Properties.Type).toBe('JSONSchemaDraft4');
      const content = JSON.parse(resource.Properties.Content);
      const { $schema: _nested, ...detail } = EVENT_DETAIL_SCHEMAS[detailType] as Json;
      expect(content).toMatchObject({
        $schema: 'http://json-schema.org/draft-04/schema#',
        'x-amazon-events-source': 'mms.postbacks',
        'x-amazon-events-detail-type': detailType,
        properties: {
          source: { type: 'string', enum: ['mms.postbacks'] },
          'detail-type': { type: 'string', enum: [detailType] },
          detail: { $ref: `#/definitions/${name}` },
        },
        definitions: { [name]: detail },
      });
      expect(content.required).toEqual(expect.arrayContaining(['detail', 'detail-type', 'source', 'time']));
      // The construct exposes the very resource of its detail-type.
      expect(stack.getLogicalId(schemas.schemas[detailType])).toBe(schemaId);
    }
  });

  test('E100 has its own detail-type in the registry: MMS Request Invalid, a final send failure', () => {
    const stack = new Stack();
    new PostbackEventSchemas(stack, 'Schemas', { eventSource: 'mms.postbacks', registryName: 'mms-postbacks' });
    const resources = Object.values(Template.fromStack(stack).findResources('AWS::EventSchemas::Schema')) as Json[];
    const found = resources.find((r) => r.Properties.SchemaName === 'mms.postbacks@MMSRequestInvalid');
    expect(found).toBeDefined();
    const detail = JSON.parse(found.Properties.Content).definitions.MMSRequestInvalid;
    expect(detail.properties).toMatchObject({
      code: { enum: ['E100'] },
      lifecycle: { enum: ['send'] },
      outcome: { enum: ['failure'] },
      final: { enum: [true] },
    });
  });
});
