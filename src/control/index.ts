/**
 * Every command of the control socket, assembled from the command modules (what `evsectl` can
 * ask). src/main.ts passes the running parts in; nothing here constructs them.
 */
import type { Logger } from 'pino';
import type { SimControls } from '../../hal/sim/index.js';
import type { Config } from '../config/types.js';
import type { StationServices } from '../domain/services.js';
import { bootRequestFor, checkCsms } from '../ocpp/diagnose.js';
import type { OcppSession } from '../ocpp/session.js';
import type { DeviceModel } from '../ocpp/v201/device-model/index.js';
import type { QueueStore } from '../store/queue.js';
import type { TransactionStore } from '../store/transactions.js';
import { buildStatus, coreCommands } from './commands.js';
import { configCommands } from './config-commands.js';
import { diagnosticsCommands } from './diagnostics-commands.js';
import type { HardwareInfo } from './hardware-info.js';
import { hardwareCommands, limitCommands } from './hardware-commands.js';
import type { ControlCommand } from './server.js';

export interface ControlDeps {
  config: Config;
  services: StationServices;
  session: OcppSession;
  sim: SimControls | null;
  stores: { queue: QueueStore; transactions: TransactionStore };
  deviceModel: DeviceModel;
  recentLogs(): string[];
  /** What the hardware driver talks to (`hw info`). */
  hardware(): HardwareInfo;
  /** The basic-auth password in use (for `csms check`). */
  password(): string | undefined;
  logger: Logger;
}

export function buildControlCommands(d: ControlDeps): Record<string, ControlCommand> {
  const statusDeps = {
    config: d.config,
    services: d.services,
    session: d.session,
    sim: d.sim,
    queueDepth: () => d.stores.queue.depth(),
    transactionOf: (connector: number) => {
      const tx = d.services.transactions.active(connector);
      return tx ? (tx.csmsId ?? tx.id) : null;
    },
  };
  return {
    ...coreCommands(statusDeps),
    ...configCommands(d.services.settings, d.deviceModel, d.logger),
    ...hardwareCommands(d.services, d.logger),
    'hw.info': { handler: () => d.hardware() },
    ...limitCommands(d.services, (connector, amps) => d.session.localLimitChanged(connector, amps), d.logger),
    ...diagnosticsCommands({
      config: d.config,
      queue: d.stores.queue,
      transactions: d.stores.transactions,
      trace: (n) => d.session.trace(n),
      recentLogs: d.recentLogs,
      status: () => buildStatus(statusDeps),
      hardware: () => d.hardware(),
      now: () => d.services.clock.now(),
    }),
    'csms.check': {
      handler: () => {
        const view = d.services.runtime.view();
        const protocol = d.session.protocol;
        const password = d.password();
        return checkCsms({
          url: d.config.csms.url,
          identity: d.config.identity,
          protocols: d.config.csms.protocols,
          securityProfile: d.config.csms.securityProfile,
          ...(password ? { password } : {}),
          ...(d.config.csms.ca ? { ca: d.config.csms.ca } : {}),
          bootPayload: (p) => bootRequestFor(p, d.config.station),
          live: protocol ? { protocol, registration: view.registration } : null,
        });
      },
    },
  };
}
