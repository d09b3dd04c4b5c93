package org.stratoslvs.itests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's chromium, headless, driven over the DevTools protocol (a WebSocket, JDK only): opens a URL and runs a
 * script in the page, as a user's clicks would, so the requests are the browser's own (its Origin and Referer, its
 * cached Basic credentials).
 */
final class HeadlessChromium implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/chromium");

    private final Process process;
    private final WebSocket socket;
    private final StringBuilder partial = new StringBuilder();
    private volatile CompletableFuture<String> reply = new CompletableFuture<>();

    private HeadlessChromium(Process process, WebSocket socket) {
        this.process = process;
        this.socket = socket;
    }

    /** Starts chromium on {@code url} with a fresh profile in {@code profile}. */
    static HeadlessChromium open(String url, Path profile) throws Exception {
        Process process = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--user-data-dir=" + profile, "--remote-debugging-port=0",
                "--window-size=1280,1000", url)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            // chromium writes the port it chose into the profile
            Path portFile = profile.resolve("DevToolsActivePort");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new IllegalStateException("chromium did not open its DevTools port");
                }
                Thread.sleep(100);
            }
            int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
            HttpClient http = HttpClient.newHttpClient();
            String targets = "";
            String page = null;
            while (page == null) {
                targets = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = Pattern.compile("\"type\":\\s*\"page\"[^}]*?\"webSocketDebuggerUrl\":\\s*\"([^\"]+)\"")
                        .matcher(targets);
                if (m.find()) {
                    page = m.group(1);
                } else if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no page target in " + targets);
                } else {
                    Thread.sleep(100);
                }
            }
            HeadlessChromium[] self = new HeadlessChromium[1];
            WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(page), new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    self[0].received(data, last);
                    ws.request(1);
                    return null;
                }
            }).get(30, TimeUnit.SECONDS);
            self[0] = new HeadlessChromium(process, socket);
            return self[0];
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** Called on the WebSocket's thread, one frame after the other. */
    private void received(CharSequence data, boolean last) {
        String message;
        synchronized (partial) {
            partial.append(data);
            if (!last) {
                return;
            }
            message = partial.toString();
            partial.setLength(0);
        }
        // replies carry our id; events ("method": ...) are not ours
        if (message.startsWith("{\"id\":")) {
            reply.complete(message);
        }
    }

    /**
     * Evaluates a JavaScript expression (a promise is awaited) in the page and returns its string result, or the
     * protocol's whole reply when there is none.
     */
    String evaluate(String expression, Duration timeout) throws Exception {
        CompletableFuture<String> pending = new CompletableFuture<>();
        reply = pending;
        String json = "{\"id\":1,\"method\":\"Runtime.evaluate\",\"params\":{\"expression\":" + quote(expression)
                + ",\"awaitPromise\":true,\"returnByValue\":true}}";
        socket.sendText(json, true).get(10, TimeUnit.SECONDS);
        String answer = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Matcher value = Pattern.compile("\"value\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(answer);
        return value.find() ? value.group(1).replace("\\\"", "\"").replace("\\\\", "\\") : answer;
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    @Override
    public void close() throws IOException {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the browser goes anyway
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Trial run: java HeadlessChromium.java URL EXPRESSION. */
    public static void main(String[] args) throws Exception {
        Path profile = Files.createTempDirectory("chromium");
        try (HeadlessChromium browser = open(args[0], profile)) {
            System.out.println(browser.evaluate(args[1], Duration.ofSeconds(60)));
        }
    }
}
