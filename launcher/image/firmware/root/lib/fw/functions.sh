# shellcheck shell=sh
# Helpers of the test firmware's init scripts (busybox ash).
# Settings live in /etc/config/NAME as KEY=VALUE lines (no quotes; "#" comments and blank
# lines skipped); the last line of a key wins.

# conf_get FILE KEY [DEFAULT]: the value of KEY in FILE, or DEFAULT when KEY is missing or empty.
conf_get() {
  value=$(sed -n "s/^$2=//p" "$1" 2>/dev/null | tail -n 1)
  echo "${value:-${3:-}}"
}

# say TAG MESSAGE...: to stdout (the console at boot, the caller over SSH) and to syslog.
say() {
  tag=$1
  shift
  echo "$tag: $*"
  logger -t "$tag" "$*" 2>/dev/null
}

# wait_for PATH TENTHS: until PATH exists, at most TENTHS tenths of a second.
wait_for() {
  i=0
  while [ ! -e "$1" ]; do
    [ "$i" -lt "$2" ] || return 1
    usleep 100000
    i=$((i + 1))
  done
}

is_number() {
  case "$1" in '' | *[!0-9]*) return 1 ;; esac
}
