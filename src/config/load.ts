/**
 * Loading the configuration file: parse, validate against config.schema.json (compiled ahead of
 * time into generated/validate-config.ts), cross-check what a schema cannot, fill defaults.
 *
 * Every problem becomes one ConfigError whose message is a single line naming the key and the
 * problem (`csms.protocols[1]: must be one of ocpp2.0.1, ocpp1.6`); evsed prints it and exits 2.
 * Must not: open ports, sockets or databases.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import validateConfig from './generated/validate-config.js';
import type { SerialHardwareConfig } from '../../hal/serial/index.js';
import type { ConnectorInfo } from '../../hal/types.js';
import type { CanHardwareConfig, Config, ConnectorConfig, NoSection } from './types.js';
import { EVSED_VERSION } from '../version.js';

export class ConfigError extends Error {
  readonly code = 'EVSED_CONFIG';
  /** The key the problem is about, in dotted form (`csms.url`), or '' for the whole file. */
  readonly key: string;
  constructor(key: string, problem: string) {
    super(key ? `${key}: ${problem}` : problem);
    this.name = 'ConfigError';
    this.key = key;
  }
}

interface AjvErrorLike {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** `/csms/protocols/0` → `csms.protocols[0]` */
function dotted(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out ? `.${part}` : part;
  }
  return out;
}

function join(parent: string, child: string): string {
  return parent ? `${parent}.${child}` : child;
}

/** One readable line for the most useful of ajv's errors. */
export function describeSchemaError(errors: readonly AjvErrorLike[]): ConfigError {
  // Prefer the errors that say the most: unknown keys, then missing keys, then the rest.
  const rank = (e: AjvErrorLike) =>
    e.keyword === 'additionalProperties' ? 0 : e.keyword === 'required' ? 1 : e.keyword === 'type' ? 2 : 3;
  const first = [...errors].sort((a, b) => rank(a) - rank(b))[0];
  if (!first) return new ConfigError('', 'invalid configuration');
  const at = dotted(first.instancePath);
  const p = first.params;
  switch (first.keyword) {
    case 'additionalProperties':
      return new ConfigError(join(at, String(p.additionalProperty)), 'unknown key');
    case 'required':
      return new ConfigError(join(at, String(p.missingProperty)), 'is required');
    case 'type':
      return new ConfigError(at || '(file)', `must be ${String(p.type).replace(/,/g, ' or ')}`);
    case 'enum':
      return new ConfigError(at, `must be one of ${(p.allowedValues as unknown[]).map(String).join(', ')}`);
    case 'pattern':
      if (at === 'csms.url') return new ConfigError(at, 'must be a ws:// or wss:// URL');
      if (at === 'identity') return new ConfigError(at, "must not contain ':'");
      if (at.endsWith('.port')) return new ConfigError(at, 'must be an absolute device path');
      if (at === 'hardware.can.interface') return new ConfigError(at, 'must be a network interface name (1 to 15 characters, no / or space)');
      return new ConfigError(at, `must match ${String(p.pattern)}`);
    default:
      return new ConfigError(at, first.message ?? `fails ${first.keyword}`);
  }
}

function connectorDefaults(c: Partial<ConnectorConfig> & { id: number }): ConnectorConfig {
  return {
    id: c.id,
    type: c.type ?? 'cType2',
    maxCurrentA: c.maxCurrentA ?? 32,
    phases: c.phases ?? 3,
    nominalVoltageV: c.nominalVoltageV ?? 230,
    hasLock: c.hasLock ?? false,
    hasRcdTest: c.hasRcdTest ?? true,
  };
}

/** Validate an already-parsed object and fill defaults. `baseDir` resolves relative paths. */
export function parseConfig(raw: unknown, baseDir = process.cwd()): Config {
  if (!validateConfig(raw)) {
    throw describeSchemaError((validateConfig.errors ?? []) as AjvErrorLike[]);
  }
  const input = raw as Record<string, any>;
  const evses = (input.evses ?? [{ id: 1, connectors: [{ id: 1 }] }]) as Array<{ id: number; connectors: any[] }>;
  const seenEvse = new Set<number>();
  evses.forEach((evse, i) => {
    if (seenEvse.has(evse.id)) throw new ConfigError(`evses[${i}].id`, `duplicate EVSE id ${evse.id}`);
    seenEvse.add(evse.id);
    const seen = new Set<number>();
    evse.connectors.forEach((c, j) => {
      if (seen.has(c.id)) throw new ConfigError(`evses[${i}].connectors[${j}].id`, `duplicate connector id ${c.id}`);
      seen.add(c.id);
    });
  });
  const securityProfile = input.csms.securityProfile ?? 0;
  if (securityProfile >= 1 && securityProfile <= 2 && !input.csms.password) {
    throw new ConfigError('csms.password', `is required for security profile ${securityProfile}`);
  }
  if (securityProfile >= 2 && !String(input.csms.url).startsWith('wss://')) {
    throw new ConfigError('csms.url', `must be wss:// for security profile ${securityProfile}`);
  }
  if (securityProfile >= 2) {
    throw new ConfigError('csms.securityProfile', 'profiles 2 and 3 (TLS) are not supported yet; use 0 or 1');
  }
  const dataDir = path.resolve(baseDir, input.dataDir ?? './var');
  let ca: string | undefined;
  const caFile = input.csms.caFile ? path.resolve(baseDir, input.csms.caFile) : undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (err) {
      throw new ConfigError('csms.caFile', `cannot read ${caFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError('csms.caFile', `${caFile} holds no PEM certificate`);
  }
  return {
    identity: input.identity,
    csms: {
      url: input.csms.url,
      protocols: input.csms.protocols ?? ['ocpp2.0.1', 'ocpp1.6'],
      securityProfile,
      ...(input.csms.password ? { password: input.csms.password } : {}),
      ...(caFile ? { caFile, ca } : {}),
    },
    dataDir,
    controlSocket: path.resolve(baseDir, input.controlSocket ?? path.join(dataDir, 'evsed.sock')),
    hardware: {
      driver: input.hardware?.driver ?? 'sim',
      sim: { timeScale: input.hardware?.sim?.timeScale ?? 1, tickMs: input.hardware?.sim?.tickMs ?? 200 },
      serial: serialSection(input, evses),
      can: canSection(input, baseDir),
    },
    evses: evses
      .map((e) => ({ id: e.id, connectors: e.connectors.map(connectorDefaults).sort((a, b) => a.id - b.id) }))
      .sort((a, b) => a.id - b.id),
    station: {
      vendor: input.station?.vendor ?? 'evsed',
      model: input.station?.model ?? 'evsed-sim',
      ...(input.station?.serialNumber ? { serialNumber: input.station.serialNumber } : {}),
      firmwareVersion: input.station?.firmwareVersion ?? EVSED_VERSION,
    },
    settings: input.settings ?? {},
    log: { level: input.log?.level ?? 'info', journal: input.log?.journal ?? 'auto' },
  };
}

/**
 * A driver's RangeError (`hardware.serial.connectors[0].meter.unitId: must be …`, or
 * `can option heartbeatTimeoutMs must be …`) as the ConfigError naming the same key.
 */
export function driverConfigError(driver: 'serial' | 'can', err: unknown): ConfigError | null {
  if (!(err instanceof RangeError)) return null;
  const message = err.message;
  if (driver === 'serial') {
    const m = /^(hardware\.serial[^\s:]*): (.*)$/s.exec(message);
    return m ? new ConfigError(m[1]!, m[2]!) : new ConfigError('hardware.serial', message);
  }
  const m = /^can option ([^\s:]+):? (.*)$/s.exec(message);
  if (!m) return new ConfigError('hardware.can', message);
  // Problems with a connector's description come from `evses`.
  if (m[1]!.startsWith('connectors')) return new ConfigError('evses', `${m[1]}: ${m[2]}`);
  return new ConfigError(`hardware.can.${m[1]}`, m[2]!);
}

type RawEvse = { id: number; connectors: Array<{ id: number; hasLock?: boolean }> };

/**
 * `hardware.serial` as the file has it (the schema checked keys, types and ranges; the driver
 * fills its defaults and cross-checks ports, buses and unit ids when the board is built). When it
 * is the driver in use, checked against `evses` here: one entry per connector, no lock (RAPI
 * drives none).
 */
function serialSection(input: Record<string, any>, evses: RawEvse[]): SerialHardwareConfig | NoSection {
  const section = input.hardware?.serial as SerialHardwareConfig | undefined;
  const inUse = input.hardware?.driver === 'serial';
  if (section === undefined) {
    if (inUse) throw new ConfigError('hardware.serial', 'is required with hardware.driver serial');
    return {};
  }
  if (!inUse) return section;
  // Flat connector ids, numbered as connectorInfos() numbers them.
  const flat: { id: number; where: string; hasLock: boolean }[] = [];
  for (const evse of [...evses].sort((a, b) => a.id - b.id)) {
    for (const c of [...evse.connectors].sort((a, b) => a.id - b.id)) {
      const where = `evses[${evses.indexOf(evse)}].connectors[${evse.connectors.indexOf(c)}]`;
      flat.push({ id: flat.length + 1, where, hasLock: c.hasLock ?? false });
    }
  }
  section.connectors.forEach((c, i) => {
    if (!flat.some((f) => f.id === c.connector)) {
      throw new ConfigError(`hardware.serial.connectors[${i}].connector`, `no connector ${c.connector} (evses has ${flat.length})`);
    }
  });
  for (const f of flat) {
    if (!section.connectors.some((c) => c.connector === f.id)) throw new ConfigError('hardware.serial.connectors', `no entry for connector ${f.id}`);
    if (f.hasLock) throw new ConfigError(`${f.where}.hasLock`, 'must be false with hardware.driver serial (a RAPI controller drives no lock)');
  }
  return section;
}

/** `hardware.can` as the file has it, kcdPath resolved against the file's folder and readable. */
function canSection(input: Record<string, any>, baseDir: string): CanHardwareConfig | NoSection {
  const section = input.hardware?.can as CanHardwareConfig | undefined;
  if (section === undefined) {
    if (input.hardware?.driver === 'can') throw new ConfigError('hardware.can', 'is required with hardware.driver can');
    return {};
  }
  if (section.kcdPath === undefined) return section;
  const kcdPath = path.resolve(baseDir, section.kcdPath);
  try {
    readFileSync(kcdPath, 'utf8');
  } catch (err) {
    throw new ConfigError('hardware.can.kcdPath', `cannot read ${kcdPath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return { ...section, kcdPath };
}

/** Read, parse and validate a configuration file. Relative paths resolve against its folder. */
export function loadConfig(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseConfig(raw, path.dirname(path.resolve(file)));
}

/** Connector descriptions for the HAL, numbered flat in configuration order. */
export function connectorInfos(config: Config): ConnectorInfo[] {
  let id = 0;
  return config.evses.flatMap((evse) =>
    evse.connectors.map((c) => ({
      id: ++id,
      evseId: evse.id,
      connectorId: c.id,
      type: c.type,
      maxCurrentA: c.maxCurrentA,
      phases: c.phases,
      nominalVoltageV: c.nominalVoltageV,
      hasLock: c.hasLock,
      hasRcdTest: c.hasRcdTest,
    })),
  );
}

