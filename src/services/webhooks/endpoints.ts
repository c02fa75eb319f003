import { lookup } from 'node:dns/promises';
import type { Database } from '../../db/client.ts';
import { checkEndpointUrl, ipLiteral, isAllowedAddress, newWebhookSecret } from '../../domain/webhooks.ts';
import type { TransactionEventKind, TransactionStatus, WebhookEndpoint } from '../../generated/prisma/client.ts';
import { NotFoundError, ValidationFailedError, type FieldProblem } from '../errors.ts';
import { merchantScope, requestedMerchantScope } from '../merchant-scope.ts';
import type { Actor } from '../merchants.ts';

/**
 * Webhook endpoints as merchants manage them: a merchant key its own, ADMIN any merchant's. The signing secret is
 * returned when made (create, roll) and never again. A rolled secret keeps signing beside the new one for an
 * overlap, so a receiver can switch without refusing a message.
 */

export const MAX_ENDPOINTS_PER_MERCHANT = 20;
export const MAX_DESCRIPTION_LENGTH = 500;
/** The longest overlap a rolled secret may keep signing: one week. */
export const MAX_SECRET_OVERLAP_HOURS = 168;
export const ALL_EVENT_KINDS: readonly TransactionEventKind[] = ['STATUS_CHANGED', 'REFUND_REQUESTED', 'REFUND_SUCCEEDED', 'REFUND_FAILED', 'WEBHOOK_ENDPOINT_DISABLED'];

/** What an endpoint its owner disabled says (Paystream's own reasons say what happened). */
export const OWNER_DISABLED_REASON = 'disabled by its owner';

export type EndpointSettings = { allowLocalReceivers: boolean };

export type CreateEndpointInput = {
  url: string;
  description?: string | null;
  kinds?: readonly TransactionEventKind[] | null;
  statuses?: readonly TransactionStatus[] | null;
  /** Global id; ADMIN only (and required for ADMIN). */
  merchantId?: string | null;
};

export type UpdateEndpointInput = {
  /** Database id (the resolver decodes the global id). */
  id: string;
  url?: string | null;
  description?: string | null;
  kinds?: readonly TransactionEventKind[] | null;
  statuses?: readonly TransactionStatus[] | null;
  enabled?: boolean | null;
};

export type EndpointWithSecret = { endpoint: WebhookEndpoint; secret: string };

/** Where to look for an endpoint the caller may act on: another merchant's is NotFoundError, like a missing one. */
export async function findOwnEndpoint(db: Database, actor: Actor, id: string): Promise<WebhookEndpoint> {
  const merchantId = merchantScope(actor);
  const endpoint = await db.prisma.webhookEndpoint.findFirst({ where: { id, ...(merchantId === undefined ? {} : { merchantId }) } });
  if (endpoint === null) throw new NotFoundError('webhook endpoint');
  return endpoint;
}

/**
 * The URL's rules (src/domain/webhooks.ts), then its host's addresses as DNS gives them now: one refused address
 * refuses the URL. A name that does not resolve yet is accepted: every connection checks again.
 */
async function validateUrl(raw: string, settings: EndpointSettings, problems: FieldProblem[], path: string[]): Promise<string | undefined> {
  const checked = checkEndpointUrl(raw, settings.allowLocalReceivers);
  if (!checked.ok) {
    problems.push({ path, message: checked.problem });
    return undefined;
  }
  if (ipLiteral(checked.url) === undefined) {
    const addresses = await lookup(checked.url.hostname, { all: true, verbatim: true }).catch(() => []);
    if (addresses.some(({ address }) => !isAllowedAddress(address, settings.allowLocalReceivers))) {
      problems.push({ path, message: 'its host resolves to a private, loopback, link-local or reserved address' });
      return undefined;
    }
  }
  return checked.url.toString();
}

function validateDescription(description: string, problems: FieldProblem[], path: string[]): void {
  if ([...description].length > MAX_DESCRIPTION_LENGTH || /\p{Cc}/u.test(description)) {
    problems.push({ path, message: `must be at most ${MAX_DESCRIPTION_LENGTH} characters, without control characters` });
  }
}

function validateKinds(kinds: readonly TransactionEventKind[], problems: FieldProblem[], path: string[]): void {
  if (kinds.length === 0) problems.push({ path, message: 'must name at least one kind of event' });
}

export async function createWebhookEndpoint(db: Database, actor: Actor, settings: EndpointSettings, input: CreateEndpointInput): Promise<EndpointWithSecret> {
  const merchantId = await requestedMerchantScope(db, actor, input.merchantId, ['input', 'merchantId']);
  const problems: FieldProblem[] = [];
  if (merchantId === undefined) problems.push({ path: ['input', 'merchantId'], message: 'ADMIN keys name the merchant the endpoint is for' });
  const url = await validateUrl(input.url, settings, problems, ['input', 'url']);
  const description = input.description ?? '';
  validateDescription(description, problems, ['input', 'description']);
  const kinds = [...new Set(input.kinds ?? ALL_EVENT_KINDS)];
  validateKinds(kinds, problems, ['input', 'kinds']);
  if (merchantId !== undefined && (await db.prisma.webhookEndpoint.count({ where: { merchantId } })) >= MAX_ENDPOINTS_PER_MERCHANT) {
    problems.push({ path: ['input', 'url'], message: `a merchant has at most ${MAX_ENDPOINTS_PER_MERCHANT} webhook endpoints; delete one first` });
  }
  if (problems.length > 0 || merchantId === undefined || url === undefined) throw new ValidationFailedError(problems);
  const secret = newWebhookSecret();
  const endpoint = await db.prisma.webhookEndpoint.create({
    data: { merchantId, url, description, kinds, statuses: [...new Set(input.statuses ?? [])], secret },
  });
  return { endpoint, secret };
}

/** Changes what is given; enabling again clears the reason it was disabled (and its failure streak). */
export async function updateWebhookEndpoint(db: Database, actor: Actor, settings: EndpointSettings, input: UpdateEndpointInput): Promise<WebhookEndpoint> {
  const endpoint = await findOwnEndpoint(db, actor, input.id);
  const problems: FieldProblem[] = [];
  const url = input.url == null ? undefined : await validateUrl(input.url, settings, problems, ['input', 'url']);
  if (input.description != null) validateDescription(input.description, problems, ['input', 'description']);
  if (input.kinds != null) validateKinds(input.kinds, problems, ['input', 'kinds']);
  if (problems.length > 0) throw new ValidationFailedError(problems);
  const enabling = input.enabled === true && !endpoint.enabled;
  const disabling = input.enabled === false && endpoint.enabled;
  return db.prisma.webhookEndpoint.update({
    where: { id: endpoint.id },
    data: {
      ...(url === undefined ? {} : { url }),
      ...(input.description == null ? {} : { description: input.description }),
      ...(input.kinds == null ? {} : { kinds: [...new Set(input.kinds)] }),
      ...(input.statuses == null ? {} : { statuses: [...new Set(input.statuses)] }),
      ...(enabling ? { enabled: true, disabledAt: null, disabledReason: null, failingSince: null } : {}),
      ...(disabling ? { enabled: false, disabledAt: new Date(), disabledReason: OWNER_DISABLED_REASON } : {}),
    },
  });
}

/** Deletes the endpoint with its deliveries and their attempts. */
export async function deleteWebhookEndpoint(db: Database, actor: Actor, id: string): Promise<string> {
  const endpoint = await findOwnEndpoint(db, actor, id);
  await db.prisma.webhookEndpoint.delete({ where: { id: endpoint.id } });
  return endpoint.id;
}

/** A new secret; the current one keeps signing beside it for `overlapHours` (0: stops at once). */
export async function rollWebhookEndpointSecret(db: Database, actor: Actor, id: string, overlapHours: number): Promise<EndpointWithSecret> {
  if (!Number.isInteger(overlapHours) || overlapHours < 0 || overlapHours > MAX_SECRET_OVERLAP_HOURS) {
    throw new ValidationFailedError([{ path: ['overlapHours'], message: `must be a whole number of hours from 0 to ${MAX_SECRET_OVERLAP_HOURS}` }]);
  }
  const current = await findOwnEndpoint(db, actor, id);
  const secret = newWebhookSecret();
  const endpoint = await db.prisma.webhookEndpoint.update({
    where: { id: current.id },
    data:
      overlapHours === 0
        ? { secret, previousSecret: null, previousSecretExpiresAt: null }
        : { secret, previousSecret: current.secret, previousSecretExpiresAt: new Date(Date.now() + overlapHours * 3_600_000) },
  });
  return { endpoint, secret };
}

/** The secrets that sign now: the current one, and the previous one during its overlap. */
export function signingSecrets(endpoint: Pick<WebhookEndpoint, 'secret' | 'previousSecret' | 'previousSecretExpiresAt'>, now: Date): string[] {
  const { previousSecret, previousSecretExpiresAt } = endpoint;
  return previousSecret !== null && previousSecretExpiresAt !== null && previousSecretExpiresAt > now ? [endpoint.secret, previousSecret] : [endpoint.secret];
}
