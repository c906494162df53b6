# shellcheck shell=sh disable=SC2034  # variables are read by /init
# Profile "none": radios exist (with the scheme's addresses) and are left down.
PROFILE_RADIOS=1

profile_up() {
  return 0
}
