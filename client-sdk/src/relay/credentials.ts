// Owns the credentials a paired phone keeps: JSON-serializable, so a PWA can store them (IndexedDB) as they are.
export interface PhoneCredentials {
  /** The relay's base URL, e.g. https://relay.example.com */
  relayUrl: string;
  deviceId: string;
  /** The phone's id at the relay and its secret there (for /connect). */
  phoneId: string;
  phoneSecret: string;
  /** The laptop's static X25519 key (from the pairing link) and the phone's own key pair, base64url. */
  daemonPublicKey: string;
  phonePublicKey: string;
  phonePrivateKey: string;
  /** The name the phone gave itself, shown in `loopsy phone list`. */
  name: string;
}
