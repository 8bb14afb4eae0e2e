/** GET /users/me: the me-object, as the agent fetches it after login and on a version gap (contract §4.3). */
import type { Router } from 'express';
import type { ApiContext } from '../context.js';
import { requireUser } from '../http.js';

export function registerUsers(router: Router, ctx: ApiContext): void {
  router.get('/users/me', (req, res) => {
    const user = requireUser(ctx, req);
    res.json({ user: ctx.store.me(user.id) });
  });
}
