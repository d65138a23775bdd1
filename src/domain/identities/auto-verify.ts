// Development verification modes (SESD_AUTO_VERIFY). SES itself has one behaviour (`off`): an
// identity is verified by its owner, and only verified identities may send. For local work sesd
// can relax that in two steps:
//   identities  identities are verified as soon as they are created, but a sender that is no
//               identity at all is refused as SES refuses it (the mode other SES emulators use);
//   any         every sender and recipient counts as verified (capture: nothing leaves sesd).
export type AutoVerifyMode = 'off' | 'identities' | 'any';

/** The configured value as a mode: `auto` (capture mode: any, else off), and the older `true`/`false`. */
export function autoVerifyMode(configured: string, capture: boolean): AutoVerifyMode {
  switch (configured) {
    case 'auto':
      return capture ? 'any' : 'off';
    case 'true':
      return 'any';
    case 'false':
      return 'off';
    case 'off':
    case 'identities':
    case 'any':
      return configured;
    default:
      throw new Error(`unknown auto-verify mode ${configured}`);
  }
}

/** Identities are created verified (no verification message, no DNS records needed). */
export const createsVerified = (mode: AutoVerifyMode): boolean => mode !== 'off';

/** No sender needs to be a verified identity, and the sandbox does not restrict recipients. */
export const anySenderVerified = (mode: AutoVerifyMode): boolean => mode === 'any';
