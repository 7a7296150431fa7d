// Owns the name a phone suggests for itself when pairing, from its user agent.

/** A readable default like "iPhone", "Pixel 8" or "Android phone"; at most 64 characters. */
export function defaultPhoneName(userAgent: string): string {
  if (/iPad/.test(userAgent)) return 'iPad';
  if (/iPhone/.test(userAgent)) return 'iPhone';
  const android =
    /Android[^;)]*;\s*(?:[a-z]{2}[-_][a-z]{2};\s*)?([^;)]+?)(?:\s+Build\/[^;)]*)?\)/i.exec(
      userAgent,
    );
  if (android) {
    const model = android[1]?.trim() ?? '';
    // Chrome's reduced user agent says only "K" for the model.
    if (model.length > 1 && !/^(?:K|Mobile|wv)$/i.test(model)) return model.slice(0, 64);
    return 'Android phone';
  }
  if (/Android/.test(userAgent)) return 'Android phone';
  if (/Macintosh/.test(userAgent)) return 'Mac browser';
  if (/Windows/.test(userAgent)) return 'Windows browser';
  if (/Linux/.test(userAgent)) return 'Linux browser';
  return 'My phone';
}
