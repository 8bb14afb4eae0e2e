/** The text of a WebSocket frame as `ws` hands it over (a Buffer by default, or an ArrayBuffer or fragments). */
import type WebSocket from 'ws';

export function frameText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}
