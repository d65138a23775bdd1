// SES v2 suppression list operations.
import { AwsError } from '../../domain/errors.js';
import { parseAddress, suppressionAddress } from '../../domain/addresses.js';
import type { SuppressionRepository } from '../../store/suppression-repository.js';
import type * as T from '../../protocol/models/types/sesv2.js';
import { typedHandler, type HandlerTable, type RequestContext } from '../context.js';
import { decodeNextToken, encodeNextToken, pageSize } from './paging.js';

const scopeOf = (ctx: RequestContext) => ({ accountId: ctx.accountId, region: ctx.region });
const notSuppressed = (address: string) => new AwsError('NotFoundException', `Email address ${address} does not exist on your suppression list.`, 404);

export function suppressionHandlers(deps: { suppression: SuppressionRepository; now?: () => number }): HandlerTable {
  const now = deps.now ?? Date.now;
  return {
    PutSuppressedDestination: typedHandler(async (ctx, input: T.PutSuppressedDestinationRequest) => {
      const { address } = parseAddress(input.EmailAddress);
      await deps.suppression.put(scopeOf(ctx), { emailAddress: address, reason: input.Reason, lastUpdate: now(), messageId: null, feedbackId: null });
      return {};
    }),

    GetSuppressedDestination: typedHandler(async (ctx, input: T.GetSuppressedDestinationRequest): Promise<T.GetSuppressedDestinationResponse> => {
      const address = suppressionAddress(input.EmailAddress);
      const entry = await deps.suppression.get(scopeOf(ctx), address);
      if (!entry) throw notSuppressed(address);
      return {
        SuppressedDestination: {
          EmailAddress: entry.emailAddress,
          Reason: entry.reason,
          LastUpdateTime: new Date(entry.lastUpdate),
          Attributes: entry.messageId || entry.feedbackId ? { MessageId: entry.messageId ?? undefined, FeedbackId: entry.feedbackId ?? undefined } : undefined,
        },
      };
    }),

    DeleteSuppressedDestination: typedHandler(async (ctx, input: T.DeleteSuppressedDestinationRequest) => {
      const address = suppressionAddress(input.EmailAddress);
      if (!(await deps.suppression.delete(scopeOf(ctx), address))) throw notSuppressed(address);
      return {};
    }),

    ListSuppressedDestinations: typedHandler(async (ctx, input: T.ListSuppressedDestinationsRequest): Promise<T.ListSuppressedDestinationsResponse> => {
      const limit = pageSize(input.PageSize, 1000, 1000);
      const offset = suppressionListOffset(input.NextToken);
      const page = await deps.suppression.list(scopeOf(ctx), {
        reasons: input.Reasons,
        startDate: input.StartDate?.getTime(),
        endDate: input.EndDate?.getTime(),
        offset,
        limit: limit + 1,
      });
      return {
        SuppressedDestinationSummaries: page.slice(0, limit).map((e) => ({ EmailAddress: e.emailAddress, Reason: e.reason, LastUpdateTime: new Date(e.lastUpdate) })),
        NextToken: page.length > limit ? encodeNextToken(offset + limit) : undefined,
      };
    }),
  };
}

/** The one SES v2 operation whose model has InvalidNextTokenException for a token it did not give. */
function suppressionListOffset(token: string | undefined): number {
  try {
    return decodeNextToken<number>(token, 'number') ?? 0;
  } catch {
    throw new AwsError('InvalidNextTokenException', 'The specified request includes an invalid or expired token.', 400);
  }
}
