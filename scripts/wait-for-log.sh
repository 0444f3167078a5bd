# Sourced by scripts that start processes: wait_for_log FILE PATTERN SECONDS waits until FILE holds
# PATTERN, or gives up after SECONDS, showing the end of FILE. ${WAITER:-detour} names the caller.
wait_for_log() {
  local file=$1 pattern=$2 patience=$3 i
  for ((i = 0; i < patience * 10; i++)); do
    grep -q "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "${WAITER:-detour}: gave up waiting for '$pattern' in $file:" >&2
  tail -20 "$file" >&2
  return 1
}
