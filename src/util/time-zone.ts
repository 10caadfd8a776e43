/**
 * IANA time zone names as config files and protocol params write them ("Europe/Berlin", "UTC").
 */

/**
 * Whether this runtime's Intl knows `zone` as a time zone.
 * @returns false for an unknown or malformed name; never throws.
 */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
