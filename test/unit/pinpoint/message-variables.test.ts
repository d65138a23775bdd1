import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../../src/domain/pinpoint/email-content.js';
import { applyEndpointUpdate } from '../../../src/domain/pinpoint/endpoint.js';
import { endpointVariables, mergeVariables, substitutionVariables } from '../../../src/domain/pinpoint/message-variables.js';

const textOf = async (template: string, ...layers: Parameters<typeof mergeVariables>) =>
  (await renderEmail({ simple: { text: template, headers: [] } }, {}, mergeVariables(...layers))).text;

describe('Pinpoint message variables', () => {
  it('nests dotted names into paths that Handlebars finds', async () => {
    expect(await textOf('{{User.UserAttributes.FirstName}} / {{Plan}}', substitutionVariables({ 'User.UserAttributes.FirstName': ['Ana'], Plan: ['pro'] }))).toBe('Ana / pro');
  });

  it('renders the first value of a list and iterates all of them with #each', async () => {
    const vars = substitutionVariables({ Colors: ['red', 'blue'] });
    expect(await textOf('{{Colors}}: {{#each Colors}}{{@index}}={{this}} {{/each}}', vars)).toBe('red: 0=red 1=blue ');
  });

  it('lets later layers win, merging nested objects and replacing lists', async () => {
    const defaults = substitutionVariables({ 'User.UserAttributes.FirstName': 'friend', 'User.UserAttributes.City': 'Lisbon' });
    const perAddress = substitutionVariables({ 'User.UserAttributes.FirstName': ['Bo'] });
    expect(await textOf('{{User.UserAttributes.FirstName}} in {{User.UserAttributes.City}}', defaults, perAddress)).toBe('Bo in Lisbon');
  });

  it('offers an endpoint under Pinpoint names: Address, Attributes, User.UserAttributes, Demographic', async () => {
    const endpoint = applyEndpointUpdate(
      undefined,
      { accountId: '000000000000', region: 'us-east-1', applicationId: 'app', id: 'ep1' },
      { channelType: 'EMAIL', address: 'a@example.com', attributes: { Tier: ['gold'] }, demographic: { Locale: 'en_US' }, user: { userId: 'u1', userAttributes: { Name: ['Al'] } } },
      0,
    );
    expect(await textOf('{{Id}} {{Address}} {{Attributes.Tier}} {{User.UserId}} {{User.UserAttributes.Name}} {{Demographic.Locale}}', endpointVariables(endpoint))).toBe(
      'ep1 a@example.com gold u1 Al en_US',
    );
  });

  it('renders a variable without a value as nothing and does not escape HTML', async () => {
    expect(await textOf('[{{Missing}}] {{Html}}', substitutionVariables({ Html: ['<b>&</b>'] }))).toBe('[] <b>&</b>');
  });
});

describe('renderEmail', () => {
  const template = { subject: 'T {{x}}', text: 'template text', html: '<p>template</p>', headers: [{ name: 'X-From-Template', value: '{{x}}' }] };

  it('takes each part from the override, the simple message, the template, then the plain Body', async () => {
    const vars = substitutionVariables({ x: ['1'] });
    expect(await renderEmail({ template, body: 'body' }, {}, vars)).toEqual({ subject: 'T 1', text: 'template text', html: '<p>template</p>', headers: [{ name: 'X-From-Template', value: '1' }] });
    expect(await renderEmail({ simple: { subject: 'S', headers: [] }, template }, { bodyOverride: 'B {{x}}' }, vars)).toMatchObject({ subject: 'S', text: 'B 1', html: '<p>template</p>' });
    expect(await renderEmail({ body: 'plain' }, { titleOverride: 'Title' }, vars)).toEqual({ subject: 'Title', text: 'plain', html: undefined, headers: [] });
  });

  it('raises a BadRequestException for a part that is not valid Handlebars', async () => {
    await expect(renderEmail({ simple: { text: '{{#if x}}open', headers: [] } }, {}, {})).rejects.toThrow(expect.objectContaining({ code: 'BadRequestException' }));
  });
});

describe('variable names from callers', () => {
  it('treat __proto__ as an ordinary name and never touch Object.prototype', async () => {
    const vars = mergeVariables(substitutionVariables({ '__proto__.polluted': ['yes'], 'constructor.prototype.polluted': ['yes'] }));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await textOf('{{__proto__.polluted}}', vars)).toBe('yes');
  });
});
