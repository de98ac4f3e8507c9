#!/usr/bin/env bash
# Deploys vodhook to Tencent Cloud SCF with the Serverless Cloud Framework
# CLI (scf) and checks the deployed function with signed test
# notifications. The classic `serverless` CLI no longer deploys to Tencent
# Cloud, so this script calls `scf`.
#
# Credentials come only from the environment, and are never written to a
# file: either Tencent's installer names (SECRET_ID, SECRET_KEY, APPID,
# optional SUBAPPID) or the Serverless Cloud Framework's (TENCENT_SECRET_ID,
# TENCENT_SECRET_KEY, optional TENCENT_TOKEN, TENCENT_APP_ID).
#
# Run deploy/install.sh --help for the options.
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: deploy/install.sh [--dry-run] [--url URL] [--set-callback [--force]] [--unsigned]

Builds vodhook, checks it (vodhook preflight), deploys it with `scf deploy`,
prints its callback URL and sends signed test notifications to it
(vodhook smoke).

Options:
  --dry-run       print every step without running it; needs neither the
                  CLI tools nor credentials
  --url URL       the function's callback URL, when scf's output does not
                  show it (find it under Function URL in the SCF console)
  --set-callback  then point VOD's callbacks at the function
                  (vodhook callback set); it refuses to replace a different
                  callback URL unless --force is given
  --force         with --set-callback: replace a different callback URL
  --unsigned      deploy without VOD_SIGN_KEY, so the function accepts
                  unsigned callbacks (not recommended)

Environment:
  SECRET_ID, SECRET_KEY, APPID, SUBAPPID           Tencent's installer names
  TENCENT_SECRET_ID, TENCENT_SECRET_KEY, TENCENT_TOKEN, TENCENT_APP_ID
                                                   the Serverless Cloud
                                                   Framework's names
  SCF_REGION       region of the function (default ap-guangzhou)
  VOD_REGION, VOD_SUBAPPID, VOD_DEFINITIONS        the function's settings
  VOD_SIGN_KEY     callback sign key, 1 to 32 letters and digits; required
                   unless --unsigned. Generate one with:
                   export VOD_SIGN_KEY=$(LC_ALL=C tr -dc A-Za-z0-9 </dev/urandom | head -c 32)
EOF
}

dry_run=0
set_callback=0
force=0
unsigned=0
function_url=""
while [ $# -gt 0 ]; do
	case "$1" in
	--dry-run) dry_run=1 ;;
	--set-callback) set_callback=1 ;;
	--force) force=1 ;;
	--unsigned) unsigned=1 ;;
	--url)
		[ $# -ge 2 ] || { echo "install.sh: --url needs a value" >&2; exit 2; }
		function_url="$2"
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		echo "install.sh: unknown option $1" >&2
		usage >&2
		exit 2
		;;
	esac
	shift
done

log() {
	printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"
}

case "$function_url" in
"" | http://* | https://*) ;;
*)
	echo "install.sh: --url $function_url is not an http(s) URL" >&2
	exit 2
	;;
esac

fail() {
	log "ERROR: $*" >&2
	exit 1
}

# blocked records a problem that stops a real run; a dry run lists them all
# at the end.
blocked=()
block() {
	if [ "$dry_run" = 1 ]; then
		log "[dry-run] $1"
		blocked+=("$2")
	else
		fail "$1"
	fi
}

# run prints a command and runs it, or only prints it in a dry run. No
# command passed to it contains a secret: secrets travel in the environment.
run() {
	if [ "$dry_run" = 1 ]; then
		log "[dry-run] would run: $*"
		return 0
	fi
	log "running: $*"
	"$@"
}

cd "$(dirname "$0")/.."

# The tools: Go builds the function, Node.js and npm carry the scf CLI.
check_tools() {
	local missing=0
	if command -v go >/dev/null 2>&1; then
		local version
		version=$(go env GOVERSION 2>/dev/null || echo unknown)
		case "$version" in
		go1.2[6-9]* | go1.[3-9][0-9]* | go[2-9]*) log "found Go $version" ;;
		*)
			log "Go $version is too old: install Go 1.26 or newer from https://go.dev/dl/"
			missing=1
			;;
		esac
	else
		log "Go is missing: install Go 1.26 or newer from https://go.dev/dl/"
		missing=1
	fi
	if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
		log "found Node.js $(node --version) and npm $(npm --version)"
	else
		log "Node.js or npm is missing: install Node.js with npm from https://nodejs.org/ or your distribution's packages"
		missing=1
	fi
	if command -v scf >/dev/null 2>&1; then
		log "found the Serverless Cloud Framework CLI (scf)"
	else
		log "the Serverless Cloud Framework CLI is missing: npm install -g serverless-cloud-framework"
		if command -v serverless >/dev/null 2>&1; then
			log "the classic serverless CLI is installed, but it no longer deploys to Tencent Cloud; vodhook uses scf"
		fi
		missing=1
	fi

	if [ "$missing" = 1 ]; then
		block "install the missing tools listed above, then run deploy/install.sh again" "tools"
	fi
}

# Credentials: map Tencent's installer names to the Serverless Cloud
# Framework's, which scf reads. Values are never printed.
check_credentials() {
	if [ -z "${TENCENT_SECRET_ID:-}" ] && [ -n "${SECRET_ID:-}${SECRET_KEY:-}" ]; then
		export TENCENT_SECRET_ID="${SECRET_ID:-}"
		export TENCENT_SECRET_KEY="${SECRET_KEY:-}"
		export TENCENT_APP_ID="${TENCENT_APP_ID:-${APPID:-}}"
		log "credentials: Tencent's installer names (SECRET_ID, SECRET_KEY)"
	elif [ -n "${TENCENT_SECRET_ID:-}${TENCENT_SECRET_KEY:-}" ]; then
		log "credentials: Serverless Cloud Framework names (TENCENT_SECRET_ID, TENCENT_SECRET_KEY)"
	fi

	local missing=""
	[ -n "${TENCENT_SECRET_ID:-}" ] || missing="SECRET_ID (or TENCENT_SECRET_ID)"
	[ -n "${TENCENT_SECRET_KEY:-}" ] || missing="${missing:+$missing and }SECRET_KEY (or TENCENT_SECRET_KEY)"
	if [ -n "$missing" ]; then
		block "missing credentials: $missing; export SECRET_ID and SECRET_KEY (Tencent's installer names), or TENCENT_SECRET_ID and TENCENT_SECRET_KEY (add TENCENT_TOKEN for temporary keys); APPID or TENCENT_APP_ID is optional" "credentials"
	fi
	if [ -n "${SUBAPPID:-}" ] && [ -z "${VOD_SUBAPPID:-}" ]; then
		export VOD_SUBAPPID="$SUBAPPID"
	fi
}

# Settings that serverless.yml reads as ${env:NAME}.
check_settings() {
	export SCF_REGION="${SCF_REGION:-ap-guangzhou}"
	export VOD_REGION="${VOD_REGION:-ap-guangzhou}"
	export VOD_SUBAPPID="${VOD_SUBAPPID:-0}"
	export VOD_DEFINITIONS="${VOD_DEFINITIONS:-100010,100020}"
	export VOD_SIGN_KEY="${VOD_SIGN_KEY:-}"
	log "function region $SCF_REGION; VOD region $VOD_REGION, sub-application $VOD_SUBAPPID, templates $VOD_DEFINITIONS"

	if [ "$unsigned" = 1 ] && [ -n "$VOD_SIGN_KEY" ]; then
		log "--unsigned: VOD_SIGN_KEY is set but not deployed"
		VOD_SIGN_KEY=""
	fi
	if [ -n "$VOD_SIGN_KEY" ]; then
		case "$VOD_SIGN_KEY" in
		*[!A-Za-z0-9]*) fail "VOD_SIGN_KEY must be 1 to 32 letters and digits; VOD rejects other keys" ;;
		esac
		[ "${#VOD_SIGN_KEY}" -le 32 ] || fail "VOD_SIGN_KEY has ${#VOD_SIGN_KEY} characters; VOD accepts at most 32"
		log "callbacks must be signed with VOD_SIGN_KEY (set; not printed)"
	elif [ "$unsigned" = 1 ]; then
		log "WARNING: no VOD_SIGN_KEY: the function will accept unsigned callbacks from anyone who knows its URL"
	else
		block "VOD_SIGN_KEY is not set; export a key of up to 32 letters and digits, e.g. export VOD_SIGN_KEY=\$(LC_ALL=C tr -dc A-Za-z0-9 </dev/urandom | head -c 32), or pass --unsigned" "VOD_SIGN_KEY"
	fi
}

# find_url looks for the public Function URL in scf's output.
# NOTE: scf's output format is not documented; the pattern matches the
# public Function URL form https://<appid>-<id>.<region>.tencentscf.com
# wherever it appears, and --url covers output that lacks it.
find_url() {
	grep -Eo 'https://[0-9]+-[A-Za-z0-9]+\.[a-z0-9-]+\.tencentscf\.com/?[^ "'"'"']*' "$1" | head -n 1 || true
}

log "vodhook deployment$([ "$dry_run" = 1 ] && echo " (dry run: nothing is built, deployed or sent)")"
if [ "$force" = 1 ] && [ "$set_callback" = 0 ]; then
	log "WARNING: --force has no effect without --set-callback"
fi
log "step 1/6: tools"
check_tools
log "step 2/6: credentials and settings"
check_credentials
check_settings

log "step 3/6: build"
run make build
run build/vodhook preflight

log "step 4/6: deploy with the Serverless Cloud Framework"
deploy_output=$(mktemp)
trap 'rm -f "$deploy_output"' EXIT
if [ "$dry_run" = 1 ]; then
	log "[dry-run] would run: scf deploy"
else
	log "running: scf deploy"
	scf deploy 2>&1 | tee "$deploy_output"
	[ "${PIPESTATUS[0]}" = 0 ] || fail "scf deploy failed; its output is above"
fi

log "step 5/6: callback URL"
if [ -z "$function_url" ] && [ "$dry_run" = 0 ]; then
	function_url=$(find_url "$deploy_output")
	if [ -z "$function_url" ]; then
		scf info >"$deploy_output" 2>&1 || true
		function_url=$(find_url "$deploy_output")
	fi
fi
if [ -z "$function_url" ]; then
	if [ "$dry_run" = 1 ]; then
		function_url="https://${TENCENT_APP_ID:-<APPID>}-<id>.$SCF_REGION.tencentscf.com/"
	else
		fail "no Function URL in scf's output: find it under Function URL in the SCF console, then run deploy/install.sh --url URL again, or build/vodhook smoke -url URL"
	fi
fi
log "callback URL: $function_url"

log "step 6/6: test notifications"
run build/vodhook smoke -url "$function_url"

if [ "$set_callback" = 1 ]; then
	log "pointing VOD's callbacks at the function"
	callback_args=(build/vodhook callback set -url "$function_url")
	if [ "$force" = 1 ]; then
		callback_args+=(-force)
	fi
	# vodhook reads the function's credential variables.
	TENCENTCLOUD_SECRETID="${TENCENT_SECRET_ID:-}" TENCENTCLOUD_SECRETKEY="${TENCENT_SECRET_KEY:-}" \
		TENCENTCLOUD_SESSIONTOKEN="${TENCENT_TOKEN:-}" run "${callback_args[@]}"
else
	log "next: point VOD's callbacks at the function (it refuses to replace another URL without -force):"
	log "  TENCENTCLOUD_SECRETID=... TENCENTCLOUD_SECRETKEY=... VOD_SUBAPPID=$VOD_SUBAPPID VOD_SIGN_KEY=... build/vodhook callback set -url $function_url"
fi
if [ "${#blocked[@]}" -gt 0 ]; then
	log "dry run done; a real run would stop at: ${blocked[*]}"
else
	log "done"
fi
