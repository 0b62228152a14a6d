package io.scarcity.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: headless Chromium driven by Selenium through chromedriver (Debian packages chromium
 * and chromium-driver; .ci/run installs them). Skips, saying why, where they are not installed. Runs started from the
 * page are real runs of configs/quickstart.yaml in a new JVM. Screenshots of each view go to
 * target/dashboard-screenshots/ (docs/dashboard.md shows them).
 */
class DashboardBrowserTest {
    @TempDir
    static Path root;
    static Path runs;
    static DashboardServer server;
    static WebDriver browser;
    static String base;
    static final Path SHOTS = Path.of("target", "dashboard-screenshots");

    static Path onPath(String... names) {
        for (String name : names) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    @BeforeAll
    static void start() throws Exception {
        Path chromium = onPath("chromium", "chromium-browser", "google-chrome");
        Path driver = onPath("chromedriver");
        assumeTrue(chromium != null && driver != null, "no headless browser here: the dashboard's browser tests need Chromium and "
                + "chromedriver on the PATH (Debian: apt-get install chromium chromium-driver; .ci/run installs them)");
        runs = Files.createDirectories(root.resolve("runs"));
        Path configs = Files.createDirectories(root.resolve("configs"));
        Files.copy(Path.of("..", "configs", "quickstart.yaml"), configs.resolve("quickstart.yaml"));
        writeTaskConfig(configs);
        server = new DashboardServer(runs, configs, "127.0.0.1", 0, List.of(), new ObjectMapper().createObjectNode());
        base = "http://127.0.0.1:" + server.port() + "/";
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1100");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SHOTS);
        // the address the command prints: the page keeps its token (in this origin's storage) and drops it from the address
        browser.get(server.url("127.0.0.1"));
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().equals(base));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.launcher().stopAll();
            server.close();
        }
    }

    /** Waits, looking again when the page replaced an element while it was read (a live page redraws). */
    static WebDriverWait waitUpTo(int seconds) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(seconds));
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait;
    }

    static void shot(String name) throws Exception {
        ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0)");
        Thread.sleep(300);
        File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), SHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    static String status() {
        return browser.findElement(By.cssSelector("#run-status .status")).getText();
    }

    static int points(String chart) {
        String p = browser.findElement(By.id("chart-" + chart)).getAttribute("data-points");
        return p == null ? 0 : Integer.parseInt(p);
    }

    /** Opens the new-run page with quickstart.yaml, sets rounds (and more controls), and returns after the form is shown. */
    static void newRun(String rounds) {
        browser.get(base + "#/new");
        WebElement r = waitUpTo(20).until(d -> d.findElement(By.id("rounds")));
        r.clear();
        r.sendKeys(rounds);
    }

    static String launchAndOpen() {
        browser.findElement(By.id("launch")).click();
        waitUpTo(90).until(d -> d.getCurrentUrl().contains("#/run/"));
        String url = browser.getCurrentUrl();
        return java.net.URLDecoder.decode(url.substring(url.indexOf("#/run/") + 6), StandardCharsets.UTF_8);
    }

    /** A class-incremental task stream over a small CSV of four Gaussian classes: two tasks of two classes. */
    static void writeTaskConfig(Path configs) throws Exception {
        java.util.Random random = new java.util.Random(7);
        StringBuilder csv = new StringBuilder("x1,x2,x3,label\n");
        for (int i = 0; i < 4000; i++) {
            int c = random.nextInt(4);
            csv.append(String.format(java.util.Locale.ROOT, "%.3f,%.3f,%.3f,c%d%n", c + random.nextGaussian(),
                    (c % 2) * 2 + random.nextGaussian(), random.nextGaussian(), c));
        }
        Files.writeString(configs.resolve("blobs.csv"), csv);
        Files.writeString(configs.resolve("tasks.yaml"), String.join("\n",
                "name: tasks", "seed: 1", "rounds: 8", "batchSize: 50", "batchesPerRound: 4", "domains:", "  - name: d", "    clients: 2",
                "    stream:", "      type: tasks", "      transform: split", "      tasks: 2", "      classesPerTask: 2",
                "      rowsPerTask: 1600", "      schedule: [0, 1]", "      testRowsPerTask: 200",
                "      base: {type: csv, path: blobs.csv, label: label}", "    partition: {type: iid}",
                "experts:", "  - {plugin: statistical}", ""));
    }

    @Test
    void aContinualRunShowsItsAccuracyMatrix() throws Exception {
        browser.get(base + "#/new?config=tasks.yaml");
        waitUpTo(20).until(d -> d.findElement(By.id("config-text")).getText().contains("classesPerTask"));
        String id = launchAndOpen();
        waitUpTo(120).until(d -> status().equals("completed"));
        // one row per segment
        waitUpTo(20).until(d -> d.findElements(By.cssSelector("#continual table.matrix tbody tr")).size() == 2);
        waitUpTo(20).until(d -> d.findElement(By.id("continual")).getText().contains("forgetting"));
        shot("continual.png");
        assertTrue(Files.readString(runs.resolve(id).resolve("summary.json")).contains("\"accuracyMatrix\""));
    }

    @Test
    void anInvalidParameterShowsTheValidationMessageInThePage() throws Exception {
        newRun("-3");
        browser.findElement(By.id("validate")).click();
        WebElement msg = waitUpTo(30).until(d -> {
            WebElement m = d.findElement(By.id("validation"));
            return m.getText().contains("rounds") && !m.getText().contains("validating") ? m : null;
        });
        assertTrue(msg.getText().contains("rounds: expected a whole number >= 1, got -3"), msg.getText());
        assertTrue(msg.getAttribute("class").contains("invalid"));
        shot("new-run-invalid.png");
        long before = Files.list(runs).count();
        browser.findElement(By.id("launch")).click();
        waitUpTo(30).until(d -> d.findElement(By.id("validation")).getText().contains("got -3"));
        assertEquals(before, Files.list(runs).count(), "an invalid launch starts nothing");
        new Select(browser.findElement(By.id("mode"))).selectByValue("local");
        WebElement r = browser.findElement(By.id("rounds"));
        r.clear();
        r.sendKeys("4");
        browser.findElement(By.id("validate")).click();
        waitUpTo(30).until(d -> d.findElement(By.id("validation")).getText().contains("is valid"));
        assertTrue(browser.findElement(By.id("validation")).getText().contains("4 rounds"));
        // drop the drift expert (federation local: no personal twins): the list goes as one experts=[...] override
        browser.findElement(By.id("keep-expert-2")).click();
        browser.findElement(By.id("validate")).click();
        waitUpTo(30).until(d -> d.findElement(By.id("validation")).getText().contains("experts [stat-fast, stat-slow]"));
        browser.findElement(By.id("keep-expert-0")).click();
        browser.findElement(By.id("keep-expert-1")).click();
        browser.findElement(By.id("validate")).click();
        waitUpTo(30).until(d -> d.findElement(By.id("validation")).getText().contains("keep or add at least one expert"));
    }

    @Test
    void aRunStartedFromThePageAppearsAndCompletes() throws Exception {
        newRun("12");
        WebElement clients = browser.findElement(By.id("clients-0"));
        clients.clear();
        clients.sendKeys("4");
        String id = launchAndOpen();
        assertTrue(id.startsWith("quickstart-"), id);
        waitUpTo(120).until(d -> status().equals("completed"));
        waitUpTo(20).until(d -> points("accuracy") == 12);
        assertTrue(Files.exists(runs.resolve(id).resolve("report.html")), "the run wrote its report");
        // each client's own line on demand: 2 domains (line + 2 band edges each) and the mean over all, then 6 clients more
        waitUpTo(20).until(d -> "7".equals(d.findElement(By.id("chart-accuracy")).getAttribute("data-lines")));
        browser.findElement(By.id("each-client")).click();
        waitUpTo(20).until(d -> "13".equals(d.findElement(By.id("chart-accuracy")).getAttribute("data-lines")));
        String config = Files.readString(runs.resolve(id).resolve("config.yaml"));
        assertTrue(config.contains("clients: 4"), "the page's change reached the run");
        shot("run.png");
        // the static report draws the same charts from the file alone, without the server
        browser.get(runs.resolve(id).resolve("report.html").toUri().toString());
        waitUpTo(20).until(d -> points("accuracy") == 12);
        assertTrue(browser.findElement(By.tagName("h1")).getText().contains(id));
        shot("report.png");
        browser.get(base + "#/");
        waitUpTo(20).until(d -> d.findElements(By.cssSelector("tr[data-run='" + id + "'] .status-completed")).size() == 1);
    }

    @Test
    void aLiveRunsChartGainsPointsWithoutAReload() throws Exception {
        Path run = Files.createDirectories(runs.resolve("live-20261207-120000"));
        Files.writeString(run.resolve("config.yaml"), "name: live\n");
        // the lock names a live Scarcity process (another dashboard, started for this): the run reads as running
        List<String> cmd = new java.util.ArrayList<>(Launcher.defaultJava());
        cmd.addAll(List.of("dashboard", "--port", "0", "--runs", root.resolve("other-runs").toString()));
        Process holder = RunStatusTest.startScarcity(cmd);
        try {
            liveRun(run, holder);
        } finally {
            holder.destroyForcibly();
        }
    }

    private void liveRun(Path run, Process holder) throws Exception {
        Files.writeString(run.resolve(".lock"), holder.pid() + " " + holder.info().startInstant().orElseThrow().toEpochMilli() + "\n");
        Files.writeString(run.resolve("run.log"), "round one logged\n");
        Path metrics = run.resolve("metrics.jsonl");
        Files.writeString(metrics, RunSeriesTest.line(1, "a-0", "a", 0.6, 50) + RunSeriesTest.line(1, "a-1", "a", 0.7, 50));
        browser.get(base + "#/run/live-20261207-120000");
        waitUpTo(20).until(d -> d.findElements(By.id("chart-accuracy")).size() == 1 && points("accuracy") == 1);
        waitUpTo(20).until(d -> status().equals("running"));
        ((JavascriptExecutor) browser).executeScript("window.notReloaded = true");
        for (int round = 2; round <= 4; round++) {
            Files.writeString(metrics, RunSeriesTest.line(round, "a-0", "a", 0.6 + 0.05 * round, 50)
                    + RunSeriesTest.line(round, "a-1", "a", 0.65 + 0.05 * round, 50), StandardOpenOption.APPEND);
            Files.writeString(run.resolve("run.log"), "round " + round + " logged\n", StandardOpenOption.APPEND);
            int expected = round;
            waitUpTo(20).until(d -> points("accuracy") == expected);
        }
        assertEquals(Boolean.TRUE, ((JavascriptExecutor) browser).executeScript("return window.notReloaded === true"), "no reload");
        waitUpTo(20).until(d -> d.findElement(By.id("log")).getText().contains("round 4 logged"));
        Files.writeString(run.resolve(".lock"), "");
        Files.writeString(run.resolve("summary.json"), "{\"name\":\"live\",\"status\":\"completed\",\"roundsCompleted\":4,\"roundsPlanned\":4}");
        waitUpTo(20).until(d -> status().equals("completed"));
    }

    @Test
    void aNetworkedRunShowsItsHostsAndWhoWasLeftOut() throws Exception {
        Path run = Files.createDirectories(runs.resolve("networked-20261207-130000"));
        Files.writeString(run.resolve("config.yaml"), "name: networked\ncoordinator:\n  roundDeadline: 5.0\n");
        StringBuilder metrics = new StringBuilder();
        StringBuilder coordinator = new StringBuilder();
        for (int r = 1; r <= 10; r++) {
            metrics.append(RunSeriesTest.line(r, "coast-0", "coast", 0.8 + 0.005 * r, 500));
            if (r <= 6) {
                metrics.append(RunSeriesTest.line(r, "coast-2", "coast", 0.78 + 0.005 * r, 500));
            } else {
                metrics.append("{\"round\":" + r + ",\"client\":\"coast-2\",\"domain\":\"coast\",\"offline\":true,\"missedRows\":500,\"bytesSent\":0}\n");
            }
            coordinator.append("{\"round\":" + r + ",\"offline\":" + (r <= 6 ? "[]" : "[\"coast-2\"]") + ",\"dropped\":[],"
                    + "\"weights\":{\"coast-0\":0.5},\"lossSpread\":0.05,\"converged\":false,\"gossipBytes\":900}\n");
        }
        Files.writeString(run.resolve("metrics.jsonl"), metrics);
        Files.writeString(run.resolve("coordinator.jsonl"), coordinator);
        Files.writeString(run.resolve("audit.jsonl"), String.join("\n",
                "{\"seq\":1,\"time\":\"2026-12-07T13:00:34Z\",\"type\":\"admission\",\"host\":\"/127.0.0.1:60846\",\"certificate\":\"host-b1\",\"decision\":\"admitted for clients 0-1\"}",
                "{\"seq\":2,\"time\":\"2026-12-07T13:00:34Z\",\"type\":\"admission\",\"host\":\"/127.0.0.1:60862\",\"certificate\":\"host-b2\",\"decision\":\"admitted for clients 2-4\"}",
                "{\"seq\":3,\"time\":\"2026-12-07T13:00:35Z\",\"type\":\"refusal\",\"host\":\"/127.0.0.1:60871\",\"certificate\":\"host-c\",\"decision\":\"clients 2-4 are taken by another host\"}", ""));
        Files.writeString(run.resolve("run.log"), "2026-12-07T13:00:39.130Z WARNING io.scarcity.network - host #1 vm [host-b2] at /127.0.0.1:60862 "
                + "was lost in round 7; its clients 2-4 are left out of the round\n");
        Files.writeString(run.resolve("summary.json"), "{\"name\":\"networked\",\"status\":\"completed\",\"roundsCompleted\":10,\"roundsPlanned\":10}");
        browser.get(base + "#/run/networked-20261207-130000");
        waitUpTo(20).until(d -> d.findElements(By.cssSelector("#hosts tbody tr")).size() == 3);
        // the live stream redraws the section: read it inside waits, which look again at a redrawn element
        waitUpTo(20).until(d -> {
            String hosts = d.findElement(By.id("hosts")).getText();
            return hosts.contains("host-b2") && hosts.contains("lost") && hosts.contains("refused");
        });
        waitUpTo(20).until(d -> d.findElement(By.id("federation")).getText().contains("round deadline: 5 s"));
        waitUpTo(20).until(d -> d.findElement(By.id("left-out")).getText().contains("offline: coast-2"));
        ((JavascriptExecutor) browser).executeScript("document.getElementById('federation').scrollIntoView()");
        Thread.sleep(300);
        File f = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), SHOTS.resolve("federation.png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void stopAndResumeFromThePage() throws Exception {
        newRun("100000");
        String id = launchAndOpen();
        waitUpTo(60).until(d -> status().equals("running") && points("accuracy") >= 12);
        browser.findElement(By.id("stop")).click();
        waitUpTo(60).until(d -> status().equals("interrupted"));
        String summary = Files.readString(runs.resolve(id).resolve("summary.json"));
        assertTrue(summary.contains("\"interrupted\""), summary);
        int before = points("accuracy");
        waitUpTo(20).until(d -> d.findElement(By.id("resume")).isEnabled());
        browser.findElement(By.id("resume")).click();
        waitUpTo(60).until(d -> status().equals("running"));
        waitUpTo(60).until(d -> points("accuracy") > before + 5);
        shot("run-live.png");
        browser.findElement(By.id("stop")).click();
        waitUpTo(60).until(d -> status().equals("interrupted"));
        assertTrue(Files.readString(runs.resolve(id).resolve("run.log")).contains("resumed in"), "it was resumed from its checkpoint");
    }

    @Test
    void comparesRunsAndShowsABenchResult() throws Exception {
        for (String name : List.of("a-20261207-110000", "b-20261207-110000")) {
            Path run = Files.createDirectories(runs.resolve(name));
            Files.writeString(run.resolve("config.yaml"), "name: x\n");
            StringBuilder m = new StringBuilder();
            for (int r = 1; r <= 6; r++) {
                m.append(RunSeriesTest.line(r, "d-0", "d", name.startsWith("a") ? 0.5 + 0.05 * r : 0.6 + 0.02 * r, 20));
            }
            Files.writeString(run.resolve("metrics.jsonl"), m);
            Files.writeString(run.resolve("summary.json"), "{\"name\":\"" + name + "\",\"status\":\"completed\",\"roundsCompleted\":6,"
                    + "\"roundsPlanned\":6,\"rows\":120,\"accuracy\":0.7}");
        }
        Path bench = Files.createDirectories(runs.resolve("bench-tiny-20261207-110000"));
        Files.writeString(bench.resolve("results.json"), "{\"suite\":\"tiny\",\"seeds\":[1,2],\"table\":{\"local-only\":{\"accuracy\":"
                + "{\"mean\":0.8,\"sd\":0.01}},\"scarcity\":{\"accuracy\":{\"mean\":0.85,\"sd\":0.02}}},\"runs\":["
                + "{\"method\":\"local-only\",\"seed\":1,\"accuracyByRound\":[0.7,0.8,0.9],\"accuracyMatrix\":[[0.9,0],[0.5,0.8]]},"
                + "{\"method\":\"scarcity\",\"seed\":1,\"accuracyByRound\":[0.75,0.85,0.95],\"accuracyMatrix\":[[0.9,0],[0.7,0.85]]}]}");
        browser.get(base + "#/");
        waitUpTo(20).until(d -> d.findElements(By.cssSelector("tr[data-run='b-20261207-110000']")).size() == 1);
        shot("runs.png");
        browser.findElement(By.cssSelector("input.pick[value='a-20261207-110000']")).click();
        browser.findElement(By.cssSelector("input.pick[value='b-20261207-110000']")).click();
        browser.findElement(By.id("compare-selected")).click();
        waitUpTo(20).until(d -> d.findElements(By.cssSelector("#compare-table tbody tr")).size() == 2);
        assertEquals("6", browser.findElement(By.id("chart-compare")).getAttribute("data-points"));
        shot("compare.png");
        browser.get(base + "#/run/bench-tiny-20261207-110000");
        waitUpTo(20).until(d -> d.findElements(By.cssSelector("#bench-table tbody tr")).size() == 2);
        assertTrue(browser.findElement(By.id("bench-table")).getText().contains("0.8500 ± 0.0200"));
        assertEquals(2, browser.findElements(By.cssSelector("table.matrix")).size(), "an accuracy matrix per method");
        shot("bench.png");
    }
}
