// Whether a send is tracked, and the tracking URLs of one recipient's copy. SES tracks opens when the
// send's configuration set has an enabled event destination matching OPEN, and clicks when one
// matches CLICK. The links point at SESD_PUBLIC_URL, or at the set's CustomRedirectDomain (a
// verified domain the operator points at sesd), with the scheme its HttpsPolicy asks for.
import type { TrackingOptions } from '../domain/configuration-sets/configuration-set.js';
import type { Scope } from '../domain/identities/identity.js';
import type { ConfigurationSetsRepository } from '../store/configuration-sets-repository.js';
import { rewriteHtml } from './html-rewriter.js';
import { signTrackingToken } from './tracking-token.js';

export const OPEN_PATH = '/_sesd/track/open/';
export const CLICK_PATH = '/_sesd/track/click/';

export interface TrackingDeps {
  configurationSets: Pick<ConfigurationSetsRepository, 'get' | 'eventDestinations'>;
  /** The link-signing secret (TrackingRepository.secret). */
  secret: () => Promise<string>;
  /** Where recipients reach sesd (SESD_PUBLIC_URL, else the HTTP listener). */
  baseUrl: () => string;
}

/**
 * How one message is tracked: plain data (it goes to the tracking thread with a large message's
 * HTML, see tracked-copies.ts), applied to each recipient's copy by trackHtml.
 */
export interface TrackingPlan {
  open: boolean;
  click: boolean;
  /** The link-signing secret. */
  secret: string;
  options: TrackingOptions | undefined;
  publicUrl: string;
}

export async function trackingFor(scope: Scope, setName: string | undefined, deps: TrackingDeps): Promise<TrackingPlan | undefined> {
  if (!setName) return undefined;
  const destinations = (await deps.configurationSets.eventDestinations(scope, setName)).filter((d) => d.Enabled);
  const open = destinations.some((d) => d.MatchingEventTypes.includes('OPEN'));
  const click = destinations.some((d) => d.MatchingEventTypes.includes('CLICK'));
  if (!open && !click) return undefined;
  const options = (await deps.configurationSets.get(scope, setName))?.options.TrackingOptions;
  return { open, click, secret: await deps.secret(), options, publicUrl: deps.baseUrl() };
}

/** The HTML of `recipient`'s copy with their tracking links and open image. */
export function trackHtml(plan: TrackingPlan, html: string, messageId: string, recipient: string): string {
  const { secret } = plan;
  const base = trackingBase(plan.options, plan.publicUrl);
  return rewriteHtml(html, {
    openUrl: plan.open ? `${base('open')}${OPEN_PATH}${signTrackingToken({ kind: 'open', messageId, recipient }, secret)}` : undefined,
    clickUrl: plan.click
      ? (index, link) => `${base('click', link.url)}${CLICK_PATH}${signTrackingToken({ kind: 'click', messageId, recipient, index, link: link.url, linkTags: link.tags }, secret)}`
      : undefined,
  });
}

/**
 * The origin of tracking URLs. With a custom redirect domain, HttpsPolicy decides the scheme:
 * REQUIRE makes both HTTPS, REQUIRE_OPEN_ONLY the open image only, OPTIONAL (the default) keeps the
 * original link's scheme for clicks and uses HTTP for the image.
 */
export function trackingBase(options: TrackingOptions | undefined, publicUrl: string): (kind: 'open' | 'click', link?: string) => string {
  const domain = options?.CustomRedirectDomain;
  if (!domain) return () => publicUrl.replace(/\/+$/, '');
  const policy = options.HttpsPolicy ?? 'OPTIONAL';
  return (kind, link) => {
    const https = policy === 'REQUIRE' || (kind === 'open' ? policy === 'REQUIRE_OPEN_ONLY' : /^\s*https:/i.test(link ?? ''));
    return `${https ? 'https' : 'http'}://${domain.toLowerCase()}`;
  };
}
