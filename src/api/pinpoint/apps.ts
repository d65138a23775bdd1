// CreateApp, GetApp, GetApps, DeleteApp, GetApplicationSettings and UpdateApplicationSettings.
import { appArn, pinpointDate, type PinpointApp } from '../../domain/pinpoint/app.js';
import type { AppCursor, PinpointAppsService } from '../../domain/pinpoint/apps-service.js';
import { invalidParameter } from '../../domain/errors.js';
import type * as T from '../../protocol/models/types/pinpoint.js';
import { typedHandler, type HandlerTable, type RequestContext } from '../context.js';
import { decodeNextToken, encodeNextToken, pinpointPageSize } from './paging.js';

export const scopeOf = (ctx: RequestContext) => ({ accountId: ctx.accountId, region: ctx.region });

export function appHandlers(apps: PinpointAppsService): HandlerTable {
  return {
    CreateApp: typedHandler(async (ctx, input: T.CreateAppRequest): Promise<T.CreateAppResponse> => {
      const req = input.CreateApplicationRequest;
      return { ApplicationResponse: appResponse(await apps.create(scopeOf(ctx), req.Name, req.tags)) };
    }),

    GetApp: typedHandler(async (ctx, input: T.GetAppRequest): Promise<T.GetAppResponse> => ({
      ApplicationResponse: appResponse(await apps.get(scopeOf(ctx), input.ApplicationId)),
    })),

    GetApps: typedHandler(async (ctx, input: T.GetAppsRequest): Promise<T.GetAppsResponse> => {
      const limit = pinpointPageSize(input.PageSize, 100, 100);
      const page = await apps.list(scopeOf(ctx), { after: appCursor(input.Token), limit: limit + 1 });
      const shown = page.slice(0, limit);
      const last = shown.at(-1);
      return {
        ApplicationsResponse: {
          Item: shown.map(appResponse),
          NextToken: page.length > limit && last ? encodeNextToken(`${last.createdAt}:${last.id}`) : undefined,
        },
      };
    }),

    DeleteApp: typedHandler(async (ctx, input: T.DeleteAppRequest): Promise<T.DeleteAppResponse> => ({
      ApplicationResponse: appResponse(await apps.delete(scopeOf(ctx), input.ApplicationId)),
    })),

    GetApplicationSettings: typedHandler(async (ctx, input: T.GetApplicationSettingsRequest): Promise<T.GetApplicationSettingsResponse> => {
      const { settings, updatedAt } = await apps.settings(scopeOf(ctx), input.ApplicationId);
      return { ApplicationSettingsResource: { ...settings, ApplicationId: input.ApplicationId, LastModifiedDate: pinpointDate(updatedAt) } };
    }),

    UpdateApplicationSettings: typedHandler(async (ctx, input: T.UpdateApplicationSettingsRequest): Promise<T.UpdateApplicationSettingsResponse> => {
      const { settings, updatedAt } = await apps.updateSettings(scopeOf(ctx), input.ApplicationId, { ...input.WriteApplicationSettingsRequest });
      return { ApplicationSettingsResource: { ...settings, ApplicationId: input.ApplicationId, LastModifiedDate: pinpointDate(updatedAt) } };
    }),
  };
}

function appResponse(app: PinpointApp): T.ApplicationResponse {
  return { Arn: appArn(app, app.id), Id: app.id, Name: app.name, tags: app.tags, CreationDate: pinpointDate(app.createdAt) };
}

function appCursor(token: string | undefined): AppCursor | undefined {
  const position = decodeNextToken<string>(token, 'string');
  if (position === undefined) return undefined;
  const colon = position.indexOf(':');
  const createdAt = Number(position.slice(0, colon));
  if (colon < 0 || !Number.isSafeInteger(createdAt)) throw invalidParameter('Invalid NextToken.');
  return { createdAt, id: position.slice(colon + 1) };
}
