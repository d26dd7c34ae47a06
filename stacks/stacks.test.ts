/* eslint-disable @typescript-eslint/no-explicit-any -- CloudFormation templates are untyped JSON */
import { readDefinitionText } from "@jonquils/pipeline/definition";
import { shouldIngest } from "@jonquils/pipeline/executor";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ANALYTICS_REFRESH_SCHEDULE } from "./Api";
import { DB_CONNECTION_BUDGET } from "./lambda";
import { MONITORING_SCHEDULE } from "./Monitoring";
import { INGEST_PREFIX, RECOVERY_SCHEDULE } from "./Pipeline";
import { checkDeployedDefinition, taskHandler } from "./testing/definition-check";
import { synthesize, type NagFinding, type SynthesizedStack } from "./testing/synthesize";

type Resource = { Type: string; Properties?: Record<string, any> };
type Resources = Record<string, Resource>;

let outdir: string;
let stacks: SynthesizedStack[];
let nag: NagFinding[];
const stack = (name: string): Resources => {
  const found = stacks.find((s) => s.stackName.endsWith(`-${name}`));
  if (!found) throw new Error(`no stack ${name}`);
  return (found.template.Resources ?? {}) as Resources;
};
const allResources = (): [string, Resource][] =>
  stacks.flatMap((s) => Object.entries((s.template.Resources ?? {}) as Resources));
const ofType = (resources: Resources, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);
const functionByHandler = (resources: Resources, handler: string) => {
  const found = ofType(resources, "AWS::Lambda::Function").find(
    ([, r]) => r.Properties?.["Handler"] === handler,
  );
  if (!found) throw new Error(`no function with handler ${handler}`);
  return { id: found[0], props: found[1].Properties! };
};

// One synthesis for the whole file: every stack, every function bundled by esbuild, cdk-nag
// (~30 s on a quiet machine; minutes when the 2 cores are shared by many jobs).
beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), "jq-synth-"));
  process.env["JONQUILS_SKIP_WEB_BUILD"] = "1";
  // With cdk-nag's AwsSolutions and Serverless packs, as `npm run nag` runs them.
  ({ stacks, nag } = await synthesize({ stage: "test", outdir, nag: true }));
}, 600_000);
afterAll(async () => {
  await rm(outdir, { recursive: true, force: true });
});

describe("offline synthesis of the SST app", () => {
  it("writes one template per stack", () => {
    expect(stacks.map((s) => s.stackName.replace(/^test-jonquils-/, "")).sort()).toEqual(
      [
        "Alerts",
        "Api",
        "Data",
        "Monitoring",
        "Pipeline",
        "Secrets",
        "Storage",
        "Web",
        "WebContent",
      ].sort(),
    );
  });

  it("runs every Node.js function on Node 22 or newer, ours bundled as ESM on arm64 or x86_64", () => {
    const functions = allResources().filter(([, r]) => r.Type === "AWS::Lambda::Function");
    const node = functions.filter(([, r]) =>
      String(r.Properties?.["Runtime"]).startsWith("nodejs"),
    );
    expect(node.length).toBeGreaterThan(10);
    for (const [id, r] of node) {
      const major = Number(/^nodejs(\d+)\.x$/.exec(r.Properties!["Runtime"])?.[1]);
      expect(major, `${id} runs ${r.Properties!["Runtime"]}`).toBeGreaterThanOrEqual(22);
    }
    const ours = functions.filter(([, r]) =>
      String(r.Properties?.["Handler"]).startsWith("functions/"),
    );
    expect(ours.map(([, r]) => r.Properties!["Handler"]).sort()).toEqual(
      [
        "functions/analytics-consumer.handler",
        "functions/analytics-refresh.handler",
        "functions/api.handler",
        // The deploy-time Scripts' create and update functions: catalog, then ClickHouse.
        "functions/migrate.handler",
        "functions/migrate.handler",
        "functions/migrate-analytics.handler",
        "functions/migrate-analytics.handler",
        "functions/monitoring.handler",
        ...["Extract", "Transform", "Load", "Index", "Aggregate", "MarkFailed"].map(taskHandler),
        "functions/pipeline/recover.handler",
      ].sort(),
    );
    for (const [, r] of ours) expect(r.Properties!["LoggingConfig"]).toEqual({ LogFormat: "JSON" });
  });

  it("ships the API split: the entry, its chunks, and the adapters loaded on first use in chunks of their own that load", async () => {
    const { props } = functionByHandler(stack("Api"), "functions/api.handler");
    const asset = join(outdir, `asset.${String(props["Code"]["S3Key"]).replace(/\.zip$/, "")}`);
    const dir = join(asset, "functions");
    const files = readdirSync(dir);
    const entry = readFileSync(join(dir, "api.mjs"), "utf8");
    const staticChunks = [...entry.matchAll(/from\s*"\.\/([\w-]+\.mjs)"/g)].map((m) => m[1]!);
    const lazyChunks = [...entry.matchAll(/import\(\s*"\.\/([\w-]+\.mjs)"\s*\)/g)].map(
      (m) => m[1]!,
    );
    for (const chunk of [...staticChunks, ...lazyChunks]) expect(files).toContain(chunk);
    // What a cold start does not load: the OpenSearch and ClickHouse clients, the S3 adapter.
    const lazy = (name: string) => {
      const chunk = lazyChunks.find((f) => f.startsWith(`${name}-`));
      if (!chunk) throw new Error(`no ${name} chunk imported on first use by functions/api.mjs`);
      expect(staticChunks).not.toContain(chunk);
      return pathToFileURL(join(dir, chunk)).href;
    };
    const clickhouse = (await import(lazy("clickhouse"))) as {
      createClickHouseStore(o: { url: string }): { kind: string; close(): Promise<void> };
    };
    const store = clickhouse.createClickHouseStore({ url: "http://127.0.0.1:1" });
    expect(store.kind).toBe("clickhouse");
    await store.close();
    const opensearch = (await import(lazy("opensearch"))) as { Client?: unknown };
    expect(typeof opensearch.Client).toBe("function");
    expect(lazy("s3")).toMatch(/\.mjs$/);
    // SST takes the entry's source map out of the asset (uploaded for its console).
    expect(files).not.toContain("api.mjs.map");
  });

  it("migrates the catalog on every deploy, from the SQL files npm run db:migrate applies", () => {
    const data = stack("Data");
    const migrate = ofType(data, "AWS::Lambda::Function").filter(
      ([, r]) => r.Properties?.["Handler"] === "functions/migrate.handler",
    );
    expect(migrate).toHaveLength(2);
    for (const [, r] of migrate) {
      // The SQL files and drizzle's journal travel in the function's asset, at its task root.
      const asset = `asset.${String(r.Properties!["Code"]["S3Key"]).replace(/\.zip$/, "")}`;
      expect(readdirSync(join(outdir, asset, "migrations", "meta"))).toContain("_journal.json");
      const sqlFiles = readdirSync(join(outdir, asset, "migrations")).filter((f) =>
        f.endsWith(".sql"),
      );
      expect(sqlFiles).toEqual(
        readdirSync("packages/core/migrations").filter((f) => f.endsWith(".sql")),
      );
      expect(r.Properties!["VpcConfig"]).toBeDefined();
      const env = r.Properties!["Environment"]["Variables"] as Record<string, unknown>;
      expect(Object.keys(env)).toEqual(
        expect.arrayContaining(["DATABASE_HOST", "DATABASE_NAME", "DATABASE_USER"]),
      );
      // The catalog's migration never depends on ClickHouse (nor any secret it cannot reach).
      expect(Object.keys(env).filter((k) => /CLICKHOUSE/.test(k))).toEqual([]);
    }
    const scripts = ofType(data, "Custom::SSTScript");
    expect(scripts).toHaveLength(2);
    const catalogScript = scripts.find(([, r]) =>
      migrate.some(([id]) => r.Properties!["UserCreateFunction"]?.Ref === id),
    )![1].Properties!;
    expect(
      [catalogScript["UserCreateFunction"], catalogScript["UserUpdateFunction"]].sort(),
    ).toEqual(migrate.map(([id]) => ({ Ref: id })).sort());
    // ClickHouse: its own Script, outside the VPC (no NAT address to allow-list).
    const analytics = ofType(data, "AWS::Lambda::Function").filter(
      ([, r]) => r.Properties?.["Handler"] === "functions/migrate-analytics.handler",
    );
    expect(analytics).toHaveLength(2);
    for (const [, r] of analytics) {
      expect(r.Properties!["VpcConfig"]).toBeUndefined();
      expect(r.Properties!["Environment"]["Variables"]).toHaveProperty(
        "SST_Secret_value_CLICKHOUSE_URL",
      );
    }
  });

  it("serves the HTTP API from the Hono Lambda, throttled", () => {
    const api = stack("Api");
    const [[apiId]] = ofType(api, "AWS::ApiGatewayV2::Api").filter(
      ([, r]) => r.Properties?.["ProtocolType"] === "HTTP",
    ) as [[string, Resource]];
    const routes = ofType(api, "AWS::ApiGatewayV2::Route").map(([, r]) => r.Properties!);
    expect(routes.map((r) => r["RouteKey"])).toEqual(["$default"]);
    const integrationId = (routes[0]!["Target"]["Fn::Join"][1] as unknown[])[1] as { Ref: string };
    const integration = api[integrationId.Ref]!.Properties!;
    const fn = functionByHandler(api, "functions/api.handler");
    expect(JSON.stringify(integration["IntegrationUri"])).toContain(fn.id);
    expect(integration["ApiId"]).toEqual({ Ref: apiId });
    const [[, stage]] = ofType(api, "AWS::ApiGatewayV2::Stage") as [[string, Resource]];
    expect(stage.Properties!["DefaultRouteSettings"]).toMatchObject({
      ThrottlingRateLimit: expect.any(Number),
      ThrottlingBurstLimit: expect.any(Number),
    });
    // In the VPC beside the data services; secrets bound, never in the environment.
    expect(fn.props["VpcConfig"]).toBeDefined();
    const env = fn.props["Environment"]["Variables"] as Record<string, unknown>;
    for (const name of [
      "JWT_SECRET",
      "DATABASE_URL",
      "CLICKHOUSE_PASSWORD",
      "DB_PASSWORD",
      "REDIS_URL",
    ])
      expect(env).not.toHaveProperty(name);
    expect(env).toHaveProperty("SST_Secret_value_JWT_SECRET", "__FETCH_FROM_SSM__");
    for (const name of [
      "S3_BUCKET_TRACKS",
      "S3_BUCKET_COVERS",
      "S3_BUCKET_PLAYLISTS",
      "S3_BUCKET_TEMP",
      "DATABASE_HOST",
      "DATABASE_SECRET_ARN",
      "REDIS_HOST",
      "REDIS_SECRET_ARN",
      "CORS_ORIGINS",
    ])
      expect(env, name).toHaveProperty(name);
  });

  it("wires Object Created in tracks (uploads only) through EventBridge to the state machine, with a DLQ", () => {
    // The tracks bucket sends its events to EventBridge.
    const storage = stack("Storage");
    const notifications = ofType(storage, "Custom::S3BucketNotifications").map(
      ([, r]) => r.Properties!,
    );
    const tracksId = ofType(storage, "AWS::S3::Bucket").find(([id]) => id.startsWith("tracks"))![0];
    expect(notifications).toContainEqual(
      expect.objectContaining({
        BucketName: { Ref: tracksId },
        NotificationConfiguration: { EventBridgeConfiguration: {} },
      }),
    );

    const pipeline = stack("Pipeline");
    const [[machineId]] = ofType(pipeline, "AWS::StepFunctions::StateMachine") as [
      [string, Resource],
    ];
    const rules = ofType(pipeline, "AWS::Events::Rule").map(([, r]) => r.Properties!);
    const rule = rules.find((r) => r["EventPattern"]?.["detail-type"]?.[0] === "Object Created")!;
    expect(rule.EventPattern).toMatchObject({
      source: ["aws.s3"],
      detail: { bucket: { name: [{ "Fn::ImportValue": expect.stringContaining("Reftracks") }] } },
    });
    expect(rule["Targets"]).toHaveLength(1);
    expect(rule["Targets"][0]).toMatchObject({
      Arn: { Ref: machineId },
      DeadLetterConfig: { Arn: { "Fn::GetAtt": [expect.stringMatching(/^ingestdlq/), "Arn"] } },
    });
    // The filter admits exactly what the local pipeline ingests (shouldIngest).
    const prefix = rule["EventPattern"]["detail"]["object"]["key"][0]["prefix"] as string;
    for (const key of ["u/1/2/song.mp3", "demo/1.wav", "covers/x.webp", "uploads/u/x.mp3", "u"])
      expect(key.startsWith(prefix), key).toBe(shouldIngest({ bucket: "tracks", key } as never));
  });

  it("deploys the shared ASL file, ARNs substituted, every Task state on its own step Lambda", () => {
    expect(checkDeployedDefinition(stack("Pipeline"), readDefinitionText())).toEqual([]);
  });

  it("fails the definition check when the ASL file changes and the stack does not follow", () => {
    const asl = JSON.parse(readDefinitionText()) as { States: Record<string, any> };
    // A new Task state (e.g. a Notify step) with a placeholder the stack does not substitute.
    asl.States["Notify"] = { Type: "Task", Resource: "${NotifyFunctionArn}", End: true };
    const edited = JSON.stringify(asl, null, 2);
    const deployedFromEdited = structuredClone(stack("Pipeline"));
    for (const r of Object.values(deployedFromEdited))
      if (r.Type === "AWS::StepFunctions::StateMachine") r.Properties!["DefinitionString"] = edited;
    expect(checkDeployedDefinition(deployedFromEdited, edited)).toEqual(
      expect.arrayContaining([
        "Task state Notify is not in TASKS (definition.ts)",
        "placeholder ${NotifyFunctionArn} has no substitution in the stack",
      ]),
    );
    // A renamed placeholder, and a template older than the file.
    const renamed = readDefinitionText().replace("${LoadFunctionArn}", "${LoaderFunctionArn}");
    expect(checkDeployedDefinition(stack("Pipeline"), renamed)).toEqual(
      expect.arrayContaining(["the template's definition is not the shared ASL file"]),
    );
  });

  it("runs the recovery sweep on a schedule, allowed only to re-drive this state machine and list upload targets", () => {
    const pipeline = stack("Pipeline");
    const [[machineId]] = ofType(pipeline, "AWS::StepFunctions::StateMachine") as [
      [string, Resource],
    ];
    const fn = functionByHandler(pipeline, "functions/pipeline/recover.handler");
    expect(RECOVERY_SCHEDULE).toBe("rate(5 minutes)");
    expect(ofType(pipeline, "AWS::Events::Rule").map(([, r]) => r.Properties!)).toContainEqual(
      expect.objectContaining({
        ScheduleExpression: RECOVERY_SCHEDULE,
        Targets: [expect.objectContaining({ Arn: { "Fn::GetAtt": [fn.id, "Arn"] } })],
      }),
    );
    // One sweep at a time; it re-drives the state machine the object-created rule targets.
    expect(fn.props["ReservedConcurrentExecutions"]).toBe(1);
    expect(fn.props["VpcConfig"]).toBeDefined();
    const env = fn.props["Environment"]["Variables"] as Record<string, unknown>;
    expect(env["INGEST_STATE_MACHINE_ARN"]).toEqual({ Ref: machineId });
    expect(env).toHaveProperty("DATABASE_SECRET_ARN");

    const roleId = (fn.props["Role"] as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
    const statements = ofType(pipeline, "AWS::IAM::Policy")
      .filter(([, p]) =>
        (p.Properties!["Roles"] as unknown[]).some((r) => JSON.stringify(r).includes(roleId)),
      )
      .flatMap(([, p]) => p.Properties!["PolicyDocument"]["Statement"] as any[]);
    const actions = statements.flatMap((st) => [st.Action].flat() as string[]);
    // No wildcard action, no wildcard resource, no object reads or writes.
    for (const a of actions) expect(a, a).not.toMatch(/\*/);
    for (const st of statements)
      expect([st.Resource].flat(), JSON.stringify(st)).not.toContain("*");
    expect(actions.filter((a) => a.startsWith("s3:"))).toEqual(["s3:ListBucket"]);
    expect(actions.filter((a) => a.startsWith("states:")).sort()).toEqual([
      "states:DescribeExecution",
      "states:StartExecution",
    ]);
    const of = (action: string) => statements.find((st) => [st.Action].flat().includes(action))!;
    expect(of("states:StartExecution").Resource).toEqual({ Ref: machineId });
    // DescribeExecution on this state machine's executions only (…:execution:<its name>:*).
    const executions = JSON.stringify(of("states:DescribeExecution").Resource);
    expect(executions).toContain(":execution:");
    expect(executions).toContain(JSON.stringify({ "Fn::GetAtt": [machineId, "Name"] }));
    // Listing the tracks bucket's upload targets only (u/…): no other bucket, no other prefix.
    const list = of("s3:ListBucket");
    expect(JSON.stringify(list.Resource)).toMatch(/tracks/);
    expect(JSON.stringify(list.Resource)).not.toMatch(/covers|playlists|temp|\/\*/);
    expect(list.Condition).toEqual({ StringLike: { "s3:prefix": [`${INGEST_PREFIX}*`] } });
    // A failing sweep alarms (SNS), as every scheduled function does.
    const alarms = ofType(stack("Monitoring"), "AWS::CloudWatch::Alarm").map(
      ([, r]) => r.Properties!,
    );
    expect(
      alarms.filter(
        (a) => a["MetricName"] === "Errors" && /recovery sweep failed/.test(a["AlarmDescription"]),
      ),
    ).toHaveLength(1);
  });

  it("runs the monitoring Lambda on rate(15 minutes) and alarms to an SNS topic", () => {
    const monitoring = stack("Monitoring");
    const fn = functionByHandler(monitoring, "functions/monitoring.handler");
    const schedule = ofType(monitoring, "AWS::Events::Rule").map(([, r]) => r.Properties!);
    expect(MONITORING_SCHEDULE).toBe("rate(15 minutes)");
    expect(schedule).toContainEqual(
      expect.objectContaining({
        ScheduleExpression: "rate(15 minutes)",
        Targets: [expect.objectContaining({ Arn: { "Fn::GetAtt": [fn.id, "Arn"] } })],
      }),
    );
    // One topic (Alerts stack) for the monitoring Lambda, the API's admin runs and the alarms.
    const [[topicId]] = ofType(stack("Alerts"), "AWS::SNS::Topic") as [[string, Resource]];
    const topicRef = JSON.stringify(fn.props["Environment"]["Variables"]["ALERTS_TOPIC_ARN"]);
    expect(topicRef).toContain(topicId);
    const apiFn = functionByHandler(stack("Api"), "functions/api.handler");
    expect(JSON.stringify(apiFn.props["Environment"]["Variables"]["ALERTS_TOPIC_ARN"])).toBe(
      topicRef,
    );
    const publishers = ofType(stack("Api"), "AWS::IAM::Policy").filter(([, p]) =>
      JSON.stringify(p.Properties!["PolicyDocument"]).includes("sns:Publish"),
    );
    expect(publishers).toHaveLength(1);
    const alarms = ofType(monitoring, "AWS::CloudWatch::Alarm").map(([, r]) => r.Properties!);
    for (const a of alarms) expect(JSON.stringify(a["AlarmActions"])).toBe(`[${topicRef}]`);
    const metrics = alarms.map((a) => a["MetricName"]);
    expect(metrics.filter((m) => m === "Errors").length).toBeGreaterThanOrEqual(5);
    expect(metrics.filter((m) => m === "ApproximateNumberOfMessagesVisible")).toHaveLength(2);
    expect(metrics).toContain("ExecutionsFailed");
    expect(metrics).toContain("5xx");
  });

  it("buffers analytics in SQS; the consumer reports partial batch failures", () => {
    const api = stack("Api");
    const consumer = functionByHandler(api, "functions/analytics-consumer.handler");
    const [[, mapping]] = ofType(api, "AWS::Lambda::EventSourceMapping") as [[string, Resource]];
    const queueId = ofType(api, "AWS::SQS::Queue").find(([id]) =>
      /^analytics[0-9A-F]{8}$/.test(id),
    )![0];
    expect(mapping.Properties).toMatchObject({
      FunctionName: { Ref: consumer.id },
      EventSourceArn: { "Fn::GetAtt": [queueId, "Arn"] },
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    expect(api[queueId]!.Properties!["RedrivePolicy"]).toMatchObject({ maxReceiveCount: 5 });
    // The API sends to the queue (its URL in the environment, sqs:SendMessage on it).
    const apiFn = functionByHandler(api, "functions/api.handler");
    expect(apiFn.props["Environment"]["Variables"]["ANALYTICS_QUEUE_URL"]).toEqual({
      Ref: queueId,
    });
    const sends = ofType(api, "AWS::IAM::Policy").flatMap(([, p]) =>
      (p.Properties!["PolicyDocument"]["Statement"] as any[]).filter((st) =>
        [st.Action].flat().includes("sqs:SendMessage"),
      ),
    );
    expect(sends).toContainEqual(
      expect.objectContaining({ Resource: { "Fn::GetAtt": [queueId, "Arn"] } }),
    );
    // Aggregates refreshed from ClickHouse on a schedule.
    const refresh = functionByHandler(api, "functions/analytics-refresh.handler");
    expect(ofType(api, "AWS::Events::Rule").map(([, r]) => r.Properties!)).toContainEqual(
      expect.objectContaining({
        ScheduleExpression: ANALYTICS_REFRESH_SCHEDULE,
        Targets: [expect.objectContaining({ Arn: { "Fn::GetAtt": [refresh.id, "Arn"] } })],
      }),
    );
    expect(refresh.props["Environment"]["Variables"]).toHaveProperty(
      "SST_Secret_value_CLICKHOUSE_URL",
      "__FETCH_FROM_SSM__",
    );
  });

  it("serves the SPA from S3 through CloudFront, the API URL substituted into index.html at deploy", () => {
    const web = stack("Web");
    const [[, distribution]] = ofType(web, "AWS::CloudFront::Distribution") as [[string, Resource]];
    expect(distribution.Properties!["DistributionConfig"]).toMatchObject({
      DefaultRootObject: "index.html",
      CustomErrorResponses: expect.arrayContaining([
        expect.objectContaining({ ErrorCode: 403, ResponsePagePath: "/index.html" }),
      ]),
    });
    const deployments = ofType(stack("WebContent"), "Custom::CDKBucketDeployment");
    const index = deployments.find(([id]) => id.startsWith("index"))![1].Properties!;
    expect(Object.values(index["SourceMarkers"][0] as object)).toEqual([
      { "Fn::ImportValue": expect.stringMatching(/Api:.*ApiEndpoint/) },
    ]);
    expect(index["SystemMetadata"]).toEqual({ "cache-control": "no-cache" });
    // The SPA's strict CSP at the edge: no inline script or style, only the API and S3 beside itself.
    const [[policyId, policy]] = ofType(web, "AWS::CloudFront::ResponseHeadersPolicy") as [
      [string, Resource],
    ];
    expect(
      distribution.Properties!["DistributionConfig"]["DefaultCacheBehavior"][
        "ResponseHeadersPolicyId"
      ],
    ).toEqual({ Ref: policyId });
    const csp = String(
      policy.Properties!["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"][
        "ContentSecurityPolicy"
      ]["ContentSecurityPolicy"],
    );
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("style-src 'self';");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toMatch(/connect-src 'self' https:\/\/\*\.execute-api\./);
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it("keeps the buckets private and encrypted, with CORS for the web origin and lifecycle rules", () => {
    const buckets = ofType(stack("Storage"), "AWS::S3::Bucket");
    expect(buckets.map(([id]) => id.replace(/[0-9A-F]{8}$/, "")).sort()).toEqual([
      "covers",
      "playlists",
      "temp",
      "tracks",
    ]);
    for (const [id, b] of buckets) {
      const p = b.Properties!;
      expect(p["BucketEncryption"], id).toBeDefined();
      expect(p["PublicAccessBlockConfiguration"], id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(p["CorsConfiguration"]["CorsRules"][0]["AllowedMethods"], id).toContain("POST");
      expect(p["LifecycleConfiguration"]["Rules"], id).toContainEqual(
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
      );
    }
    const temp = buckets.find(([id]) => id.startsWith("temp"))![1];
    expect(temp.Properties!["LifecycleConfiguration"]["Rules"]).toContainEqual(
      expect.objectContaining({ ExpirationInDays: 1 }),
    );
    // Targets of refused or abandoned uploads do not pile up under u/ (the sweep lists it).
    const tracks = buckets.find(([id]) => id.startsWith("tracks"))![1];
    const rules = tracks.Properties!["LifecycleConfiguration"]["Rules"] as any[];
    expect(rules).toContainEqual(expect.objectContaining({ Prefix: "u/", ExpirationInDays: 7 }));
    expect(rules.filter((r) => r.ExpirationInDays)).toHaveLength(1);
  });

  it("grants no IAM statement with * actions, nor a whole service on * resources", () => {
    const statements = allResources().flatMap(([id, r]) => {
      const docs =
        r.Type === "AWS::IAM::Policy" || r.Type === "AWS::IAM::ManagedPolicy"
          ? [r.Properties!["PolicyDocument"]]
          : r.Type === "AWS::IAM::Role"
            ? ((r.Properties!["Policies"] ?? []) as { PolicyDocument: unknown }[]).map(
                (p) => p.PolicyDocument,
              )
            : [];
      return docs.flatMap((d: any) => (d.Statement as any[]).map((s) => ({ id, ...s })));
    });
    expect(statements.length).toBeGreaterThan(20);
    const list = (v: unknown) => (Array.isArray(v) ? v : [v]);
    for (const s of statements) {
      if (s.Effect !== "Allow") continue;
      const actions = list(s.Action) as string[];
      const anyResource = list(s.Resource).includes("*");
      expect(actions, s.id).not.toContain("*");
      if (anyResource)
        for (const a of actions) expect(a.endsWith(":*"), `${s.id}: ${a} on *`).toBe(false);
    }
  });

  it("keeps PostgreSQL, Valkey and OpenSearch private; the DB password is RDS-managed", () => {
    const data = stack("Data");
    const [[, db]] = ofType(data, "AWS::RDS::DBInstance") as [[string, Resource]];
    expect(db.Properties).toMatchObject({
      PubliclyAccessible: false,
      StorageEncrypted: true,
      Engine: "postgres",
    });
    expect(db.Properties!["MasterUserPassword"]).toBeUndefined();
    expect(db.Properties!["ManageMasterUserPassword"]).toBe(true);
    expect(ofType(data, "AWS::ElastiCache::ServerlessCache")).toHaveLength(1);
    const [[, search]] = ofType(data, "AWS::OpenSearchService::Domain") as [[string, Resource]];
    expect(search.Properties).toMatchObject({
      VPCOptions: expect.any(Object),
      EncryptionAtRestOptions: { Enabled: true },
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: expect.objectContaining({ EnforceHTTPS: true }),
    });
  });
});

/** The Allow statements of the policies attached to a function's role (same stack). */
const roleStatements = (resources: Resources, fnProps: Record<string, any>) => {
  const roleId = fnProps["Role"]["Fn::GetAtt"][0] as string;
  return ofType(resources, "AWS::IAM::Policy")
    .filter(([, p]) => JSON.stringify(p.Properties!["Roles"]).includes(`"${roleId}"`))
    .flatMap(([, p]) => p.Properties!["PolicyDocument"]["Statement"] as any[]);
};
const actionsOf = (st: any) => [st.Action].flat() as string[];
const resourcesOf = (st: any) => JSON.stringify(st.Resource);
/** Lambda functions of ours (handler under functions/) across all stacks, with their stack. */
const ourFunctions = () =>
  stacks.flatMap((s) =>
    ofType((s.template.Resources ?? {}) as Resources, "AWS::Lambda::Function")
      .filter(([, r]) => String(r.Properties?.["Handler"]).startsWith("functions/"))
      .map(([id, r]) => ({
        id,
        props: r.Properties!,
        resources: s.template.Resources as Resources,
      })),
  );

describe("deploy readiness (what an AWS review and cdk-nag found)", () => {
  it("leaves no cdk-nag finding unfixed or unexplained (npm run nag; reasons in stacks/nag.ts)", () => {
    expect(nag.map((f) => `${f.rule} ${f.path}`)).toEqual([]);
  });

  it("creates OpenSearch's service-linked role before the domain, tolerating one that exists", () => {
    const data = stack("Data");
    const [[slrId, slr]] = ofType(data, "Custom::AWS") as [[string, Resource]];
    const create = JSON.parse(
      slr.Properties!["Create"]["Fn::Join"]?.[1]?.join("") ?? slr.Properties!["Create"],
    );
    expect(create).toMatchObject({
      service: "IAM",
      action: "CreateServiceLinkedRole",
      parameters: { AWSServiceName: "opensearchservice.amazonaws.com" },
      ignoreErrorCodesMatching: "InvalidInput",
    });
    expect(slr.Properties!["Delete"]).toBeUndefined();
    const [[, domain]] = ofType(data, "AWS::OpenSearchService::Domain") as [[string, any]];
    expect(domain.DependsOn).toContain(slrId);
  });

  it("applies the OpenSearch access policy on the domain itself (no custom resource, no IAM race), IAM principals only", () => {
    const data = stack("Data");
    expect(ofType(data, "Custom::OpenSearchAccessPolicy")).toEqual([]);
    const [[, domain]] = ofType(data, "AWS::OpenSearchService::Domain") as [[string, Resource]];
    const policy = domain.Properties!["AccessPolicies"];
    expect(policy.Statement).toHaveLength(1);
    // Not "anyone the security group lets in": signed requests of this account's roles.
    expect(JSON.stringify(policy.Statement[0].Principal)).toMatch(/:root/);
    expect(JSON.stringify(policy.Statement[0].Principal)).not.toBe('{"AWS":"*"}');
    expect(JSON.stringify(policy.Statement[0].Resource)).toContain(
      `domain/${domain.Properties!["DomainName"]}/*`,
    );
  });

  it("grants OpenSearch's HTTP verbs on the domain only to the functions that search or index, and has them sign", () => {
    const granted: Record<string, string[]> = {};
    for (const { props, resources } of ourFunctions()) {
      const es = roleStatements(resources, props).filter((st) =>
        actionsOf(st).some((a) => a.startsWith("es:")),
      );
      for (const st of es) {
        expect(st.Effect).toBe("Allow");
        // The domain's ARN (exported by the Data stack) and its paths: no other domain, no "*".
        expect(resourcesOf(st)).toMatch(/opensearch.*\/\*"/i);
        expect(st.Condition).toBeUndefined();
      }
      if (es.length > 0) granted[props["Handler"]] = es.flatMap(actionsOf).sort();
      if (es.length > 0)
        expect(props["Environment"]["Variables"]["OPENSEARCH_AUTH"]).toBe("aws-sigv4");
    }
    expect(granted).toEqual({
      "functions/api.handler": ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut"],
      "functions/pipeline/index.handler": ["es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut"],
      "functions/analytics-refresh.handler": ["es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut"],
      "functions/monitoring.handler": ["es:ESHttpGet", "es:ESHttpHead"],
    });
  });

  it("seals Subsonic app passwords under a rotated KMS key only the API may use, and only to encrypt, decrypt and make data keys", () => {
    const secrets = stack("Secrets");
    const keys = ofType(secrets, "AWS::KMS::Key");
    expect(keys).toHaveLength(1);
    const [keyId, key] = keys[0]!;
    expect(key.Properties!["EnableKeyRotation"]).toBe(true);
    // The API reads the key's ARN (exported by the Secrets stack) from APP_PASSWORD_KMS_KEY_ID…
    const api = functionByHandler(stack("Api"), "functions/api.handler");
    const keyRef = JSON.stringify(api.props["Environment"]["Variables"]["APP_PASSWORD_KMS_KEY_ID"]);
    expect(keyRef).toMatch(/Fn::ImportValue/);
    expect(keyRef).toContain(keyId);
    // …and is the only function with any KMS right, exactly these three, on that key alone.
    const granted: Record<string, string[]> = {};
    for (const { props, resources } of ourFunctions()) {
      const statements = roleStatements(resources, props).filter((st) =>
        actionsOf(st).some((a) => a.toLowerCase().startsWith("kms:")),
      );
      for (const st of statements) {
        expect(st.Effect).toBe("Allow");
        expect(resourcesOf(st)).toBe(keyRef);
      }
      if (statements.length > 0) granted[props["Handler"]] = statements.flatMap(actionsOf).sort();
    }
    expect(granted).toEqual({
      "functions/api.handler": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
    });
  });

  it("lets CloudWatch alarms publish to the alerts topic, keeping the owner's rights and TLS-only", () => {
    const alerts = stack("Alerts");
    const [[, policy]] = ofType(alerts, "AWS::SNS::TopicPolicy") as [[string, Resource]];
    const statements = policy.Properties!["PolicyDocument"]["Statement"] as any[];
    const cw = statements.find((st) => st.Principal?.Service === "cloudwatch.amazonaws.com");
    expect(cw).toMatchObject({ Effect: "Allow", Action: "sns:Publish" });
    const owner = statements.find((st) => st.Sid === "OwnerRights");
    expect(actionsOf(owner)).toEqual(expect.arrayContaining(["sns:Subscribe", "sns:Publish"]));
    expect(JSON.stringify(owner.Condition)).toContain("AWS:SourceOwner");
    expect(statements.find((st) => st.Sid === "TLSOnly")).toMatchObject({ Effect: "Deny" });
  });

  it("leaves CORS to the app (no API Gateway CORS answering preflights with *), access logs kept a month", () => {
    const api = stack("Api");
    const [[, httpApi]] = ofType(api, "AWS::ApiGatewayV2::Api") as [[string, Resource]];
    expect(httpApi.Properties!["CorsConfiguration"]).toBeUndefined();
    const fn = functionByHandler(api, "functions/api.handler");
    const [[webId]] = ofType(stack("Web"), "AWS::CloudFront::Distribution") as [[string, Resource]];
    expect(JSON.stringify(fn.props["Environment"]["Variables"]["CORS_ORIGINS"])).toContain(webId);
    const [[, apiStage]] = ofType(api, "AWS::ApiGatewayV2::Stage") as [[string, Resource]];
    const logGroupRef = JSON.stringify(apiStage.Properties!["AccessLogSettings"]["DestinationArn"]);
    const logGroups = ofType(api, "AWS::Logs::LogGroup").filter(([id]) => logGroupRef.includes(id));
    expect(logGroups).toHaveLength(1);
    expect(logGroups[0]![1].Properties!["RetentionInDays"]).toBe(30);
  });

  it("gives the API only the bucket rights it uses: no deletes, no temp, writes under u/ and exports", () => {
    const api = stack("Api");
    const fn = functionByHandler(api, "functions/api.handler");
    const s3 = roleStatements(api, fn.props).filter((st) =>
      actionsOf(st).some((a) => a.startsWith("s3:")),
    );
    const all = s3.flatMap(actionsOf);
    expect(all).not.toContain("s3:DeleteObject");
    expect(s3.map(resourcesOf).join()).not.toMatch(/temp/);
    const puts = s3.filter((st) => actionsOf(st).includes("s3:PutObject"));
    expect(puts).toHaveLength(1);
    expect(resourcesOf(puts[0])).toMatch(/tracks.*\/u\/\*/);
    expect(resourcesOf(puts[0])).toMatch(/playlists.*\/\*/);
    expect(resourcesOf(puts[0])).not.toMatch(/covers/);
  });

  it("gives each pipeline step the object rights its code uses, and no more", () => {
    const pipeline = stack("Pipeline");
    const s3Of = (handler: string) => {
      const fn = functionByHandler(pipeline, `functions/pipeline/${handler}.handler`);
      const rights: Record<string, string> = {};
      for (const st of roleStatements(pipeline, fn.props))
        for (const action of actionsOf(st).filter((a) => a.startsWith("s3:")))
          rights[action] = (rights[action] ?? "") + resourcesOf(st);
      return rights;
    };
    // Transform reads the upload and writes the verified copy (a/…) and the thumbnails.
    const transform = s3Of("transform");
    expect(Object.keys(transform).sort()).toEqual(["s3:GetObject", "s3:PutObject"]);
    expect(transform["s3:PutObject"]).toMatch(/tracks.*\/a\/\*/);
    expect(transform["s3:PutObject"]).toMatch(/covers.*\/uploads\/\*/);
    expect(transform["s3:PutObject"]).not.toMatch(/\/u\/\*/);
    // Load (a replacement) removes the previous copy and unused thumbnails; Aggregate the target.
    const load = s3Of("load");
    expect(Object.keys(load)).toEqual(["s3:DeleteObject"]);
    expect(load["s3:DeleteObject"]).toMatch(/tracks.*\/a\/\*/);
    expect(load["s3:DeleteObject"]).toMatch(/covers.*\/uploads\/\*/);
    const aggregate = s3Of("aggregate");
    expect(Object.keys(aggregate)).toEqual(["s3:DeleteObject"]);
    expect(aggregate["s3:DeleteObject"]).toMatch(/tracks.*\/u\/\*/);
    expect(aggregate["s3:DeleteObject"]).not.toMatch(/\/a\/\*/);
    for (const step of ["extract", "index", "mark-failed"]) expect(s3Of(step), step).toEqual({});
  });

  it("authenticates to Valkey with a password user (the default user off), not the security group alone", () => {
    const data = stack("Data");
    const [[, cache]] = ofType(data, "AWS::ElastiCache::ServerlessCache") as [[string, Resource]];
    const [[, group]] = ofType(data, "AWS::ElastiCache::UserGroup") as [[string, Resource]];
    expect(cache.Properties!["UserGroupId"]).toBe(group.Properties!["UserGroupId"]);
    const users = ofType(data, "AWS::ElastiCache::User").map(([, r]) => r.Properties!);
    expect(users.map((u) => u["UserName"]).sort()).toEqual(["default", "jonquils"]);
    expect(users.find((u) => u["UserName"] === "default")!["AccessString"]).toMatch(/^off /);
    expect(users.find((u) => u["UserName"] === "jonquils")!["AuthenticationMode"]["Type"]).toBe(
      "password",
    );
    expect(group.Properties!["UserIds"]).toHaveLength(2);
  });

  it("reads secrets through the Parameters and Secrets extension, the DB password re-read from RDS's managed secret, TLS verified", () => {
    const data = stack("Data");
    const [[dbId, db]] = ofType(data, "AWS::RDS::DBInstance") as [[string, Resource]];
    expect(db.Properties!["CACertificateIdentifier"]).toBe("rds-ca-rsa2048-g1");
    for (const fn of ourFunctions()) {
      const handler = String(fn.props["Handler"]);
      // Every function of ours carries the extension (no SDK client at cold start).
      expect(JSON.stringify(fn.props["Layers"]), handler).toMatch(
        /AWS-Parameters-and-Secrets-Lambda-Extension/,
      );
      const env = fn.props["Environment"]["Variables"] as Record<string, any>;
      const statements = roleStatements(fn.resources, fn.props);
      // A bound SST secret is readable by the extension's ssm:GetParameter, that parameter only.
      const bound = Object.keys(env).filter((k) => k.startsWith("SST_Secret_value_"));
      for (const key of bound) {
        const name = key.replace("SST_Secret_value_", "");
        const gets = statements.filter((st) => actionsOf(st).includes("ssm:GetParameter"));
        expect(gets.map(resourcesOf).join(), `${handler} ${name}`).toContain(
          `/Secret/${name}/value`,
        );
      }
      if (!("DATABASE_HOST" in env)) continue;
      expect(env["NODE_EXTRA_CA_CERTS"], handler).toBe("/var/runtime/ca-cert.pem");
      expect(JSON.stringify(env["DATABASE_SECRET_ARN"]), handler).toContain(dbId);
      const reads = statements.filter((st) =>
        actionsOf(st).includes("secretsmanager:GetSecretValue"),
      );
      expect(reads.map(resourcesOf).join(), handler).toMatch(/MasterUserSecret\.?SecretArn/);
    }
  });

  it("bounds PostgreSQL connections: every function holding some has reserved concurrency within db.t4g.micro's budget", () => {
    let connections = 0;
    for (const fn of ourFunctions()) {
      const env = fn.props["Environment"]["Variables"] as Record<string, unknown>;
      const handler = String(fn.props["Handler"]);
      if (!("DATABASE_HOST" in env) || handler === "functions/migrate.handler") continue;
      const reserved = fn.props["ReservedConcurrentExecutions"] as number | undefined;
      expect(reserved, handler).toBeGreaterThan(0);
      // Pools: 2 (functions/runtime.ts), 1 per pipeline step (same file).
      connections += reserved! * (handler.startsWith("functions/pipeline/") ? 1 : 2);
    }
    expect(connections).toBeGreaterThan(0);
    expect(connections + 1).toBeLessThanOrEqual(DB_CONNECTION_BUDGET);
    expect(DB_CONNECTION_BUDGET).toBeLessThanOrEqual(80);
  });

  it("fits every retry of every step inside the execution timeout, so the Catch (MarkFailed) always runs", () => {
    const pipeline = stack("Pipeline");
    const asl = JSON.parse(readDefinitionText()) as {
      TimeoutSeconds: number;
      States: Record<string, any>;
    };
    const [[, machine]] = ofType(pipeline, "AWS::StepFunctions::StateMachine") as [
      [string, Resource],
    ];
    const subs = machine.Properties!["DefinitionSubstitutions"] as Record<string, any>;
    const worst = (name: string) => {
      const state = asl.States[name];
      const fnId = subs[/\$\{(\w+)\}/.exec(state.Resource)![1]!]["Fn::GetAtt"][0] as string;
      const lambdaTimeout = pipeline[fnId]!.Properties!["Timeout"] as number;
      const attemptTimeout = Math.min(state.TimeoutSeconds ?? Infinity, lambdaTimeout);
      // The costliest retrier of States.ALL: attempts × timeout + every backoff interval.
      const retry =
        (state.Retry ?? []).find((r: any) => r.ErrorEquals.includes("States.ALL")) ?? {};
      const retries = retry.MaxAttempts ?? 3;
      let waits = 0;
      for (let i = 0; i < retries; i++)
        waits += (retry.IntervalSeconds ?? 1) * (retry.BackoffRate ?? 2) ** i;
      return (retries + 1) * attemptTimeout + waits;
    };
    const path = ["Extract", "Transform", "Load", "Index", "Aggregate", "MarkFailed"];
    const total = path.reduce((sum, name) => sum + worst(name), 0);
    expect(worst("Transform")).toBeGreaterThan(600);
    expect(total).toBeLessThan(asl.TimeoutSeconds);
  });

  it("protects nothing because of a stage's name: a test stage is removable, OpenSearch never retained", () => {
    const data = stack("Data");
    const [[, db]] = ofType(data, "AWS::RDS::DBInstance") as [[string, any]];
    expect(db.Properties.DeletionProtection).toBe(false);
    const [[, domain]] = ofType(data, "AWS::OpenSearchService::Domain") as [[string, any]];
    expect(domain.DeletionPolicy).toBe("Delete");
  });
});
