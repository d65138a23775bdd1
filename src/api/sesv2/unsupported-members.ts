// Members of SES v2 requests that ask for a feature sesd does not have. Taking the request as if
// they were absent would do something else than asked (a tenant's suppression list is not the
// account's, a send through a tenant is not one through the account), so the request is refused,
// naming the feature. Members that only turn such a feature off (a validation threshold DISABLED)
// ask for what sesd does anyway and pass.
import { unsupportedFeature } from '../../domain/errors.js';
import type { Handler, HandlerTable } from '../context.js';

const FEATURES: Record<string, string> = {
  TenantName: 'tenants',
  SuppressionScope: 'suppression scopes',
  ValidationAttributes: 'automatic email address validation',
  ValidationOptions: 'automatic email address validation',
};

/** The handlers, each refusing a request that names a feature sesd does not have. */
export function refusingUnsupportedMembers(handlers: HandlerTable): HandlerTable {
  return Object.fromEntries(Object.entries(handlers).map(([operation, handler]) => [operation, refusing(handler)]));
}

function refusing(handler: Handler): Handler {
  return (ctx, input) => {
    checkMembers(input);
    // CreateConfigurationSet carries the suppression members one level down.
    if (isObject(input.SuppressionOptions)) checkMembers(input.SuppressionOptions);
    return handler(ctx, input);
  };
}

function checkMembers(members: Record<string, unknown>): void {
  for (const name of Object.keys(members)) {
    const feature = FEATURES[name];
    if (feature && members[name] !== undefined && !turnsOff(members[name])) {
      throw unsupportedFeature(feature, name);
    }
  }
}

/** {ConditionThreshold: {ConditionThresholdEnabled: 'DISABLED'}}: validation asked to stay off. */
function turnsOff(value: unknown): boolean {
  return isObject(value) && isObject(value.ConditionThreshold) && value.ConditionThreshold.ConditionThresholdEnabled === 'DISABLED';
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
