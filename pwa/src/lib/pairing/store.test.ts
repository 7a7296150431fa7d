import { describe, expect, it } from 'vitest';
import type { PhoneCredentials } from '@loopsy/client-sdk';
import { fromRecord, isPhoneCredentials, laptopLabel, toRecord } from './store.js';
import { defaultPhoneName } from './device-name.js';

const creds: PhoneCredentials = {
  relayUrl: 'http://192.168.1.20:19532',
  deviceId: 'dev_abcdef123456',
  phoneId: 'ph_1',
  phoneSecret: 'secret',
  daemonPublicKey: 'AAAA',
  phonePublicKey: 'BBBB',
  phonePrivateKey: 'CCCC',
  name: 'Pixel 8',
};

describe('pairing store records', () => {
  it('round-trips credentials through a structured clone, keyed by deviceId', () => {
    const record = toRecord({ ...creds, extra: 'dropped' } as PhoneCredentials, 1234);
    expect(record.deviceId).toBe(creds.deviceId);
    expect(record.credentials).toEqual(creds);
    expect(fromRecord(structuredClone(record))).toEqual({
      deviceId: creds.deviceId,
      credentials: creds,
      pairedAt: 1234,
    });
  });

  it('rejects damaged records', () => {
    expect(fromRecord(undefined)).toBeUndefined();
    expect(fromRecord({ deviceId: 'x', credentials: creds, pairedAt: 1 })).toBeUndefined();
    expect(
      fromRecord({ deviceId: creds.deviceId, credentials: { ...creds, phoneSecret: 7 } }),
    ).toBeUndefined();
    const partial: Partial<PhoneCredentials> = { ...creds };
    delete partial.phonePrivateKey;
    expect(isPhoneCredentials(partial)).toBe(false);
    expect(isPhoneCredentials(creds)).toBe(true);
  });

  it('labels a laptop by relay host and device id', () => {
    expect(laptopLabel(toRecord(creds, 0))).toBe('192.168.1.20:19532 · dev_abcd');
  });
});

describe('default phone name', () => {
  it('names common phones', () => {
    expect(
      defaultPhoneName(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
      ),
    ).toBe('iPhone');
    expect(
      defaultPhoneName(
        'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP1A.240305.019) AppleWebKit/537.36 Chrome/124 Mobile',
      ),
    ).toBe('Pixel 8');
    expect(
      defaultPhoneName('Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/124 Mobile'),
    ).toBe('Android phone');
    expect(defaultPhoneName('curl/8')).toBe('My phone');
  });
});
