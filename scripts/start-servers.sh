#!/usr/bin/env bash
# `npm run start:servers`: the whole product on servers, without Docker — PostgreSQL + Redis
# (scripts/services.sh), OpenSearch, MinIO for S3 and moto for SQS and SNS (scripts/servers/*.sh),
# and chDB for analytics — on the ports of `npm start` (API 8000, web 3000). Analytics events go
# through moto's SQS queue and this process consumes them into chDB (the consumer Lambda's twin).
#
# Starts what does not answer (servers keep running after the app stops; stop them with
# `scripts/services.sh down` and `scripts/servers/<name>.sh down`), creates the database
# `jonquils_servers`, the buckets, the analytics queue (with its DLQ), the alerts topic and the
# tracks bucket's notification rule
# (object created under u/ → MinIO's webhook target JONQUILS), copies the webhook's token into
# DATA_DIR, then runs `npm start` with the variables for those adapters. An upload's presigned
# POST then goes to MinIO, MinIO posts the event to the app on 127.0.0.1:19541, and the app
# starts the ingestion workflow in-process — the twin of S3 → EventBridge → Step Functions.
#
#   npm run start:servers                 (DATA_DIR defaults to .jonquils/servers)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR source=servers/lib/common.bash
. scripts/servers/lib/common.bash

log() { printf '[start:servers] %s\n' "$*" >&2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

servers=(scripts/servers/*.sh)
pids=()
bash scripts/services.sh up >"$tmp/services.sh.log" 2>&1 &
pids+=($!)
for s in "${servers[@]}"; do
  bash "$s" up >"$tmp/$(basename "$s").log" 2>&1 &
  pids+=($!)
done
failed=0
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    failed=1
    if [ "$i" = 0 ]; then name=services.sh; else name=$(basename "${servers[$((i - 1))]}"); fi
    log "$name up failed:"
    sed 's/^/  /' "$tmp/$name.log" >&2 || true
  fi
done
[ "$failed" = 0 ] || exit 1

eval "$(bash scripts/services.sh env)"
for s in "${servers[@]}"; do eval "$(bash "$s" env)"; done

export DATA_DIR="${DATA_DIR:-.jonquils/servers}"
mkdir -p "$DATA_DIR"
db=jonquils_servers
admin_url="${DATABASE_URL%/*}/postgres"
if [ -z "$(psql "$admin_url" -tAc "select 1 from pg_database where datname = '$db'")" ]; then
  psql "$admin_url" -qc "create database $db" >/dev/null
fi
export DATABASE_URL="${DATABASE_URL%/*}/$db"

# The webhook's token, for the app to check MinIO's requests with.
(umask 077 && cp "$MINIO_EVENTS_TOKEN_FILE" "$DATA_DIR/s3-events.token")

prefix=jonquils
ensure_venv
read -r topic queue_url < <(AWS_ACCESS_KEY_ID=$TEST_S3_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$TEST_S3_SECRET_ACCESS_KEY \
  "$VENV/bin/python" - "$TEST_S3_ENDPOINT" "$TEST_AWS_ENDPOINT" "$prefix" <<'PY'
import sys, boto3
s3_url, aws_url, prefix = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=s3_url, region_name="us-east-1")
have = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
for name in ("tracks", "covers", "playlists", "temp"):
    if f"{prefix}-{name}" not in have:
        s3.create_bucket(Bucket=f"{prefix}-{name}")
# The Pipeline stack's rule: objects created under u/ in the tracks bucket.
s3.put_bucket_notification_configuration(
    Bucket=f"{prefix}-tracks",
    NotificationConfiguration={"QueueConfigurations": [{
        "QueueArn": "arn:minio:sqs::JONQUILS:webhook",
        "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "u/"}]}},
    }]},
)
sns = boto3.client("sns", endpoint_url=aws_url, region_name="us-east-1",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
sqs = boto3.client("sqs", endpoint_url=aws_url, region_name="us-east-1",
                   aws_access_key_id="testing", aws_secret_access_key="testing")
# The analytics queue with its dead-letter queue after 5 receives, as stacks/ define them.
dlq = sqs.create_queue(QueueName=f"{prefix}-analytics-dlq")["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
queue = sqs.create_queue(QueueName=f"{prefix}-analytics", Attributes={
    "VisibilityTimeout": "60",
    "RedrivePolicy": '{"deadLetterTargetArn":"%s","maxReceiveCount":"5"}' % dlq_arn,
})["QueueUrl"]
print(sns.create_topic(Name=f"{prefix}-alerts")["TopicArn"], queue)
PY
)
[ -n "${queue_url:-}" ] || {
  log "could not set the tracks bucket's rule, the queue or the topic (see above). A MinIO started"
  log "before it had the webhook target refuses the rule (ARN does not exist): restart it with"
  log "bash scripts/servers/minio.sh down && bash scripts/servers/minio.sh up"
  exit 1
}

# The SDK signs every call with MinIO's credentials (moto accepts any).
export AWS_ACCESS_KEY_ID=$TEST_S3_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$TEST_S3_SECRET_ACCESS_KEY
export AWS_REGION=us-east-1 AWS_ENDPOINT_URL_SNS=$TEST_AWS_ENDPOINT ALERTS_TOPIC_ARN=$topic
export AWS_ENDPOINT_URL_SQS=$TEST_AWS_ENDPOINT ANALYTICS_QUEUE_URL=$queue_url
export S3_ENDPOINT=$TEST_S3_ENDPOINT S3_FORCE_PATH_STYLE=true S3_EVENTS_PORT=19541
export S3_BUCKET_TRACKS=$prefix-tracks S3_BUCKET_COVERS=$prefix-covers
export S3_BUCKET_PLAYLISTS=$prefix-playlists S3_BUCKET_TEMP=$prefix-temp
export OPENSEARCH_URL REDIS_URL
unset AWS_ENDPOINT_URL_SSM AWS_ENDPOINT_URL_EVENTBRIDGE
log "PostgreSQL ($DATABASE_URL), Redis, OpenSearch $OPENSEARCH_URL, MinIO $S3_ENDPOINT, moto SQS/SNS $TEST_AWS_ENDPOINT, chDB under $DATA_DIR"
exec npx tsx packages/local/src/start.ts
