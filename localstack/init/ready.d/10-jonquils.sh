#!/usr/bin/env bash
# Runs inside LocalStack once it is ready (awslocal is on its PATH): the AWS side of the
# containers wiring, mirroring the SST stacks — buckets with EventBridge notifications,
# the analytics queue and its consumer, the ingest state machine from the one shared ASL
# file with the step functions' ARNs substituted, the S3 → EventBridge → Step Functions
# rule (uploads under u/ only) with its dead-letter queue, and the alerts topic.
# The functions' code is the bundles `npm run dev:containers` writes to localstack/build,
# mounted with LocalStack's hot-reload code location (rebuild and the next call runs it).
set -euo pipefail

# The JONQUILS_* overrides are for the dry run against moto (scripts/localstack-dry-run.sh).
REGION=us-east-1
ACCOUNT=${JONQUILS_ACCOUNT:-000000000000}
PREFIX=${JONQUILS_PREFIX:-jonquils}
ASL_FILE=${JONQUILS_ASL_FILE:-/opt/jonquils/ingest.asl.json}
FUNCTIONS_DIR=${JONQUILS_FUNCTIONS_DIR:?JONQUILS_FUNCTIONS_DIR: the host path of localstack/build}
ROLE=arn:aws:iam::${ACCOUNT}:role/${PREFIX}-local

echo "jonquils: creating buckets, queues, topic, functions, state machine and rules"

for name in tracks covers playlists temp; do
  bucket="${PREFIX}-${name}"
  awslocal s3api create-bucket --bucket "$bucket" >/dev/null
  awslocal s3api put-bucket-cors --bucket "$bucket" --cors-configuration '{
    "CORSRules": [{
      "AllowedOrigins": ["http://localhost:3000", "http://127.0.0.1:3000"],
      "AllowedMethods": ["POST", "PUT", "GET", "HEAD"],
      "AllowedHeaders": ["*"],
      "ExposeHeaders": ["ETag", "Content-Length", "Content-Range", "Accept-Ranges"],
      "MaxAgeSeconds": 3600
    }]}'
  awslocal s3api put-bucket-notification-configuration --bucket "$bucket" \
    --notification-configuration '{"EventBridgeConfiguration": {}}'
done
awslocal s3api put-bucket-lifecycle-configuration --bucket "${PREFIX}-temp" --lifecycle-configuration '{
  "Rules": [{"ID": "temp-expiry", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 1}}]}'

# Queues: analytics (with its DLQ after 5 receives) and the ingest rule's DLQ.
analytics_dlq_url=$(awslocal sqs create-queue --queue-name "${PREFIX}-analytics-dlq" --query QueueUrl --output text)
analytics_dlq_arn=$(awslocal sqs get-queue-attributes --queue-url "$analytics_dlq_url" \
  --attribute-names QueueArn --query Attributes.QueueArn --output text)
awslocal sqs create-queue --queue-name "${PREFIX}-analytics" --attributes "{
  \"VisibilityTimeout\": \"360\",
  \"RedrivePolicy\": \"{\\\"deadLetterTargetArn\\\":\\\"${analytics_dlq_arn}\\\",\\\"maxReceiveCount\\\":\\\"5\\\"}\"}" >/dev/null
ingest_dlq_url=$(awslocal sqs create-queue --queue-name "${PREFIX}-ingest-dlq" --query QueueUrl --output text)
ingest_dlq_arn=$(awslocal sqs get-queue-attributes --queue-url "$ingest_dlq_url" \
  --attribute-names QueueArn --query Attributes.QueueArn --output text)
awslocal sns create-topic --name "${PREFIX}-alerts" >/dev/null

# The functions, with the environment the stacks give them (servers by compose service name).
ENVIRONMENT="Variables={NODE_ENV=production,LOG_LEVEL=info,POWERTOOLS_SERVICE_NAME=jonquils,\
POWERTOOLS_METRICS_NAMESPACE=Jonquils,\
DATABASE_URL=postgres://jonquils:jonquils@postgres:5432/jonquils,REDIS_URL=redis://valkey:6379,\
OPENSEARCH_URL=http://opensearch:9200,CLICKHOUSE_URL=http://clickhouse:8123,CLICKHOUSE_USER=jonquils,\
CLICKHOUSE_PASSWORD=jonquils,CLICKHOUSE_DATABASE=jonquils,\
S3_ENDPOINT=http://localstack:4566,S3_FORCE_PATH_STYLE=true,S3_BUCKET_TRACKS=${PREFIX}-tracks,\
S3_BUCKET_COVERS=${PREFIX}-covers,S3_BUCKET_PLAYLISTS=${PREFIX}-playlists,S3_BUCKET_TEMP=${PREFIX}-temp}"

create_function() { # name timeout memory
  awslocal lambda create-function --function-name "${PREFIX}-$1" --runtime nodejs22.x \
    --handler index.handler --role "$ROLE" --timeout "$2" --memory-size "$3" \
    --code "S3Bucket=hot-reload,S3Key=${FUNCTIONS_DIR}/$1" \
    --environment "$ENVIRONMENT" >/dev/null
}
for step in extract load index aggregate mark-failed; do create_function "pipeline-$step" 30 512; done
create_function pipeline-transform 300 2048
create_function analytics-consumer 60 512
awslocal lambda create-event-source-mapping --function-name "${PREFIX}-analytics-consumer" \
  --event-source-arn "arn:aws:sqs:${REGION}:${ACCOUNT}:${PREFIX}-analytics" \
  --batch-size 100 --maximum-batching-window-in-seconds 5 \
  --function-response-types ReportBatchItemFailures >/dev/null

# The state machine: the shared ASL with ${XFunctionArn} → the step function's ARN
# (ExtractFunctionArn → jonquils-pipeline-extract, MarkFailedFunctionArn → …-mark-failed).
definition=$(sed -E \
  -e 's/\$\{([A-Z][A-Za-z]*)FunctionArn\}/__ARN__\1__/g' "$ASL_FILE" |
  perl -pe 's/__ARN__([A-Za-z]+)__/"arn:aws:lambda:'"${REGION}:${ACCOUNT}"':function:'"${PREFIX}"'-pipeline-" . lc(join("-", $1 =~ m{[A-Z][a-z]*}g))/ge')
machine_arn=$(awslocal stepfunctions create-state-machine --name "${PREFIX}-ingest" \
  --definition "$definition" --role-arn "$ROLE" --query stateMachineArn --output text)

awslocal events put-rule --name "${PREFIX}-object-created" --event-pattern "{
  \"source\": [\"aws.s3\"], \"detail-type\": [\"Object Created\"],
  \"detail\": {\"bucket\": {\"name\": [\"${PREFIX}-tracks\"]}, \"object\": {\"key\": [{\"prefix\": \"u/\"}]}}}" >/dev/null
awslocal events put-targets --rule "${PREFIX}-object-created" --targets "[{
  \"Id\": \"ingest\", \"Arn\": \"${machine_arn}\", \"RoleArn\": \"${ROLE}\",
  \"DeadLetterConfig\": {\"Arn\": \"${ingest_dlq_arn}\"},
  \"RetryPolicy\": {\"MaximumRetryAttempts\": 8, \"MaximumEventAgeInSeconds\": 21600}}]" >/dev/null

echo "jonquils: ready (state machine ${machine_arn})"
