// The account and region a resource page shows (identities, suppression and configuration sets
// belong to one account and region, as in SES), chosen among those the store has.
import { get, getSession } from './api.js';
import { h } from './dom.js';

export interface Scope {
  accountId: string;
  region: string;
}

export async function scopePicker(params: URLSearchParams, page: string): Promise<{ scope: Scope; picker: HTMLElement }> {
  const [{ scopes }, session] = await Promise.all([get<{ scopes: Scope[] }>('/scopes'), getSession()]);
  const scope = { accountId: params.get('account') ?? session.defaultScope.accountId, region: params.get('region') ?? session.defaultScope.region };
  if (!scopes.some((s) => s.accountId === scope.accountId && s.region === scope.region)) scopes.unshift(scope);
  const select = h(
    'select',
    {
      'aria-label': 'Account and region',
      onchange: () => {
        const [account, region] = select.value.split('/');
        location.hash = `#/${page}?account=${account}&region=${region}`;
      },
    },
    scopes.map((s) => h('option', { value: `${s.accountId}/${s.region}`, selected: s.accountId === scope.accountId && s.region === scope.region }, `${s.accountId} · ${s.region}`)),
  );
  return { scope, picker: h('label', { class: 'scope' }, 'Account · region ', select) };
}

export const scopeParams = (s: Scope) => ({ account: s.accountId, region: s.region });
