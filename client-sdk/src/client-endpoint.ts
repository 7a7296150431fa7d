// Owns where a client's plain HTTP requests go (file transfers need raw bodies, not tRPC's JSON): recorded per
// client object when it is built, read by the Node transfer helpers. Data only, so it is browser-safe.

export interface HttpEndpoint {
  /** The daemon's base URL, ending in `/`. */
  url: string;
  /** The bearer token ('' on the unix socket, whose file mode is the authentication). */
  apiKey: string;
  /** Node: dial this unix socket instead of the URL's host. */
  socketPath?: string;
}

const endpoints = new WeakMap<object, HttpEndpoint>();

export function setHttpEndpoint(client: object, endpoint: HttpEndpoint): void {
  endpoints.set(client, endpoint);
}

/** The daemon endpoint of a direct client; undefined for a relay client (no plain HTTP through a relay). */
export function httpEndpointOf(client: object): HttpEndpoint | undefined {
  return endpoints.get(client);
}
