// Owns the DNS-rebinding defence of the TCP port: the Host names (and WebSocket Origins) it answers to.
// A web page can point a name it controls at 127.0.0.1; the browser then sends that name as Host, so only IP
// literals, localhost and names the user listed are accepted. The unix socket needs no such check.
import type http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';

const REFUSAL =
  'This host name is not allowed: the Loopsy daemon answers only to IP addresses and localhost. ' +
  'To reach it by name, add the name to server.allowedHosts in config.yaml.\n';

/** The host name of a Host header value (`name`, `name:port`, `[v6]:port`), lower-cased; undefined if malformed. */
export function hostNameOf(header: string): string | undefined {
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0 || !/^(:\d{1,5})?$/.test(value.slice(end + 1))) return undefined;
    return value.slice(1, end);
  }
  const m = /^([^:]+)(:\d{1,5})?$/.exec(value);
  return m?.[1];
}

/** IP literals and `localhost` always pass; other names only when listed in `allowed`. */
export function isAllowedHostName(name: string, allowed: readonly string[]): boolean {
  if (name === 'localhost' || net.isIP(name) !== 0) return true;
  return allowed.some((a) => a.toLowerCase() === name);
}

/** A request without Host is not from a browser (browsers always send it), so rebinding cannot apply. */
export function hostAllowed(header: string | undefined, allowed: readonly string[]): boolean {
  if (header === undefined) return true;
  const name = hostNameOf(header);
  return name !== undefined && isAllowedHostName(name, allowed);
}

/** WebSockets ignore CORS, so a browser's Origin must name an allowed host too; non-browsers send none. */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const name = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isAllowedHostName(name, allowed);
}

/** Answers 421 with a short text and returns true when the request's Host is not allowed. */
export function refuseHttpHost(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  allowed: readonly string[],
): boolean {
  if (hostAllowed(req.headers.host, allowed)) return false;
  res.writeHead(421, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(REFUSAL),
    connection: 'close',
  });
  res.end(REFUSAL);
  return true;
}

/** Ends the upgrade with 421 (Host) or 403 (Origin) and returns true when either is not allowed. */
export function refuseUpgradeHost(
  req: http.IncomingMessage,
  socket: Duplex,
  allowed: readonly string[],
): boolean {
  let status: string;
  if (!hostAllowed(req.headers.host, allowed)) status = '421 Misdirected Request';
  else if (!originAllowed(req.headers.origin, allowed)) status = '403 Forbidden';
  else return false;
  const body =
    status === '403 Forbidden'
      ? 'WebSocket connections from this origin are not allowed (see server.allowedHosts in config.yaml).\n'
      : REFUSAL;
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  return true;
}

/** The names the TCP port answers to besides IPs and localhost: the configured list and a named bind host. */
export function allowedHostNames(configured: readonly string[], bindHost: string): string[] {
  const names = configured.map((n) => n.toLowerCase());
  if (net.isIP(bindHost) === 0) names.push(bindHost.toLowerCase());
  return names;
}
