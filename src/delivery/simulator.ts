// The SES mailbox simulator (`<scenario>[+label]@simulator.amazonses.com`), handled in every
// delivery mode as SES does: nothing is sent; the outcome is the one the address names.

export type SimulatorScenario = 'success' | 'bounce' | 'ooto' | 'complaint' | 'suppressionlist';

export const SIMULATOR_DOMAIN = 'simulator.amazonses.com';

const SCENARIOS = new Set<string>(['success', 'bounce', 'ooto', 'complaint', 'suppressionlist']);

/** The scenario of a simulator address; an unknown mailbox there bounces like a missing one. */
export function simulatorScenario(address: string): SimulatorScenario | undefined {
  const at = address.lastIndexOf('@');
  if (address.slice(at + 1).toLowerCase() !== SIMULATOR_DOMAIN) return undefined;
  const local = address.slice(0, at).split('+')[0]!.toLowerCase();
  return SCENARIOS.has(local) ? (local as SimulatorScenario) : 'bounce';
}

export const SIMULATOR_REPLIES: Record<SimulatorScenario, string> = {
  success: '250 2.6.0 Message received',
  ooto: '250 2.6.0 Message received',
  complaint: '250 2.6.0 Message received',
  bounce: '550 5.1.1 user unknown',
  suppressionlist: '550 5.1.1 Recipient address is on the suppression list',
};
