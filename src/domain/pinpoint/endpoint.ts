// A Pinpoint endpoint: one destination (here: an email address) of an application, optionally tied to
// a user, with attributes that templates can use. UpdateEndpoint creates or updates one: the fields it
// gives replace the stored ones, attribute maps are merged key by key (an empty list removes a key),
// and the endpoint becomes ACTIVE unless the request says otherwise.
import { createHash } from 'node:crypto';
import { parseAddress } from '../addresses.js';
import { invalidParameter } from '../errors.js';
import type { Scope } from '../identities/identity.js';

export interface EndpointProfile {
  attributes: Record<string, string[]>;
  userAttributes: Record<string, string[]>;
  demographic: Record<string, string>;
  location: Record<string, string | number>;
  metrics: Record<string, number>;
  effectiveDate?: string;
  requestId?: string;
}

export interface Endpoint extends Scope {
  applicationId: string;
  id: string;
  channelType: string;
  address: string;
  endpointStatus: string;
  /** `ALL` (opted out of everything) or `NONE`. */
  optOut: string;
  userId?: string;
  profile: EndpointProfile;
  /** 0 to 99, fixed for the endpoint's life; Pinpoint uses it to split audiences. */
  cohortId: string;
  createdAt: number;
  updatedAt: number;
}

/** An EndpointRequest (or an UpdateEndpointsBatch item). */
export interface EndpointUpdate {
  address?: string;
  channelType?: string;
  endpointStatus?: string;
  optOut?: string;
  attributes?: Record<string, string[]>;
  demographic?: Record<string, string | undefined>;
  location?: Record<string, string | number | undefined>;
  metrics?: Record<string, number>;
  effectiveDate?: string;
  requestId?: string;
  user?: { userId?: string; userAttributes?: Record<string, string[]> };
}

const OPT_OUT_VALUES = ['ALL', 'NONE'];
const STATUS_VALUES = ['ACTIVE', 'INACTIVE'];

export const isOptedOut = (endpoint: Endpoint): boolean => endpoint.optOut !== 'NONE';

export function applyEndpointUpdate(
  existing: Endpoint | undefined,
  target: Scope & { applicationId: string; id: string },
  update: EndpointUpdate,
  now: number,
): Endpoint {
  const channelType = update.channelType ?? existing?.channelType;
  const address = update.address ?? existing?.address;
  if (!channelType) throw invalidParameter('Missing ChannelType');
  if (!address) throw invalidParameter('Missing Address');
  if (channelType === 'EMAIL') parseAddress(address);
  const optOut = update.optOut ?? existing?.optOut ?? 'NONE';
  if (!OPT_OUT_VALUES.includes(optOut)) throw invalidParameter(`OptOut must be ALL or NONE, not ${optOut}.`);
  const endpointStatus = update.endpointStatus ?? 'ACTIVE';
  if (!STATUS_VALUES.includes(endpointStatus)) throw invalidParameter(`EndpointStatus must be ACTIVE or INACTIVE, not ${endpointStatus}.`);
  const before = existing?.profile;
  return {
    accountId: target.accountId,
    region: target.region,
    applicationId: target.applicationId,
    id: target.id,
    channelType,
    address,
    endpointStatus,
    optOut,
    userId: update.user?.userId ?? existing?.userId,
    profile: {
      attributes: mergeLists(before?.attributes, update.attributes),
      userAttributes: mergeLists(before?.userAttributes, update.user?.userAttributes),
      demographic: mergeFields(before?.demographic, update.demographic),
      location: mergeFields(before?.location, update.location),
      metrics: mergeFields(before?.metrics, update.metrics),
      effectiveDate: update.effectiveDate ?? new Date(now).toISOString(),
      requestId: update.requestId ?? before?.requestId,
    },
    cohortId: existing?.cohortId ?? cohortOf(target.id),
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
}

// Keys are the caller's: maps without a prototype keep `__proto__` an ordinary key.
function mergeLists(before: Record<string, string[]> = {}, given: Record<string, string[]> = {}): Record<string, string[]> {
  const out: Record<string, string[]> = Object.assign(Object.create(null), before);
  for (const [key, values] of Object.entries(given)) {
    if (values.length === 0) delete out[key];
    else out[key] = values;
  }
  return out;
}

function mergeFields<T extends string | number>(before: Record<string, T> = {}, given: Record<string, T | undefined> = {}): Record<string, T> {
  const out: Record<string, T> = Object.assign(Object.create(null), before);
  for (const [key, value] of Object.entries(given)) if (value !== undefined) out[key] = value;
  return out;
}

function cohortOf(id: string): string {
  return String(createHash('sha256').update(id).digest().readUInt32BE(0) % 100);
}
