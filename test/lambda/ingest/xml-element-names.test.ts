/**
 * Element names that are also names of JavaScript object members are kept as sent, in both
 * forms: the ingest handler (on the in-memory store) stores what the publisher turns into the
 * same `raw` for the XML form as for the JSON form, and nothing reaches an object's prototype.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { rebuildEvent } from '../../../lambda/publisher/rebuild-event';
import { InMemoryPostbackStore } from '../../fakes/in-memory-postback-store';
import { apiGatewayEvent } from '../../helpers/api-gateway-event';
import { fixture } from '../../helpers/fixtures';
import { lambdaContext } from '../../helpers/lambda-context';
import { UNIT_SECRET, unitIngestHandler } from '../../helpers/unit-ingest-handler';

describe('element names that are JavaScript member names', () => {
  it('constructor, __proto__, toString and hasOwnProperty: neither renamed nor refused, the same raw as the JSON form', async () => {
    const store = new InMemoryPostbackStore();
    const handler = unitIngestHandler({ store, logLevel: 'CRITICAL' });
    const post = async (body: string, contentType: string) =>
      (await handler(
        apiGatewayEvent({ body, headers: { 'X-Postback-Token': UNIT_SECRET, 'Content-Type': contentType } }),
        lambdaContext(),
      )) as APIGatewayProxyResult;
    const extra = '<constructor>c</constructor><__proto__>p</__proto__><toString>t</toString><hasOwnProperty>h</hasOwnProperty>';
    const jsonExtra = '"constructor":"c","__proto__":"p","toString":"t","hasOwnProperty":"h"';
    const base = fixture('n101') as Record<string, string>;
    const xmlId = `x-${randomUUID()}`;
    const jsonId = `j-${randomUUID()}`;
    const fieldsXml = (id: string) =>
      Object.entries({ ...base, 'tracking-id': id })
        .map(([name, value]) => `<${name}>${value}</${name}>`)
        .join('');
    const json = (id: string) => `${JSON.stringify({ ...base, 'tracking-id': id }).slice(0, -1)},${jsonExtra}}`;

    const xmlAnswer = await post(`<postback>${fieldsXml(xmlId)}${extra}</postback>`, 'application/xml');
    const jsonAnswer = await post(json(jsonId), 'application/json');

    expect([xmlAnswer.statusCode, jsonAnswer.statusCode]).toEqual([200, 200]);
    // The event the publisher builds from the stored entry (the same code as the stream publisher's).
    const raw = (id: string) => {
      const [entry] = store.history(id);
      if (!entry) throw new Error(`nothing stored for ${id}`);
      const { detail } = rebuildEvent({
        postbackId: entry.record.postbackId,
        trackingId: id,
        body: entry.rawBody,
        receivedAt: entry.receivedAt.toISOString(),
        isLatest: entry.isLatest,
      });
      return (detail as { raw?: unknown }).raw as Record<string, unknown>;
    };
    const { 'tracking-id': _x, ...xmlRaw } = raw(xmlId);
    const { 'tracking-id': _j, ...jsonRaw } = raw(jsonId);
    expect(JSON.stringify(xmlRaw)).toBe(JSON.stringify(jsonRaw));
    expect(Object.getOwnPropertyDescriptor(raw(xmlId), '__proto__')?.value).toBe('p');
    expect(Object.getOwnPropertyDescriptor(raw(xmlId), 'constructor')?.value).toBe('c');
    expect(raw(xmlId).toString).toBe('t');
    expect(raw(xmlId).hasOwnProperty).toBe('h');
    expect(Object.getPrototypeOf(raw(xmlId))).toBe(Object.prototype);
  });
});
