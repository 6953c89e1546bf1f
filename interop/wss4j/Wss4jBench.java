/*
 * Wss4jBench: Apache WSS4J 1.6 (Debian libwss4j-java) doing, in process, the four operations of
 * parley's side-by-side benchmark (bench/sbs_bench.cpp) on the same files
 * (bench/sbs_messages.h): DKT sign, DKT verify, sign+encrypt and decrypt+verify. Run by
 * scripts/bench-sbs, which compiles it together with Wss4jShim (whose protect / parse /
 * serialize code it reuses) and merges the figures; docs/performance.md "Side by side".
 *
 *   bench --dir DIR [--warmup SECONDS] [--time SECONDS] [--sizes 1k,64k] [--ops sign,verify,...]
 *       For every operation and size: runs it for --warmup seconds (default 30; the JVM is 5-25
 *       times slower before its JIT has compiled the hot paths), then for --time seconds
 *       (default 10) and reports iterations, wall and thread CPU time per operation as JSON on
 *       stdout. Every result is checked (a refused message or an unsigned Body stops the run).
 *   cold --dir COLD_DIR
 *       A fresh JVM, no warmup: verifies every *.xml in COLD_DIR once, in name order, and prints
 *       JSON with the count accepted and the time spent inside main (the caller times the process).
 *
 * Verification as a WSS4J service does it (scripts/wss4j serve, CXF's policy layer): the
 * Security header processed with the shared context's key, then the Body and the Timestamp
 * required among what the signature covered. The Timestamp's age limit is raised to a day,
 * because the files are generated once and timed for minutes (parley's files say "valid for a
 * day" and parley checks Expires the same way).
 */

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilder;

import org.apache.ws.security.WSConstants;
import org.apache.ws.security.WSDataRef;
import org.apache.ws.security.WSSConfig;
import org.apache.ws.security.WSSecurityEngine;
import org.apache.ws.security.WSSecurityEngineResult;
import org.apache.ws.security.WSSecurityException;
import org.apache.ws.security.conversation.ConversationConstants;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

public final class Wss4jBench {

    // The pre-shared context of bench/sbs_messages.h.
    static final String IDENTIFIER = "urn:uuid:6f1c2a9e-3b7d-4e59-9a21-0c8d5e4f7a13";
    static final String KEY_HEX = "00ff102132435465768798a9bacbdcedfe0f1e2d3c4b5a69788796a5b4c3d2e1";
    static final int ONE_DAY_SECONDS = 86400;

    private Wss4jBench() {
    }

    /** One operation on one message's bytes; returns something the JIT cannot discard. */
    interface Operation {
        Object run(byte[] input) throws Exception;
    }

    static final class Receiver {
        final Wss4jShim.SharedContext context;
        final DocumentBuilder builder;
        final WSSecurityEngine engine;

        Receiver(Wss4jShim.SharedContext context) throws Exception {
            this.context = context;
            this.builder = Wss4jShim.builder(); // reused: one thread, one builder
            WSSConfig config = WSSConfig.getNewInstance();
            config.setTimeStampTTL(ONE_DAY_SECONDS);
            this.engine = new WSSecurityEngine();
            this.engine.setWssConfig(config);
        }

        Document parse(byte[] bytes) throws Exception {
            return builder.parse(new ByteArrayInputStream(bytes));
        }

        /** Processes the Security header; requires the Body and the Timestamp to be signed. */
        Element verify(byte[] bytes) throws Exception {
            Document doc = parse(bytes);
            List<WSSecurityEngineResult> results =
                engine.processSecurityHeader(doc, null, new Wss4jShim.ContextCallback(context), null);
            if (results == null) {
                throw new WSSecurityException(WSSecurityException.INVALID_SECURITY, "noSecurity");
            }
            Element body = Wss4jShim.body(doc);
            boolean bodySigned = false;
            boolean timestampSigned = false;
            for (WSSecurityEngineResult r : results) {
                if ((Integer) r.get(WSSecurityEngineResult.TAG_ACTION) != WSConstants.SIGN) {
                    continue;
                }
                for (WSDataRef ref : Wss4jShim.dataRefs(r)) {
                    Element e = ref.getProtectedElement();
                    bodySigned |= e == body;
                    timestampSigned |= e != null && WSConstants.WSU_NS.equals(e.getNamespaceURI())
                        && "Timestamp".equals(e.getLocalName());
                }
            }
            if (!bodySigned || !timestampSigned) {
                throw new IllegalStateException("the Body or the Timestamp is not signed");
            }
            return body;
        }
    }

    static Wss4jShim.SharedContext sharedContext() throws Exception {
        return new Wss4jShim.SharedContext(IDENTIFIER, Wss4jShim.hex(KEY_HEX), ConversationConstants.VERSION_05_12);
    }

    static Operation operation(String name, Receiver receiver) throws Exception {
        switch (name) {
            case "sign":
            case "sign_encrypt": {
                boolean encrypt = name.equals("sign_encrypt");
                return input -> {
                    Document doc = receiver.parse(input);
                    Wss4jShim.ProtectOptions options = new Wss4jShim.ProtectOptions();
                    options.encrypt = encrypt;
                    Wss4jShim.protectDocument(doc, receiver.context, options);
                    return Wss4jShim.serialize(doc);
                };
            }
            case "verify":
            case "decrypt_verify":
                return receiver::verify;
            default:
                throw new Wss4jShim.UsageException("unknown operation '" + name + "'");
        }
    }

    /** The input file of an operation: sign from the unsecured envelope, verify from the signed. */
    static String inputFile(String op, String size) {
        switch (op) {
            case "sign":
            case "sign_encrypt":
                return "unsecured-" + size + ".xml";
            case "verify":
                return "signed-" + size + ".xml";
            default:
                return "encrypted-" + size + ".xml";
        }
    }

    public static void main(String[] argv) {
        int code;
        try {
            code = run(argv);
        } catch (Wss4jShim.UsageException e) {
            System.err.println("Wss4jBench: " + e.getMessage());
            System.err.println("usage: Wss4jBench bench --dir DIR [--warmup S] [--time S] [--sizes 1k,64k] [--ops ...]");
            System.err.println("       Wss4jBench cold --dir COLD_DIR");
            code = 2;
        } catch (Exception e) {
            System.err.println("Wss4jBench: error: " + Wss4jShim.describe(e));
            code = 1;
        }
        System.out.flush();
        System.exit(code);
    }

    static int run(String[] argv) throws Exception {
        long mainStart = System.nanoTime();
        if (argv.length == 0) {
            throw new Wss4jShim.UsageException("missing subcommand");
        }
        Wss4jShim.CommandLine cl = new Wss4jShim.CommandLine(Arrays.copyOfRange(argv, 1, argv.length));
        WSSConfig.init();
        switch (argv[0]) {
            case "bench":
                cl.allow(Set.of("--dir", "--warmup", "--time", "--sizes", "--ops"), Set.of(), 0);
                return bench(Paths.get(cl.required("--dir")),
                             Double.parseDouble(cl.optionOr("--warmup", "30")),
                             Double.parseDouble(cl.optionOr("--time", "10")),
                             List.of(cl.optionOr("--sizes", "1k,64k").split(",")),
                             List.of(cl.optionOr("--ops", "sign,verify,sign_encrypt,decrypt_verify").split(",")));
            case "cold":
                cl.allow(Set.of("--dir"), Set.of(), 0);
                return cold(Paths.get(cl.required("--dir")), mainStart);
            default:
                throw new Wss4jShim.UsageException("unknown subcommand '" + argv[0] + "'");
        }
    }

    static int bench(Path dir, double warmupSeconds, double timeSeconds, List<String> sizes, List<String> ops)
            throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        // All of the JVM's threads (the JIT compilers, the garbage collector): their work is part
        // of each operation's cost on a 2-core machine. The thread's own CPU time is reported too.
        com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Receiver receiver = new Receiver(sharedContext());
        List<String> results = new ArrayList<>();
        Object sink = null;
        for (String size : sizes) {
            for (String op : ops) {
                byte[] input = Files.readAllBytes(dir.resolve(inputFile(op, size)));
                Operation operation = operation(op, receiver);
                // Warm up: the same work, untimed, for at least warmupSeconds.
                long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
                long warmIterations = 0;
                do {
                    sink = operation.run(input);
                    warmIterations++;
                } while (System.nanoTime() < warmEnd);
                long iterations = 0;
                long processCpuStart = os.getProcessCpuTime();
                long cpuStart = threads.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                long end = start + (long) (timeSeconds * 1e9);
                long now;
                do {
                    sink = operation.run(input);
                    iterations++;
                    now = System.nanoTime();
                } while (now < end);
                long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
                long processCpu = os.getProcessCpuTime() - processCpuStart;
                results.add(String.format(
                    "{\"name\": \"wss4j/%s/%s\", \"iterations\": %d, \"real_time_ns\": %.1f, \"cpu_time_ns\": %.1f, "
                        + "\"process_cpu_time_ns\": %.1f, \"warmup_iterations\": %d, \"input_bytes\": %d}",
                    op, size, iterations, (double) (now - start) / iterations, (double) cpu / iterations,
                    (double) processCpu / iterations,
                    warmIterations, input.length));
            }
        }
        System.out.println("{\"context\": {\"java\": \"" + System.getProperty("java.vm.name") + " "
                           + System.getProperty("java.runtime.version") + "\", \"jvm_args\": \""
                           + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()).replace("\"", "'")
                           + "\", \"warmup_s\": " + warmupSeconds + ", \"time_s\": " + timeSeconds
                           + ", \"sink\": " + (sink == null ? 0 : 1) + "},");
        System.out.println(" \"benchmarks\": [\n  " + String.join(",\n  ", results) + "\n ]}");
        return 0;
    }

    static int cold(Path dir, long mainStart) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".xml")).sorted().collect(Collectors.toList());
        }
        Receiver receiver = new Receiver(sharedContext());
        int accepted = 0;
        for (Path f : files) {
            receiver.verify(Files.readAllBytes(f)); // throws on the first refusal
            accepted++;
        }
        double ms = (System.nanoTime() - mainStart) / 1e6;
        System.out.println("{\"messages\": " + files.size() + ", \"accepted\": " + accepted
                           + ", \"in_main_ms\": " + String.format("%.1f", ms) + "}");
        return accepted == files.size() ? 0 : 1;
    }
}
