import type { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import type { AlertRow } from "./monitor";
import { snsPublisher, snsSubject } from "./sns";

const alert = (over: Partial<AlertRow> = {}): AlertRow => ({
  id: "7b0e5b8e-1111-4c3e-9a55-000000000001",
  key: "health.cache",
  category: "health",
  severity: "critical",
  status: "open",
  title: "cache (redis) is down",
  detail: { error: "ECONNREFUSED" },
  occurrences: 1,
  firstSeenAt: new Date("2026-11-26T10:00:00Z"),
  lastSeenAt: new Date("2026-11-26T10:00:00Z"),
  resolvedAt: null,
  lastRunId: null,
  ...over,
});

describe("SNS alert publisher", () => {
  it("sends one message per alert with a readable subject and the details as JSON", async () => {
    const sent: PublishCommand[] = [];
    const client = {
      send: (cmd: PublishCommand) => {
        sent.push(cmd);
        return Promise.resolve({});
      },
    } as unknown as SNSClient;
    const arn = "arn:aws:sns:eu-west-1:123456789012:jonquils-alerts";
    await snsPublisher(arn, client).publish([alert(), alert({ key: "x", severity: "warning" })]);
    expect(sent).toHaveLength(2);
    const input = sent[0]!.input;
    expect(input.TopicArn).toBe(arn);
    expect(input.Subject).toBe("[JONQUILS critical] cache (redis) is down");
    expect(JSON.parse(input.Message!)).toMatchObject({
      key: "health.cache",
      detail: { error: "ECONNREFUSED" },
    });
    expect(input.MessageAttributes?.["severity"]?.StringValue).toBe("critical");
  });

  it("keeps subjects within SNS's 100 printable ASCII characters", () => {
    const s = snsSubject({ severity: "warning", title: `Трек «${"x".repeat(200)}»` });
    expect(s.length).toBeLessThanOrEqual(100);
    expect(s).toMatch(/^[\x20-\x7e]+$/);
    expect(s.endsWith("...")).toBe(true);
  });
});
