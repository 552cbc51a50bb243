import type { EventClaims } from "../state/event-claims.js";

/** Slack retries for up to about 5 minutes; an hour covers late retries with room to spare. */
const claimLifetimeMilliseconds = 60 * 60 * 1000;

/**
 * True when this delivery is the first for both its event id and its message (channel + ts).
 * Retries share the event id; the same mention delivered as `app_mention` and as `message` shares
 * the channel and ts. Both claims are taken, so either kind of duplicate is dropped.
 */
export async function claimDelivery(
  claims: EventClaims,
  delivery: { eventId: string | undefined; channel: string; ts: string },
): Promise<boolean> {
  if (delivery.eventId !== undefined && !(await claims.claim(`event:${delivery.eventId}`, claimLifetimeMilliseconds))) {
    return false;
  }
  return claims.claim(`message:${delivery.channel}:${delivery.ts}`, claimLifetimeMilliseconds);
}
