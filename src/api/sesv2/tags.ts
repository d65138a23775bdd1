// SES v2 resource tag operations: wire shapes ↔ TagsService.
import { normaliseIdentity } from '../../domain/identities/identity.js';
import { TagsService } from '../../domain/tags/tags-service.js';
import type * as T from '../../protocol/models/types/sesv2.js';
import type { Store } from '../../store/store.js';
import { typedHandler, type HandlerTable, type RequestContext } from '../context.js';

const scopeOf = (ctx: RequestContext) => ({ accountId: ctx.accountId, region: ctx.region });

type TaggedStores = 'tags' | 'templates' | 'customVerificationTemplates' | 'configurationSets' | 'contacts' | 'identities';

export function tagHandlers(store: Pick<Store, TaggedStores>): HandlerTable {
  const tags = new TagsService({
    tags: store.tags,
    resources: {
      'configuration-set': (scope, name) => store.configurationSets.exists(scope, name),
      'contact-list': (scope, name) => store.contacts.listExists(scope, name),
      'custom-verification-email-template': (scope, name) => store.customVerificationTemplates.exists(scope, name),
      template: (scope, name) => store.templates.exists(scope, name),
      identity: async (scope, name) => (await store.identities.get(scope, normaliseIdentity(name).identity)) !== undefined,
    },
  });
  return {
    TagResource: typedHandler(async (ctx, input: T.TagResourceRequest) => {
      await tags.tag(scopeOf(ctx), input.ResourceArn, input.Tags);
      return {};
    }),

    UntagResource: typedHandler(async (ctx, input: T.UntagResourceRequest) => {
      await tags.untag(scopeOf(ctx), input.ResourceArn, input.TagKeys);
      return {};
    }),

    ListTagsForResource: typedHandler(async (ctx, input: T.ListTagsForResourceRequest): Promise<T.ListTagsForResourceResponse> => ({
      Tags: await tags.list(scopeOf(ctx), input.ResourceArn),
    })),
  };
}
