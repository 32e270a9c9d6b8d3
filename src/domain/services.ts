/**
 * The domain services of one running station, bundled for the protocol layer and the control
 * socket. Built by src/main.ts; nothing here constructs anything.
 */
import type { AuthService } from './auth.js';
import type { Clock } from './clock.js';
import type { ReservationService } from './reservations.js';
import type { SessionService } from './sessions.js';
import type { Settings } from './settings.js';
import type { StationRuntime } from './station.js';
import type { TransactionManager } from './transactions.js';
import type { SmartChargingService } from './smart-charging/index.js';

export interface StationServices {
  runtime: StationRuntime;
  settings: Settings;
  clock: Clock;
  auth: AuthService;
  transactions: TransactionManager;
  sessions: SessionService;
  reservations: ReservationService;
  smartCharging: SmartChargingService;
}
