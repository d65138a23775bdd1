// UpdateEndpoint, UpdateEndpointsBatch, GetEndpoint, DeleteEndpoint, GetUserEndpoints and
// DeleteUserEndpoints.
import { pinpointDate } from '../../domain/pinpoint/app.js';
import type { Endpoint, EndpointUpdate } from '../../domain/pinpoint/endpoint.js';
import type { EndpointsService } from '../../domain/pinpoint/endpoints-service.js';
import type * as T from '../../protocol/models/types/pinpoint.js';
import { typedHandler, type HandlerTable } from '../context.js';
import { scopeOf } from './apps.js';

export function endpointHandlers(endpoints: EndpointsService): HandlerTable {
  return {
    UpdateEndpoint: typedHandler(async (ctx, input: T.UpdateEndpointRequest): Promise<T.UpdateEndpointResponse> => {
      await endpoints.update(scopeOf(ctx), input.ApplicationId, input.EndpointId, toUpdate(input.EndpointRequest, ctx.requestId));
      return { MessageBody: { Message: 'Accepted', RequestID: ctx.requestId } };
    }),

    UpdateEndpointsBatch: typedHandler(async (ctx, input: T.UpdateEndpointsBatchRequest): Promise<T.UpdateEndpointsBatchResponse> => {
      await endpoints.updateBatch(
        scopeOf(ctx),
        input.ApplicationId,
        input.EndpointBatchRequest.Item.map((item) => ({ ...toUpdate(item, ctx.requestId), id: item.Id })),
      );
      return { MessageBody: { Message: 'Accepted', RequestID: ctx.requestId } };
    }),

    GetEndpoint: typedHandler(async (ctx, input: T.GetEndpointRequest): Promise<T.GetEndpointResponse> => ({
      EndpointResponse: endpointResponse(await endpoints.get(scopeOf(ctx), input.ApplicationId, input.EndpointId)),
    })),

    DeleteEndpoint: typedHandler(async (ctx, input: T.DeleteEndpointRequest): Promise<T.DeleteEndpointResponse> => ({
      EndpointResponse: endpointResponse(await endpoints.delete(scopeOf(ctx), input.ApplicationId, input.EndpointId)),
    })),

    GetUserEndpoints: typedHandler(async (ctx, input: T.GetUserEndpointsRequest): Promise<T.GetUserEndpointsResponse> => ({
      EndpointsResponse: { Item: (await endpoints.ofUser(scopeOf(ctx), input.ApplicationId, input.UserId)).map(endpointResponse) },
    })),

    DeleteUserEndpoints: typedHandler(async (ctx, input: T.DeleteUserEndpointsRequest): Promise<T.DeleteUserEndpointsResponse> => ({
      EndpointsResponse: { Item: (await endpoints.deleteUser(scopeOf(ctx), input.ApplicationId, input.UserId)).map(endpointResponse) },
    })),
  };
}

/**
 * The endpoint keeps the id of the request that last updated it as its RequestId, unless the request
 * names one: Pinpoint's developer guide updates an endpoint without a RequestId and then reads it back
 * with one (awsdocs/amazon-pinpoint-developer-guide, audience-define-endpoints.md and
 * audience-data-endpoints.md; aws-cli's get-endpoint example has one too).
 */
function toUpdate(req: T.EndpointRequest, updatingRequestId: string): EndpointUpdate {
  return {
    address: req.Address,
    channelType: req.ChannelType,
    endpointStatus: req.EndpointStatus,
    optOut: req.OptOut,
    attributes: req.Attributes,
    demographic: req.Demographic ? { ...req.Demographic } : undefined,
    location: req.Location ? { ...req.Location } : undefined,
    metrics: req.Metrics,
    effectiveDate: req.EffectiveDate,
    requestId: req.RequestId ?? updatingRequestId,
    user: req.User && { userId: req.User.UserId, userAttributes: req.User.UserAttributes },
  };
}

/**
 * As Pinpoint answers an endpoint: Attributes always, `{}` when there are none (aws-cli's get-endpoint
 * example); no Demographic when none was given (the same example); User always, `{}` for an endpoint
 * without a user (the developer guide's GetEndpoint over HTTP, audience-data-endpoints.md).
 */
function endpointResponse(e: Endpoint): T.EndpointResponse {
  const p = e.profile;
  return {
    Address: e.address,
    ApplicationId: e.applicationId,
    Attributes: p.attributes,
    ChannelType: e.channelType as T.ChannelType,
    CohortId: e.cohortId,
    CreationDate: pinpointDate(e.createdAt),
    Demographic: unlessEmpty(p.demographic),
    EffectiveDate: p.effectiveDate,
    EndpointStatus: e.endpointStatus,
    Id: e.id,
    Location: p.location as T.EndpointLocation,
    Metrics: p.metrics,
    OptOut: e.optOut,
    RequestId: p.requestId,
    User: { UserId: e.userId, UserAttributes: unlessEmpty(p.userAttributes) },
  };
}

const unlessEmpty = <V extends object>(map: V): V | undefined => (Object.keys(map).length > 0 ? map : undefined);
