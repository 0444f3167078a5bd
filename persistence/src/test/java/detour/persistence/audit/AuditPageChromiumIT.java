package detour.persistence.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The audit's HTML page as a browser sees it: headless Chromium parses the page of a staged outage
 * (its DOM must hold every phase as a band, every trip and probe as a marker, every interval as a
 * bar) and draws it (the picture must show the open, closed and failover colours). Without
 * Chromium the test is skipped, saying how to install it; with {@code CI=true} it fails instead.
 * The screenshot is left in {@code target/audit-page/audit-timeline.png} (docs/audit-timeline.png
 * is one of them).
 */
class AuditPageChromiumIT {
  static final Path OUT = Path.of("target", "audit-page");
  static final Pattern TAG = Pattern.compile("<(rect|g) ([^>]*)>");
  static final Pattern ATTRIBUTE = Pattern.compile("([a-z-]+)=\"([^\"]*)\"");

  @Test
  void chromiumShowsEveryPhaseOfAStagedOutageAsABandAndEveryIntervalAsABar() throws Exception {
    Path chromium = chromium();
    Files.createDirectories(OUT);
    Path page = OUT.resolve("incident.html").toAbsolutePath();
    Files.writeString(page, StagedOutage.report(AuditFilter.everything()).html(), StandardCharsets.UTF_8);

    String dom = run(chromium, "--dump-dom", page.toUri().toString());
    List<java.util.Map<String, String>> tags = tags(dom);
    assertEquals(2, count(tags, "band", "openai/gpt-4o", "closed"), "before the trip and after the recovery");
    assertEquals(3, count(tags, "band", "openai/gpt-4o", "open"), "the trip and two failed probes");
    assertEquals(3, count(tags, "band", "openai/gpt-4o", "half_open"));
    assertEquals(2, count(tags, "band", "openai/gpt-4o", "recovering"), "two ramp stages");
    assertEquals(0, count(tags, "band", "openai/gpt-4o", "drained"));
    assertEquals(2, count(tags, "band", "groq/llama-3.3-70b-versatile", "closed"));
    assertEquals(1, count(tags, "band", "groq/llama-3.3-70b-versatile", "open"));
    assertEquals(2, markers(tags, "trip"));
    assertEquals(2, markers(tags, "probe_failed"));
    assertEquals(3 + 1, markers(tags, "probing"));
    assertEquals(2, markers(tags, "probes_passed"));
    long intervalsFromGpt = StagedOutage.intervals().stream()
        .filter(i -> i.failovers().stream().anyMatch(f -> f.from().equals(StagedOutage.GPT_REF) && f.answered())).count();
    assertEquals(intervalsFromGpt, tags.stream().filter(t -> "bar".equals(t.get("class"))
        && "openai/gpt-4o".equals(t.get("data-scope")) && "failed_over".equals(t.get("data-kind"))).count());
    assertTrue(dom.contains("<title>Detour audit: 2 incidents, 2026-11-25T14:01:58Z to 2026-11-25T14:06:22Z</title>"), dom);

    Path png = OUT.resolve("audit-timeline.png").toAbsolutePath();
    Files.deleteIfExists(png);
    run(chromium, "--screenshot=" + png, "--window-size=1400,900", page.toUri().toString());
    BufferedImage picture = ImageIO.read(png.toFile());
    assertEquals(1400, picture.getWidth());
    assertEquals(900, picture.getHeight());
    assertTrue(pixels(picture, 0xd64541) > 5_000, "open circuits are drawn red");
    assertTrue(pixels(picture, 0x8fd19e) > 5_000, "closed ones green");
    assertTrue(pixels(picture, 0x1f9e89) > 5_000, "failovers as teal bars");
  }

  /** /usr/bin/chromium (or $DETOUR_CHROMIUM); skips without it, or fails when CI=true. */
  static Path chromium() {
    Path chromium = Path.of(System.getenv().getOrDefault("DETOUR_CHROMIUM", "/usr/bin/chromium"));
    if (Files.isExecutable(chromium)) return chromium;
    String why = "headless Chromium is not at " + chromium + ", so the audit's HTML page was not rendered;"
        + " scripts/checks/ensure-chromium.sh installs it (apt-get install chromium), as scripts/detour test does";
    if ("true".equals(System.getenv("CI"))) fail(why + ". CI=true: the page must be checked in CI.");
    Assumptions.abort(why);
    return chromium;
  }

  /** Runs headless Chromium on a fresh profile, bounded in time; returns what it printed. */
  static String run(Path chromium, String... args) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("detour-chromium");
    Path errors = OUT.resolve("chromium.log");
    List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--hide-scrollbars", "--user-data-dir=" + profile));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("chromium did not finish within 120 s: " + command);
    }
    assertEquals(0, process.exitValue(), "chromium failed; see " + errors.toAbsolutePath());
    return new String(out, StandardCharsets.UTF_8);
  }

  static List<java.util.Map<String, String>> tags(String dom) {
    List<java.util.Map<String, String>> tags = new ArrayList<>();
    Matcher tag = TAG.matcher(dom);
    while (tag.find()) {
      java.util.Map<String, String> attributes = new java.util.HashMap<>();
      Matcher attribute = ATTRIBUTE.matcher(tag.group(2));
      while (attribute.find()) attributes.put(attribute.group(1), attribute.group(2));
      tags.add(attributes);
    }
    return tags;
  }

  static long count(List<java.util.Map<String, String>> tags, String cls, String scope, String state) {
    return tags.stream().filter(t -> cls.equals(t.get("class")) && scope.equals(t.get("data-scope"))
        && state.equals(t.get("data-state"))).count();
  }

  static long markers(List<java.util.Map<String, String>> tags, String kind) {
    return tags.stream().filter(t -> "marker".equals(t.get("class")) && kind.equals(t.get("data-kind"))).count();
  }

  static long pixels(BufferedImage image, int rgb) {
    long n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == rgb) n++;
      }
    }
    return n;
  }
}
