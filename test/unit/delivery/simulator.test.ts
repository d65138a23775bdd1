import { describe, expect, it } from 'vitest';
import { simulatorScenario } from '../../../src/delivery/simulator.js';

describe('mailbox simulator addresses', () => {
  it.each([
    ['success@simulator.amazonses.com', 'success'],
    ['Bounce+campaign-7@Simulator.AmazonSES.com', 'bounce'],
    ['ooto@simulator.amazonses.com', 'ooto'],
    ['complaint+x@simulator.amazonses.com', 'complaint'],
    ['suppressionlist@simulator.amazonses.com', 'suppressionlist'],
    ['nobody@simulator.amazonses.com', 'bounce'],
    ['success@example.com', undefined],
    ['success@simulator.amazonses.com.example', undefined],
  ])('%s → %s', (address, scenario) => {
    expect(simulatorScenario(address)).toBe(scenario);
  });
});
