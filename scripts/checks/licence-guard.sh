#!/usr/bin/env bash
# Proves that the build refuses licence-keyed Akka: a throwaway module under target/ that inherits
# the parent pom and asks for akka-actor 2.8.8 must fail `mvn validate`, naming the reason.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="$ROOT/target/licence-guard"
mkdir -p "$DIR"
cat >"$DIR/pom.xml" <<'POM'
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>dev.detour</groupId>
    <artifactId>detour-parent</artifactId>
    <version>0.1.0-SNAPSHOT</version>
    <relativePath>../../pom.xml</relativePath>
  </parent>
  <artifactId>detour-licence-guard</artifactId>
  <dependencies>
    <dependency>
      <groupId>com.typesafe.akka</groupId>
      <artifactId>akka-actor_2.13</artifactId>
      <version>2.8.8</version>
    </dependency>
  </dependencies>
</project>
POM
if output="$(mvn -B -f "$DIR/pom.xml" validate 2>&1)"; then
  echo "licence guard: FAILED - a module asking for akka-actor 2.8.8 passed validate" >&2
  exit 1
fi
if ! grep -q "later Akka releases need a commercial licence key" <<<"$output"; then
  echo "licence guard: FAILED - validate failed, but not for the banned Akka version:" >&2
  echo "$output" | tail -20 >&2
  exit 1
fi
echo "licence guard: ok - akka-actor 2.8.8 is refused: $(grep -m1 -o "akka-actor_2.13:jar:2.8.8 <--- banned" <<<"$output" || echo banned)"
