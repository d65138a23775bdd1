// The value each CloudWatch dimension takes for an event record, by DimensionValueSource, as the SES
// Developer Guide describes them ("Set up a CloudWatch event destination for event publishing").
import { describe, expect, it } from 'vitest';
import { eventTypeNames } from '../../../src/events/event-types.js';
import { cloudWatchIncrement, type DimensionConfiguration } from '../../../src/events/metrics.js';

const dest = (dimensions: DimensionConfiguration[]) => ({ configurationSet: 'app', destination: 'metrics', dimensions });
const header = (name: string, value: string) => ({ mail: { headers: [{ name: 'Subject', value: 'Hi' }, { name, value }], tags: {} } });
const TEAM: DimensionConfiguration = { DimensionName: 'X-Team', DimensionValueSource: 'EMAIL_HEADER', DefaultDimensionValue: 'nobody' };

describe('CloudWatch destination increments', () => {
  it('takes an email header value made of letters, digits, _ @ - and . (the header name in any case)', () => {
    const inc = cloudWatchIncrement(eventTypeNames('Send')!, header('x-team', 'growth-1@example.com'), dest([TEAM]));
    expect(inc).toEqual({ name: 'ses_send_total', labels: { configuration_set: 'app', event_destination: 'metrics', X_Team: 'growth-1@example.com' }, value: 1 });
  });

  it('sends no metric for an email header value with any other character: the counter does not move', () => {
    for (const value of ['growth team', 'growth/eu', 'équipe', 'a;b']) {
      expect(cloudWatchIncrement(eventTypeNames('Send')!, header('X-Team', value), dest([TEAM])).value).toBe(0);
    }
  });

  it('takes the default value when the header is absent', () => {
    const inc = cloudWatchIncrement(eventTypeNames('Delivery')!, { mail: { headers: [], tags: {} } }, dest([TEAM]));
    expect(inc).toMatchObject({ name: 'ses_delivery_total', labels: { X_Team: 'nobody' }, value: 1 });
  });

  it('takes link tags from a Click record and the default value for other events', () => {
    const product: DimensionConfiguration = { DimensionName: 'product', DimensionValueSource: 'LINK_TAG', DefaultDimensionValue: 'none' };
    const click = { mail: { tags: {} }, click: { link: 'https://example.com', linkTags: { product: ['book'] } } };
    expect(cloudWatchIncrement(eventTypeNames('Click')!, click, dest([product])).labels.product).toBe('book');
    expect(cloudWatchIncrement(eventTypeNames('Open')!, { mail: { tags: {} }, open: {} }, dest([product])).labels.product).toBe('none');
  });

  it('takes message tags, auto-tags included', () => {
    const set: DimensionConfiguration = { DimensionName: 'ses:configuration-set', DimensionValueSource: 'MESSAGE_TAG', DefaultDimensionValue: 'unknown' };
    const inc = cloudWatchIncrement(eventTypeNames('Send')!, { mail: { tags: { 'ses:configuration-set': ['app'] } } }, dest([set]));
    expect(inc).toMatchObject({ labels: { ses_configuration_set: 'app' }, value: 1 });
  });
});
