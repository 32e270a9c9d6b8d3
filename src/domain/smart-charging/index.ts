/**
 * Smart charging, version-neutral: the public surface for the protocol adapters and main.ts.
 * Must not: hold logic (the modules below do).
 */
export * from './model.js';
export * from './schedule.js';
export * from './composite.js';
export * from './allocation.js';
export * from './apply.js';
export * from './validate.js';
export * from './settings.js';
export * from './errors.js';
export * from './service.js';
