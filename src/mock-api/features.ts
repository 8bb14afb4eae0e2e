/**
 * The API features beyond the connect skeleton, wired in one place: each later feature (sign-up mode,
 * check-signup, refresh, provider actions) adds its handler here rather than editing the app.
 */
import type { ApiExtensions } from './index.js';

export function defaultApiExtensions(): ApiExtensions {
  return { routes: [] };
}
