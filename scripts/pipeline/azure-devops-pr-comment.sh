#!/usr/bin/env bash
# Azure DevOps (templates/plan-stage.yml): posts the plan guard's summary as a pull request thread
# (Azure Repos REST API, Pull Request Threads - Create, api-version 7.1). Needs SYSTEM_ACCESSTOKEN
# and the build service's "Contribute to pull requests" permission. Outside a pull request
# (no SYSTEM_PULLREQUEST_PULLREQUESTID) it does nothing.
#   scripts/pipeline/azure-devops-pr-comment.sh <summary.md>
set -euo pipefail
USAGE="azure-devops-pr-comment.sh <summary.md>"
# shellcheck source=scripts/pipeline/lib.sh
source "$(dirname "$0")/lib.sh"
summary="${1:-}"
need "<summary.md>" "$summary"
if [[ -z "${SYSTEM_PULLREQUEST_PULLREQUESTID:-}" ]]; then
  echo "azure-devops-pr-comment.sh: not a pull request build; nothing to comment"
  exit 0
fi
[[ -n "${SYSTEM_ACCESSTOKEN:-}" ]] || die "SYSTEM_ACCESSTOKEN is not set: add  SYSTEM_ACCESSTOKEN: \$(System.AccessToken)  to the step's env"
if [[ -s "$summary" ]]; then body="$(cat "$summary")"; else body="The plan guard wrote no summary; see the pipeline log."; fi
content="### Plan of \`${KMS_ENVIRONMENT:-?}\`"$'\n\n'"$body"
json="$(node -e 'process.stdout.write(JSON.stringify({ comments: [{ parentCommentId: 0, content: process.argv[1], commentType: 1 }], status: 1 }))' "$content")"
url="${SYSTEM_COLLECTIONURI}${SYSTEM_TEAMPROJECT}/_apis/git/repositories/${BUILD_REPOSITORY_ID}/pullRequests/${SYSTEM_PULLREQUEST_PULLREQUESTID}/threads?api-version=7.1"
curl --fail-with-body --silent --show-error -X POST -H "Authorization: Bearer $SYSTEM_ACCESSTOKEN" -H "Content-Type: application/json" --data "$json" "$url" >/dev/null
echo "azure-devops-pr-comment.sh: commented on pull request $SYSTEM_PULLREQUEST_PULLREQUESTID"
