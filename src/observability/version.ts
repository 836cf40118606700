/**
 * Version strings the server reports. A leaf module (no imports), so command and INFO code can
 * use them without importing the engine.
 *
 * @module
 */

/** Kite's version. */
export const KITE_VERSION = "0.1.0";
/** The Redis version Valkey 8 reports for compatibility (`redis_version`, HELLO in compat mode). */
export const REDIS_COMPAT_VERSION = "7.2.4";
/** The Valkey release whose behaviour Kite follows (`valkey_version`, HELLO `version`). */
export const VALKEY_VERSION = "8.1.1";
