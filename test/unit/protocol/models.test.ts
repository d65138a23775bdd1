import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Operations as SesV2Operations, SendEmailRequest } from '../../../src/protocol/models/types/sesv2.js';
import type { Operations as SesOperations } from '../../../src/protocol/models/types/ses.js';
import type { Operations as PinpointOperations } from '../../../src/protocol/models/types/pinpoint.js';
import { matchRestJsonOperation } from '../../../src/protocol/rest-json.js';
import { loadModel, type ServiceName } from '../../../src/protocol/service-model.js';

const REST_JSON: ServiceName[] = ['sesv2', 'pinpoint', 'pinpoint-email'];

/** Fills a URI template's labels with values that need percent-encoding. */
function fill(template: string): { path: string; labels: Record<string, string> } {
  const labels: Record<string, string> = {};
  let n = 0;
  const path = template
    .split('?')[0]!
    .replace(/\{([^}]+?)(\+)?\}/g, (_, name: string, greedy?: string) => {
      const value = greedy ? `dir ${n}/key@${n++}` : `v ${n++}@x.com+/`;
      labels[name] = value;
      return greedy ? value.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(value);
    });
  return { path, labels };
}

describe('service models', () => {
  it('have the operations of the aws-sdk models', () => {
    expect(loadModel('sesv2').operations.size).toBe(92);
    expect(loadModel('ses').operations.size).toBe(71);
    expect(loadModel('pinpoint').operations.size).toBe(122);
    expect(loadModel('pinpoint-email').operations.size).toBe(42);
  });

  it('are loaded once', () => {
    expect(loadModel('sesv2')).toBe(loadModel('sesv2'));
  });

  it('stay small', () => {
    for (const name of ['sesv2', 'ses', 'pinpoint', 'pinpoint-email']) {
      const file = fileURLToPath(new URL(`../../../src/protocol/models/${name}.json`, import.meta.url));
      expect(statSync(file).size).toBeLessThan(1024 * 1024);
    }
  });

  it('carry the error shapes with their statuses and query codes', () => {
    const v2 = loadModel('sesv2');
    expect(v2.errors.get('BadRequestException')).toMatchObject({ httpStatus: 400, senderFault: true });
    expect(v2.errors.get('NotFoundException')).toMatchObject({ httpStatus: 404 });
    expect(v2.errors.get('TooManyRequestsException')).toMatchObject({ httpStatus: 429 });
    expect(v2.errors.get('InternalServiceErrorException')).toMatchObject({ httpStatus: 500, senderFault: false });
    const v1 = loadModel('ses');
    expect(v1.errors.get('TemplateDoesNotExistException')).toMatchObject({ code: 'TemplateDoesNotExist', httpStatus: 400 });
    expect(v1.errors.get('TemplateDoesNotExist')?.shape.name).toBe('TemplateDoesNotExistException');
    expect(loadModel('pinpoint').errors.get('BadRequestException')?.shape.members?.map((m) => m.name)).toEqual(['Message', 'RequestID']);
  });

  it('carry botocore constraints and the operations errors', () => {
    const v2 = loadModel('sesv2');
    expect([...v2.shapes.get('IdentityType')!.enum!]).toEqual(expect.arrayContaining(['EMAIL_ADDRESS', 'DOMAIN']));
    expect(v2.shapes.get('AdditionalContactEmailAddresses')).toMatchObject({ min: 1, max: 4 });
    expect(v2.operations.get('SendEmail')!.errors).toContain('MessageRejected');
    expect(loadModel('ses').operations.get('SendTemplatedEmail')!.errors).toContain('TemplateDoesNotExistException');
  });

  it('know members and routes newer SES v2 clients use', () => {
    const v2 = loadModel('sesv2');
    expect(v2.shapes.get('Message')!.memberMap!.has('Attachments')).toBe(true);
    expect(v2.shapes.get('Template')!.memberMap!.has('TemplateContent')).toBe(true);
    expect(v2.operations.get('ListEmailIdentities')!.routes.map((r) => `${r.method} ${r.requestUri}`)).toEqual([
      'GET /v2/email/identities',
      'POST /v2/email/list-identities',
    ]);
  });

  for (const service of REST_JSON) {
    it(`route every ${service} operation by its own URI`, () => {
      const model = loadModel(service);
      let routes = 0;
      for (const op of model.operations.values()) {
        for (const route of op.routes) {
          const { path, labels } = fill(route.requestUri);
          const match = matchRestJsonOperation(model, route.method, path);
          expect(match?.operation, `${route.method} ${route.requestUri}`).toBe(op.name);
          expect(match?.labels).toEqual(labels);
          routes++;
        }
      }
      expect(routes).toBeGreaterThanOrEqual(model.operations.size);
    });
  }

  it('prefers a literal segment over a label', () => {
    const pinpoint = loadModel('pinpoint');
    expect(matchRestJsonOperation(pinpoint, 'GET', '/v1/templates/welcome/email')?.operation).toBe('GetEmailTemplate');
    expect(matchRestJsonOperation(pinpoint, 'GET', '/v1/templates/welcome/email/versions')?.operation).toBe('ListTemplateVersions');
    expect(matchRestJsonOperation(pinpoint, 'GET', '/v1/apps/a1/channels/email')?.operation).toBe('GetEmailChannel');
    const v2 = loadModel('sesv2');
    expect(matchRestJsonOperation(v2, 'GET', '/v2/email/deliverability-dashboard/test-reports')?.operation).toBe('ListDeliverabilityTestReports');
  });

  it('does not match empty labels, unknown paths or other methods', () => {
    const v2 = loadModel('sesv2');
    expect(matchRestJsonOperation(v2, 'GET', '/v2/email/identities//policies')).toBeUndefined();
    expect(matchRestJsonOperation(v2, 'GET', '/v2/email/nothing-here')).toBeUndefined();
    expect(matchRestJsonOperation(v2, 'PATCH', '/v2/email/identities/x')).toBeUndefined();
    expect(matchRestJsonOperation(v2, 'GET', '/v2/email/identities/bad%zz')).toBeUndefined();
  });

  it('tolerates a trailing slash', () => {
    const v2 = loadModel('sesv2');
    expect(matchRestJsonOperation(v2, 'GET', '/v2/email/insights/m-1/')?.labels).toEqual({ MessageId: 'm-1' });
    expect(matchRestJsonOperation(v2, 'GET', '/v2/email/identities/')?.operation).toBe('ListEmailIdentities');
  });

  it('generate operation types for handlers', () => {
    expectTypeOf<SesV2Operations['SendEmail']['input']>().toEqualTypeOf<SendEmailRequest>();
    expectTypeOf<SendEmailRequest['Content']>().not.toBeUndefined();
    expectTypeOf<SesOperations['SendEmail']['output']['MessageId']>().toEqualTypeOf<string>();
    expectTypeOf<SesV2Operations['GetEmailIdentity']['output']['VerificationInfo']>().toMatchTypeOf<{ LastCheckedTimestamp?: Date } | undefined>();
    expectTypeOf<PinpointOperations['SendMessages']['input']['MessageRequest']['Addresses']>().toMatchTypeOf<Record<string, unknown> | undefined>();
  });
});
