import type { Actor, RequestMeta } from "../context";
import type { Executor } from "../db/types";
import { auditLog } from "./audit.sql";

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId?: string | number | null;
  details?: Record<string, unknown>;
}

/** Writes an audit row; call it inside the transaction of the write it records. */
export async function recordAudit(
  tx: Executor,
  meta: RequestMeta,
  actor: Pick<Actor, "userId"> | null,
  entry: AuditEntry,
): Promise<void> {
  await tx.insert(auditLog).values({
    userId: actor?.userId ?? null,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId == null ? null : String(entry.entityId),
    details: entry.details ?? null,
    ip: meta.ip && isIp(meta.ip) ? meta.ip : null,
    requestId: meta.requestId?.slice(0, 64) ?? null,
  });
}

function isIp(value: string): boolean {
  return /^[0-9.]+$/.test(value) || /^[0-9a-fA-F:.]+$/.test(value);
}
