/**
 * ws, loaded with require(): its ES-module entry imports each of its CommonJS files as a module of its own, which
 * costs a cold CLI run 20–50 ms more than one require() on Node 20. The classes are the same either way (both
 * entries share the CommonJS module cache), so `import WebSocket from 'ws'` elsewhere meets the same objects.
 */
import { createRequire } from 'node:module';
import type WebSocketClass from 'ws';
import type { WebSocketServer as WebSocketServerClass } from 'ws';

// The CommonJS export: the WebSocket class, with the server class as a static property.
const ws = createRequire(import.meta.url)('ws') as typeof WebSocketClass & {
  WebSocketServer: typeof WebSocketServerClass;
};

export const WebSocket = ws;
export type WebSocket = WebSocketClass;
export const WebSocketServer = ws.WebSocketServer;
