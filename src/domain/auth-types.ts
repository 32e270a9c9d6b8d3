/**
 * Version-neutral authorization vocabulary: what the station knows about an identifier (RFID card,
 * app token …) and the decision taken for it.
 *
 * Statuses are the union of OCPP 1.6 AuthorizationStatus and 2.0.1 AuthorizationStatusEnumType;
 * each protocol adapter maps its own enum onto these and back (1.6 has no NoCredit etc.: those
 * become Invalid there).
 */

export type AuthStatus =
  | 'Accepted'
  | 'Blocked'
  | 'ConcurrentTx'
  | 'Expired'
  | 'Invalid'
  | 'NoCredit'
  | 'NotAllowedTypeEVSE'
  | 'NotAtThisLocation'
  | 'NotAtThisTime'
  | 'Unknown';

export interface AuthInfo {
  status: AuthStatus;
  /** Expiry of this information, ms since the epoch (station clock). */
  expiryMs?: number;
  /** Group the identifier belongs to (1.6 parentIdTag, 2.0.1 groupIdToken). */
  group?: string;
}

/** Where a decision came from. */
export type AuthSource = 'localList' | 'cache' | 'csms' | 'offlineUnknown' | 'offlineRefused';

export interface AuthDecision {
  accepted: boolean;
  info: AuthInfo;
  source: AuthSource;
}
