#!/usr/bin/env bash
# Part of `npm run test:servers`: the localstack/ init script (run by LocalStack on machines with
# Docker) against moto instead, so its AWS calls are checked without Docker or LocalStack
# (~90 s: one AWS CLI start per call).
# `awslocal` is a shim for the AWS CLI (pinned in scripts/servers/requirements.txt) with
# --endpoint-url on moto (TEST_AWS_ENDPOINT). The run uses moto's account (123456789012 in the
# ARNs instead of LocalStack's 000000000000) and a fresh name prefix, so it never touches other
# suites' resources. Then it checks what the script made: buckets with
# CORS and the temp bucket's expiry, the queues and their redrive policies, the topic, the
# functions and the analytics event source mapping, the state machine with every function
# ARN substituted, and the object-created rule with its pattern, target and dead-letter queue.
# Prints one line; exits non-zero on the first failed call or check.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source-path=SCRIPTDIR source=servers/lib/common.bash
. scripts/servers/lib/common.bash
: "${TEST_AWS_ENDPOINT:?TEST_AWS_ENDPOINT: run after scripts/servers/moto.sh env}"
ensure_venv

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix="jqdry$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
unset AWS_ENDPOINT_URL_SQS AWS_ENDPOINT_URL_SNS AWS_ENDPOINT_URL_SSM AWS_ENDPOINT_URL_EVENTBRIDGE
aws() { "$VENV/bin/aws" --endpoint-url "$TEST_AWS_ENDPOINT" "$@"; }

mkdir -p "$tmp/bin"
cat >"$tmp/bin/awslocal" <<SH
#!/usr/bin/env bash
printf '%s\n' "\$1 \$2" >>"$tmp/calls"
exec "$VENV/bin/aws" --endpoint-url "$TEST_AWS_ENDPOINT" "\$@"
SH
chmod +x "$tmp/bin/awslocal"

# What LocalStack provides around the script: the hot-reload code location (here: a bucket
# with a stub archive per function) and the IAM role the functions name.
functions_dir="/dry-run/$prefix"
aws s3api create-bucket --bucket hot-reload >/dev/null 2>&1 || true
(cd "$tmp" && printf 'export const handler = async () => null;\n' >index.mjs && python3 -m zipfile -c stub.zip index.mjs)
for fn in pipeline-extract pipeline-transform pipeline-load pipeline-index pipeline-aggregate \
  pipeline-mark-failed analytics-consumer; do
  aws s3api put-object --bucket hot-reload --key "$functions_dir/$fn" --body "$tmp/stub.zip" >/dev/null
done
aws iam create-role --role-name "$prefix-local" --assume-role-policy-document \
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}' >/dev/null

if ! PATH="$tmp/bin:$PATH" JONQUILS_PREFIX=$prefix JONQUILS_ACCOUNT=123456789012 JONQUILS_FUNCTIONS_DIR=$functions_dir \
  JONQUILS_ASL_FILE=packages/pipeline/src/asl/ingest.asl.json \
  bash localstack/init/ready.d/10-jonquils.sh >"$tmp/out" 2>&1; then
  echo "[localstack-init] the init script failed against moto:" >&2
  tail -n 30 "$tmp/out" >&2
  exit 1
fi

fail() {
  echo "[localstack-init] check failed: $*" >&2
  exit 1
}
# (moto 5.2.5 accepts the buckets' EventBridgeConfiguration but does not return it: not checked.)
for b in tracks covers playlists temp; do
  aws s3api get-bucket-cors --bucket "$prefix-$b" | grep -q 'http://localhost:3000' ||
    fail "$prefix-$b has no CORS rule for the web app"
done
aws s3api get-bucket-lifecycle-configuration --bucket "$prefix-temp" | grep -q '"Days": 1' ||
  fail "the temp bucket has no one-day expiry"
q=$(aws sqs get-queue-url --queue-name "$prefix-analytics" --query QueueUrl --output text)
aws sqs get-queue-attributes --queue-url "$q" --attribute-names RedrivePolicy VisibilityTimeout \
  --output json | grep -q "$prefix-analytics-dlq" || fail "the analytics queue has no dead-letter queue"
aws sns list-topics --output text | grep -q ":$prefix-alerts" || fail "no alerts topic"
n=$(aws lambda list-functions --query "length(Functions[?starts_with(FunctionName, '$prefix-')])" --output text)
[ "$n" = 7 ] || fail "$n functions instead of 7"
aws lambda list-event-source-mappings --function-name "$prefix-analytics-consumer" --output text |
  grep -q ":$prefix-analytics" || fail "the analytics consumer reads no queue"
machine=$(aws stepfunctions list-state-machines \
  --query "stateMachines[?name=='$prefix-ingest'].stateMachineArn" --output text)
definition=$(aws stepfunctions describe-state-machine --state-machine-arn "$machine" --query definition --output text)
if grep -q 'FunctionArn}' <<<"$definition"; then fail "the state machine still has \${…FunctionArn} placeholders"; fi
for step in extract transform load index aggregate mark-failed; do
  grep -q "function:$prefix-pipeline-$step\"" <<<"$definition" || fail "the state machine does not call $prefix-pipeline-$step"
done
aws events describe-rule --name "$prefix-object-created" --query EventPattern --output text |
  grep -q '"prefix": *"u/"' || fail "the object-created rule does not filter on u/"
aws events list-targets-by-rule --rule "$prefix-object-created" --output json |
  grep -q "$prefix-ingest-dlq" || fail "the rule's target has no dead-letter queue"

calls=$(wc -l <"$tmp/calls")
printf '%-16s%-42s %s\n' localstack-init "dry run (moto ${MOTO_VERSION:-})" "$calls calls, resources checked"
