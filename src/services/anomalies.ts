import type { Database } from '../db/client.ts';
import type { Anomaly } from '../generated/prisma/client.ts';
import { NotFoundError, ValidationFailedError } from './errors.ts';

/**
 * Closes an anomaly once a human dealt with it (refunded, reconciled), saying how. Resolving twice keeps the
 * first resolution: the record of what was done must not be overwritten by a second click.
 */
export async function resolveAnomaly(db: Database, anomalyId: string, rawResolution: string): Promise<Anomaly> {
  const resolution = rawResolution.trim();
  if (resolution.length < 1 || resolution.length > 1000 || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(resolution)) {
    throw new ValidationFailedError([{ path: ['resolution'], message: 'must say what was done, in 1 to 1000 characters' }]);
  }
  const [resolved] = await db.prisma.anomaly.updateManyAndReturn({
    where: { id: anomalyId, status: 'OPEN' },
    data: { status: 'RESOLVED', resolution, resolvedAt: new Date() },
  });
  if (resolved) return resolved;
  const existing = await db.prisma.anomaly.findUnique({ where: { id: anomalyId } });
  if (!existing) throw new NotFoundError('anomaly');
  return existing;
}
