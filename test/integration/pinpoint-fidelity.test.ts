// Pinpoint answers compared with AWS's own: each test names the recorded or documented answer it
// follows. Through the real Pinpoint client over a real socket, on every database.
import {
  CreateAppCommand,
  GetEndpointCommand,
  GetUserEndpointsCommand,
  SendMessagesCommand,
  UpdateEmailChannelCommand,
  UpdateEndpointCommand,
  UpdateEndpointsBatchCommand,
  type PinpointClient,
} from '@aws-sdk/client-pinpoint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { pinpointClient, startSesd } from '../support/sesd.js';

const IDENTITY = 'arn:aws:ses:us-west-2:000000000000:identity/example.com';

describe.each(DIALECTS)('Pinpoint answers as AWS gives them (%s)', (dialect) => {
  let db: TestDatabase;
  let app: RunningApp;
  let pinpoint: PinpointClient;
  let appId: string;

  const getEndpoint = async (EndpointId: string) => (await pinpoint.send(new GetEndpointCommand({ ApplicationId: appId, EndpointId }))).EndpointResponse!;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    app = await startSesd(db);
    pinpoint = pinpointClient(app);
    appId = (await pinpoint.send(new CreateAppCommand({ CreateApplicationRequest: { Name: 'fidelity' } }))).ApplicationResponse!.Id!;
    await pinpoint.send(new UpdateEmailChannelCommand({ ApplicationId: appId, EmailChannelRequest: { FromAddress: 'shop@example.com', Identity: IDENTITY } }));
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  describe('endpoints', () => {
    // The developer guide updates an endpoint without a RequestId and reads it back with one
    // (awsdocs/amazon-pinpoint-developer-guide audience-define-endpoints.md, audience-data-endpoints.md).
    it("keeps the id of the request that last updated an endpoint as its RequestId when the request gives none", async () => {
      const first = await pinpoint.send(new UpdateEndpointCommand({ ApplicationId: appId, EndpointId: 'req-1', EndpointRequest: { ChannelType: 'EMAIL', Address: 'req@example.net' } }));
      const firstId = first.MessageBody!.RequestID!;
      expect(firstId).toEqual(expect.any(String));
      expect((await getEndpoint('req-1')).RequestId).toBe(firstId);

      const second = await pinpoint.send(new UpdateEndpointCommand({ ApplicationId: appId, EndpointId: 'req-1', EndpointRequest: { OptOut: 'ALL' } }));
      expect(second.MessageBody!.RequestID).not.toBe(firstId);
      expect((await getEndpoint('req-1')).RequestId).toBe(second.MessageBody!.RequestID);

      await pinpoint.send(new UpdateEndpointCommand({ ApplicationId: appId, EndpointId: 'req-1', EndpointRequest: { RequestId: 'caller-given' } }));
      expect((await getEndpoint('req-1')).RequestId).toBe('caller-given');
    });

    it('gives each endpoint of an UpdateEndpointsBatch the batch request as its RequestId', async () => {
      const batch = await pinpoint.send(
        new UpdateEndpointsBatchCommand({
          ApplicationId: appId,
          EndpointBatchRequest: { Item: [{ Id: 'batch-1', ChannelType: 'EMAIL', Address: 'b1@example.net', User: { UserId: 'batcher' } }] },
        }),
      );
      const [endpoint] = (await pinpoint.send(new GetUserEndpointsCommand({ ApplicationId: appId, UserId: 'batcher' }))).EndpointsResponse!.Item!;
      expect(endpoint!.RequestId).toBe(batch.MessageBody!.RequestID);
    });

    // aws-cli's get-endpoint example: "Attributes": {} and no Demographic for an endpoint given none;
    // the developer guide's GetEndpoint over HTTP: "User": {} for an endpoint without a user.
    it('answers an endpoint given only a channel and an address with empty Attributes and User and no Demographic', async () => {
      await pinpoint.send(new UpdateEndpointCommand({ ApplicationId: appId, EndpointId: 'bare', EndpointRequest: { ChannelType: 'EMAIL', Address: 'bare@example.net' } }));
      const endpoint = await getEndpoint('bare');
      expect(endpoint).toMatchObject({ Address: 'bare@example.net', ChannelType: 'EMAIL', Attributes: {}, EndpointStatus: 'ACTIVE', OptOut: 'NONE' });
      expect(endpoint.User).toEqual({});
      expect(endpoint).not.toHaveProperty('Demographic');
    });

    it('answers the Demographic and user attributes an endpoint was given', async () => {
      await pinpoint.send(
        new UpdateEndpointCommand({
          ApplicationId: appId,
          EndpointId: 'full',
          EndpointRequest: { ChannelType: 'EMAIL', Address: 'full@example.net', Demographic: { Timezone: 'Europe/Paris' }, User: { UserId: 'u', UserAttributes: { FirstName: ['Ana'] } } },
        }),
      );
      const endpoint = await getEndpoint('full');
      expect(endpoint.Demographic).toEqual({ Timezone: 'Europe/Paris' });
      expect(endpoint.User).toEqual({ UserId: 'u', UserAttributes: { FirstName: ['Ana'] } });
    });
  });

  // aws-cli's send-messages example: a request to endpoints only answers EndpointResult with the
  // endpoint's Address, and no Result.
  it('answers a send to endpoints only with EndpointResult and the endpoint address, without Result', async () => {
    await pinpoint.send(new UpdateEndpointCommand({ ApplicationId: appId, EndpointId: 'to-send', EndpointRequest: { ChannelType: 'EMAIL', Address: 'send@example.net' } }));
    const out = (
      await pinpoint.send(
        new SendMessagesCommand({
          ApplicationId: appId,
          MessageRequest: { Endpoints: { 'to-send': {} }, MessageConfiguration: { EmailMessage: { SimpleEmail: { Subject: { Data: 's' }, TextPart: { Data: 't' } } } } },
        }),
      )
    ).MessageResponse!;
    expect(out).toEqual({
      ApplicationId: appId,
      RequestId: expect.any(String),
      EndpointResult: { 'to-send': { Address: 'send@example.net', DeliveryStatus: 'SUCCESSFUL', StatusCode: 200, MessageId: expect.any(String), StatusMessage: expect.any(String) } },
    });
  });
});
