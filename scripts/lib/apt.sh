# scripts/lib/apt.sh -- sourced by the provisioning scripts.
#
# apt_get ARGS...: apt-get with the dpkg lock waited for (another apt may be
# running: up to 10 min), retried while the lists lock is held, and its own
# last lines shown on failure.  APT_WHO names the caller in messages.
apt_get() {
	out=$(mktemp /tmp/danelab-apt.XXXXXX)
	tries=0
	while :; do
		if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@" >"$out" 2>&1; then
			rm -f "$out"
			return 0
		fi
		grep -qE 'Could not get lock|Unable to lock|Unable to acquire' "$out" &&
			[ $tries -lt 120 ] || break
		[ $tries -eq 0 ] && echo "${APT_WHO:-danelab}: waiting for another apt to finish" >&2
		tries=$((tries + 1))
		sleep 5
	done
	sed 's/^/  apt-get: /' "$out" | tail -n 8 >&2
	rm -f "$out"
	return 1
}
