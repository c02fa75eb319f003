import { crash } from './crash.ts';
import { dbRestart } from './db-restart.ts';
import { redisOutage } from './redis-outage.ts';
import { storm } from './storm.ts';
import type { Drill } from './template.ts';
import { webhooks } from './webhooks.ts';

/** Every fault drill, in the order `npm run drills` runs them (test/drills/drills.test.ts runs each small). */
export const DRILLS: readonly Drill[] = [storm, crash, dbRestart, redisOutage, webhooks];
