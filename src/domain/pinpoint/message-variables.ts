// Message variables: the data a Pinpoint template or message is rendered with. Layers, lowest first:
// the template's DefaultSubstitutions, the message's Substitutions (DefaultMessage, then
// EmailMessage), the endpoint's own data (endpoint and user sends), and the address's or endpoint's
// Substitutions, which take precedence over all other variables. Names may be dotted
// (`User.UserAttributes.FirstName`) and are nested into paths, so `{{User.UserAttributes.FirstName}}`
// finds them. A variable holds a list: it renders as its first value and `#each` walks all of them.
import { pinpointDate } from './app.js';
import type { Endpoint } from './endpoint.js';

export class VariableValues extends Array<string> {
  override toString(): string {
    return this[0] ?? '';
  }
}

export type Variables = { [name: string]: Variables | VariableValues | string | number };

// Variable names come from callers: objects without a prototype keep `__proto__` an ordinary name.
const variables = (): Variables => Object.create(null) as Variables;

const values = (list: readonly string[]): VariableValues => VariableValues.from(list) as VariableValues;

/** A Substitutions map (`{name: [values]}`) or DefaultSubstitutions (`{name: value}`) as nested variables. */
export function substitutionVariables(map: Record<string, readonly string[] | string> | undefined): Variables {
  const out = variables();
  for (const [name, value] of Object.entries(map ?? {})) {
    setPath(out, name.split('.'), values(typeof value === 'string' ? [value] : value));
  }
  return out;
}

/** What an endpoint offers templates: its fields under Pinpoint's names. */
export function endpointVariables(endpoint: Endpoint): Variables {
  const lists = (map: Record<string, string[]>): Variables => Object.fromEntries(Object.entries(map).map(([k, v]) => [k, values(v)]));
  const user: Variables = { UserAttributes: lists(endpoint.profile.userAttributes) };
  if (endpoint.userId !== undefined) user.UserId = endpoint.userId;
  const out: Variables = {
    Id: endpoint.id,
    Address: endpoint.address,
    ChannelType: endpoint.channelType,
    EndpointStatus: endpoint.endpointStatus,
    OptOut: endpoint.optOut,
    CohortId: endpoint.cohortId,
    CreationDate: pinpointDate(endpoint.createdAt),
    Attributes: lists(endpoint.profile.attributes),
    Demographic: { ...endpoint.profile.demographic },
    Location: { ...endpoint.profile.location },
    Metrics: { ...endpoint.profile.metrics },
    User: user,
  };
  if (endpoint.profile.effectiveDate !== undefined) out.EffectiveDate = endpoint.profile.effectiveDate;
  return out;
}

/** Lays the layers over each other, later ones winning; nested objects merge, lists replace. */
export function mergeVariables(...layers: (Variables | undefined)[]): Variables {
  const out = variables();
  for (const layer of layers) if (layer) mergeInto(out, layer);
  return out;
}

const isNested = (v: unknown): v is Variables => v !== null && typeof v === 'object' && !Array.isArray(v);

function mergeInto(target: Variables, source: Variables): void {
  for (const [key, value] of Object.entries(source)) {
    const current = target[key];
    if (isNested(value) && isNested(current)) mergeInto(current, value);
    else target[key] = isNested(value) ? mergeVariables(value) : value;
  }
}

function setPath(target: Variables, path: string[], value: VariableValues): void {
  const [head, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const next = target[head];
  const child = isNested(next) ? next : (target[head] = variables());
  setPath(child, rest, value);
}
