/*
 * Wss4jClient: a WS-SecureConversation client built on Apache WSS4J 1.6 (Debian libwss4j-java),
 * the second client under test of parley's client suite (docs/client-harness.md, issue 12).
 * Run as `scripts/wss4j client` (one scenario, from the PARLEY_* environment) or
 * `scripts/wss4j client --poll http://ADDR` (every scenario `parley run --listen ADDR` serves, in
 * one JVM).
 *
 * WSS4J 1.6 has no WS-Trust client, so the RST/SCT (issue, renew, cancel) and the reading of the
 * RSTR are plain DOM here, kept to what obtaining a key needs: the RST carries TokenType,
 * RequestType, KeySize and 32 bytes of client entropy, no @Context; the proof key is the
 * RequestedProofToken's BinarySecret, or the CK/PSHA1 computed key (WSS4J's P_SHA1, client
 * entropy as the secret, issuer entropy as the seed), or the client entropy alone. Everything
 * security-related is WSS4J's: the Timestamp (WSSecTimestamp), the UsernameToken bootstrap
 * (WSSecUsernameToken), application, renew and cancel messages signed (WSSecDKSign) and
 * optionally encrypted (WSSecDKEncrypt) with derived keys of the issued SCT carried unchanged in
 * the header (Wss4jShim.protectDocument), and every answer's Security header processed by
 * WSSecurityEngine with a replay cache, plus the caller check WSS4J leaves to its callers (as CXF
 * does): the Body and the Timestamp must be among the signed elements.
 *
 * What it does not do, because WSS4J does not: judge an RSTR beyond reading it (@Context,
 * TokenType, Lifetime, KeySize are not checked), check a response's wsa:RelatesTo, amend.
 * docs/interop/wss4j.md lists the suite's verdicts for these (interop/wss4j/client-baseline.json).
 *
 * Exit codes (the contract): 0 every step succeeded; 1 a step failed or an answer was refused;
 * 2 this scenario's settings are not supported (nothing was sent); 3 the service was unreachable.
 */

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.ws.security.WSConstants;
import org.apache.ws.security.WSSConfig;
import org.apache.ws.security.WSSecurityEngine;
import org.apache.ws.security.WSSecurityException;
import org.apache.ws.security.cache.MemoryReplayCache;
import org.apache.ws.security.cache.ReplayCache;
import org.apache.ws.security.conversation.ConversationConstants;
import org.apache.ws.security.conversation.dkalgo.P_SHA1;
import org.apache.ws.security.handler.RequestData;
import org.apache.ws.security.message.WSSecHeader;
import org.apache.ws.security.message.WSSecTimestamp;
import org.apache.ws.security.message.WSSecUsernameToken;
import org.apache.ws.security.util.WSSecurityUtil;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

final class Wss4jClient {

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_UNSUPPORTED = 2;
    static final int EXIT_UNREACHABLE = 3;

    static final int MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
    static final int ENTROPY_BYTES = 32;
    static final int MAX_KEY_BITS = 8 * 1024 * 1024 * 8; // 8 MiB of key material

    private Wss4jClient() {
    }

    /** A step failed or an answer was refused (exit 1), or the service was unreachable (exit 3). */
    static final class StepFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final int exitCode;

        StepFailure(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }

        StepFailure(String message) {
            this(message, EXIT_FAILED);
        }
    }

    /** `client [--poll URL]`. */
    static int run(Wss4jShim.CommandLine cl) throws Exception {
        cl.allow(Set.of("--poll"), Set.of(), 0);
        String poll = cl.option("--poll");
        if (poll != null) {
            return poll(poll.replaceAll("/+$", ""));
        }
        return runScenario(new HashMap<>(System.getenv()), System.out);
    }

    // ---------------------------------------------------------------------------------------
    // Settings from the PARLEY_* variables
    // ---------------------------------------------------------------------------------------

    static final class Settings {
        String scenario;
        String stsUrl;
        String serviceUrl;
        String soapNs;
        String wsaNs;
        int scVersion; // ConversationConstants.VERSION_05_02 / VERSION_05_12
        String wscNs;
        String wstNs;
        String bootstrap;
        String username;
        String password;
        int keySizeBits;
        int signatureKeyLength;
        String encryptionAlgorithm;
        int calls;
        String action;
        String requestBody;
        boolean encrypt;
        boolean amend;
        boolean mustNotSendCancel;
        boolean mustNotSendRenew;
        int timeoutSeconds;
    }

    /** A setting this client cannot run (exit 2) or a malformed one (exit 2 as well). */
    static final class Unsupported extends Exception {
        private static final long serialVersionUID = 1L;

        Unsupported(String message) {
            super(message);
        }
    }

    static String get(Map<String, String> env, String name, String fallback) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    static int number(Map<String, String> env, String name, int fallback, int max) throws Unsupported {
        String v = get(env, name, null);
        if (v == null) {
            return fallback;
        }
        if (v.length() > 9 || !v.chars().allMatch(Character::isDigit)) {
            throw new Unsupported(name + ": expected a number up to " + max + ", got '" + v + "'");
        }
        int n = Integer.parseInt(v);
        if (n > max) {
            throw new Unsupported(name + ": expected a number up to " + max + ", got " + n);
        }
        return n;
    }

    static Settings settings(Map<String, String> env) throws Unsupported {
        Settings s = new Settings();
        s.scenario = get(env, "PARLEY_SCENARIO", "unnamed");
        s.serviceUrl = get(env, "PARLEY_SERVICE_URL", null);
        if (s.serviceUrl == null) {
            throw new Unsupported("PARLEY_SERVICE_URL: required");
        }
        s.stsUrl = get(env, "PARLEY_STS_URL", s.serviceUrl);
        if (!get(env, "PARLEY_CA_FILE", "").isEmpty()) {
            throw new Unsupported("PARLEY_CA_FILE: TLS to the scenario service is not implemented");
        }
        switch (get(env, "PARLEY_SOAP", "1.2")) {
            case "1.1": s.soapNs = WSConstants.URI_SOAP11_ENV; break;
            case "1.2": s.soapNs = WSConstants.URI_SOAP12_ENV; break;
            default: throw new Unsupported("PARLEY_SOAP: 1.1 or 1.2");
        }
        switch (get(env, "PARLEY_ADDRESSING", "1.0")) {
            case "1.0": s.wsaNs = Wss4jShim.WSA10_NS; break;
            case "2004/08": s.wsaNs = Wss4jShim.WSA200408_NS; break;
            default: throw new Unsupported("PARLEY_ADDRESSING: 1.0 or 2004/08");
        }
        switch (get(env, "PARLEY_SC_VERSION", "1.3")) {
            case "1.3":
                s.scVersion = ConversationConstants.VERSION_05_12;
                s.wstNs = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";
                break;
            case "feb2005":
                s.scVersion = ConversationConstants.VERSION_05_02;
                s.wstNs = "http://schemas.xmlsoap.org/ws/2005/02/trust";
                break;
            default: throw new Unsupported("PARLEY_SC_VERSION: 1.3 or feb2005");
        }
        try {
            s.wscNs = ConversationConstants.getWSCNs(s.scVersion);
        } catch (Exception e) {
            throw new Unsupported("WS-SC version: " + Wss4jShim.describe(e));
        }
        s.bootstrap = get(env, "PARLEY_BOOTSTRAP", "none");
        if (!s.bootstrap.equals("none") && !s.bootstrap.equals("username-token")) {
            throw new Unsupported("PARLEY_BOOTSTRAP: only none and username-token are implemented, not '"
                                  + s.bootstrap + "'");
        }
        s.username = get(env, "PARLEY_USERNAME", "");
        s.password = get(env, "PARLEY_PASSWORD", "");
        if (!get(env, "PARLEY_PROTECTION", "derived-keys").equals("derived-keys")) {
            throw new Unsupported("PARLEY_PROTECTION: only derived-keys (WSSecDKSign / WSSecDKEncrypt)");
        }
        switch (get(env, "PARLEY_ALGORITHM_SUITE", "Basic256")) {
            case "Basic256":
                s.signatureKeyLength = 24;
                s.encryptionAlgorithm = WSConstants.AES_256;
                break;
            case "Basic128":
                s.signatureKeyLength = 16;
                s.encryptionAlgorithm = WSConstants.AES_128;
                break;
            default:
                throw new Unsupported("PARLEY_ALGORITHM_SUITE: only Basic256 and Basic128 (HMAC-SHA1, AES-CBC)");
        }
        s.keySizeBits = number(env, "PARLEY_KEY_SIZE", 256, 4096);
        s.calls = number(env, "PARLEY_CALLS", 1, 1000);
        s.action = get(env, "PARLEY_ACTION", "urn:parley:echo");
        s.requestBody = get(env, "PARLEY_REQUEST_BODY", "<e:Echo xmlns:e='urn:example'>hi</e:Echo>");
        s.encrypt = "1".equals(get(env, "PARLEY_ENCRYPT", "0"));
        s.amend = "1".equals(get(env, "PARLEY_AMEND", "0"));
        for (String w : get(env, "PARLEY_MUST_NOT_SEND", "").split("[,\\s]+")) {
            switch (w) {
                case "": break;
                case "cancel": s.mustNotSendCancel = true; break;
                case "renew": s.mustNotSendRenew = true; break;
                case "amend": break; // never amends anyway
                default: throw new Unsupported("PARLEY_MUST_NOT_SEND: unknown operation '" + w + "'");
            }
        }
        s.timeoutSeconds = Math.max(1, number(env, "PARLEY_TIMEOUT", 10, 3600));
        if (s.amend) {
            throw new Unsupported("PARLEY_AMEND=1: amending a context (RST/SCT/Amend) is not implemented");
        }
        return s;
    }

    // ---------------------------------------------------------------------------------------
    // One scenario: issue, calls, close
    // ---------------------------------------------------------------------------------------

    static int runScenario(Map<String, String> env, PrintStream log) {
        Settings s;
        try {
            s = settings(env);
        } catch (Unsupported e) {
            log.println("cannot run: " + e.getMessage());
            return EXIT_UNSUPPORTED;
        }
        log.println("scenario " + s.scenario);
        Session session = new Session(s, log);
        String step = "issue";
        try {
            session.issue();
            log.println("issue: ok (" + session.identifier + ")");
            for (int i = 1; i <= s.calls; i++) {
                step = "call " + i;
                Answer answer = session.call();
                if (answer.renewNeeded) {
                    log.println(step + ": wsc:RenewNeeded");
                    if (s.mustNotSendRenew) {
                        step = "re-issue";
                        session.issue();
                        log.println("re-issue: ok (" + session.identifier + ")");
                    } else {
                        step = "renew";
                        session.renew();
                        log.println("renew: ok (instance " + session.instance + ")");
                    }
                    step = "call " + i;
                    answer = session.call();
                }
                if (answer.fault != null) {
                    throw new StepFailure("the service answered a fault: " + answer.fault);
                }
                log.println(step + ": ok");
            }
            if (s.mustNotSendCancel) {
                log.println("cancel: not sent (MustNotSendCancel)");
                return EXIT_OK;
            }
            step = "cancel";
            session.cancel();
            log.println("cancel: ok");
            return EXIT_OK;
        } catch (StepFailure e) {
            log.println(step + ": FAILED: " + e.getMessage());
            return e.exitCode;
        } catch (Exception e) {
            log.println(step + ": FAILED: " + Wss4jShim.describe(e));
            return EXIT_FAILED;
        } finally {
            log.flush();
        }
    }

    /** What an application call got back. */
    static final class Answer {
        boolean renewNeeded;
        String fault; // another SOAP fault, described
    }

    /** The context and the transport of one scenario. */
    static final class Session {
        final Settings s;
        final PrintStream log;
        final HttpClient http;
        final SecureRandom random = new SecureRandom();
        // One replay cache for every answer of the session: WSS4J refuses a signature it has seen.
        final ReplayCache replayCache = new MemoryReplayCache();
        Element sct; // the issued token, carried unchanged
        String identifier;
        String instance = "";
        byte[] key;

        Session(Settings s, PrintStream log) {
            this.s = s;
            this.log = log;
            this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(Math.min(s.timeoutSeconds, 10)))
                .build();
        }

        // ----- issue -----------------------------------------------------------------------

        void issue() throws Exception {
            Document doc = newRequest(s.wstNs + "/RST/SCT", s.stsUrl);
            byte[] entropy = randomBytes(ENTROPY_BYTES);
            Element rst = rst(doc, "Issue");
            Element e = add(rst, s.wstNs, "wst:Entropy", null);
            binarySecret(e, entropy);
            add(rst, s.wstNs, "wst:KeySize", Integer.toString(s.keySizeBits));

            WSSecHeader secHeader = new WSSecHeader();
            secHeader.setMustUnderstand(true);
            secHeader.insertSecurityHeader(doc);
            if (s.bootstrap.equals("username-token")) {
                WSSecUsernameToken ut = new WSSecUsernameToken(WSSConfig.getNewInstance());
                ut.setPasswordType(WSConstants.PASSWORD_DIGEST);
                ut.setUserInfo(s.username, s.password);
                ut.addNonce();
                ut.addCreated();
                ut.prepare(doc);
                ut.prependToHeader(secHeader);
            }
            WSSecTimestamp ts = new WSSecTimestamp(WSSConfig.getNewInstance());
            ts.setTimeToLive(300);
            ts.prepare(doc);
            ts.prependToHeader(secHeader);
            Wss4jShim.declareMissingPrefixes(ts.getElement()); // finding W1

            Document response = exchange(s.stsUrl, s.wstNs + "/RST/SCT", doc);
            // The issuance answer is not protected with the context (there is none yet); its
            // Security header, if any, is still WSS4J's to check (a Timestamp's freshness).
            if (WSSecurityUtil.getSecurityHeader(response, null) != null) {
                verify(response, false);
            }
            Element rstr = singleRstr(response);
            Element token = child(rstr, s.wstNs, "RequestedSecurityToken");
            Element issued = token == null ? null : child(token, s.wscNs, "SecurityContextToken");
            if (issued == null) {
                throw new StepFailure("the RSTR carries no wst:RequestedSecurityToken/wsc:SecurityContextToken of "
                                      + s.wscNs);
            }
            adopt(issued, proofKey(rstr, entropy));
        }

        /** Takes `issued` (a token of `response`) as the context, with `k` as its key. */
        void adopt(Element issued, byte[] k) throws StepFailure {
            Element identifierElement = child(issued, s.wscNs, "Identifier");
            if (identifierElement == null || identifierElement.getTextContent().trim().isEmpty()) {
                throw new StepFailure("the issued SecurityContextToken has no wsc:Identifier");
            }
            Element instanceElement = child(issued, s.wscNs, "Instance");
            sct = issued;
            identifier = identifierElement.getTextContent().trim();
            instance = instanceElement == null ? "" : instanceElement.getTextContent().trim();
            key = k;
        }

        /** The proof key an RSTR conveys, given the client entropy sent. */
        byte[] proofKey(Element rstr, byte[] clientEntropy) throws Exception {
            int bits = s.keySizeBits;
            Element keySize = child(rstr, s.wstNs, "KeySize");
            if (keySize != null) {
                String v = keySize.getTextContent().trim();
                if (v.length() > 9 || v.isEmpty() || !v.chars().allMatch(Character::isDigit)) {
                    throw new StepFailure("the RSTR's wst:KeySize '" + v + "' is not a number");
                }
                bits = Integer.parseInt(v);
                // A resource bound, not a judgement of the RSTR (see the header): the hostile
                // 1-Mbit key is well inside it, a 9-digit one would exhaust the heap.
                if (bits > MAX_KEY_BITS) {
                    throw new StepFailure("the RSTR's wst:KeySize " + bits + " is more than this client allocates ("
                                          + MAX_KEY_BITS + " bits)");
                }
            }
            Element proof = child(rstr, s.wstNs, "RequestedProofToken");
            if (proof == null) {
                // No proof token: the client's entropy is the key (WS-Trust 1.3 section 4.4.3).
                return clientEntropy.clone();
            }
            Element secret = child(proof, s.wstNs, "BinarySecret");
            if (secret != null) {
                return decode(secret, "RequestedProofToken/wst:BinarySecret");
            }
            Element computed = child(proof, s.wstNs, "ComputedKey");
            if (computed != null) {
                String algorithm = computed.getTextContent().trim();
                if (!algorithm.equals(s.wstNs + "/CK/PSHA1")) {
                    throw new StepFailure("unknown wst:ComputedKey algorithm '" + algorithm + "'");
                }
                Element entropy = child(rstr, s.wstNs, "Entropy");
                Element issuerSecret = entropy == null ? null : child(entropy, s.wstNs, "BinarySecret");
                if (issuerSecret == null) {
                    throw new StepFailure("a ComputedKey without issuer wst:Entropy/wst:BinarySecret");
                }
                byte[] seed = decode(issuerSecret, "wst:Entropy/wst:BinarySecret");
                // WSS4J's P_SHA1 with the requestor's entropy as the secret and the issuer's as
                // the seed (WS-Trust 1.3 section 4.4.4); no check of the length: see the header.
                return new P_SHA1().createKey(clientEntropy, seed, 0, bits / 8);
            }
            throw new StepFailure("the wst:RequestedProofToken holds neither a BinarySecret nor a ComputedKey");
        }

        // ----- application calls -----------------------------------------------------------

        Answer call() throws Exception {
            Document doc = newRequest(s.action, s.serviceUrl);
            Element payload = Wss4jShim.parse(s.requestBody.getBytes(StandardCharsets.UTF_8), "PARLEY_REQUEST_BODY")
                .getDocumentElement();
            Wss4jShim.body(doc).appendChild(doc.importNode(payload, true));
            protect(doc, s.encrypt);
            Document response = exchange(s.serviceUrl, s.action, doc);
            Answer answer = new Answer();
            Element fault = fault(response);
            if (fault != null) {
                if (isRenewNeeded(fault)) {
                    answer.renewNeeded = true;
                } else {
                    answer.fault = describeFault(fault);
                }
                return answer;
            }
            verify(response, true);
            if (Wss4jShim.firstElement(Wss4jShim.body(response)) == null) {
                throw new StepFailure("the response Body is empty");
            }
            return answer;
        }

        // ----- renew and cancel ------------------------------------------------------------

        void renew() throws Exception {
            String action = s.wstNs + "/RST/SCT/Renew";
            Document doc = newRequest(action, s.stsUrl);
            byte[] entropy = randomBytes(ENTROPY_BYTES);
            Element rst = rst(doc, "Renew");
            Element target = add(rst, s.wstNs, "wst:RenewTarget", null);
            target.appendChild(referenceToContext(doc));
            binarySecret(add(rst, s.wstNs, "wst:Entropy", null), entropy);
            add(rst, s.wstNs, "wst:KeySize", Integer.toString(s.keySizeBits));
            protect(doc, false); // proof of possession (SC-5-02)
            Document response = exchange(s.stsUrl, action, doc);
            failOnFault(response);
            verify(response, true);
            Element rstr = singleRstr(response);
            Element token = child(rstr, s.wstNs, "RequestedSecurityToken");
            Element renewed = token == null ? null : child(token, s.wscNs, "SecurityContextToken");
            if (renewed == null) {
                throw new StepFailure("the renewal RSTR carries no new SecurityContextToken");
            }
            String before = identifier;
            adopt(renewed, proofKey(rstr, entropy));
            if (!identifier.equals(before)) {
                throw new StepFailure("the renewed token has another wsc:Identifier (" + identifier + ")");
            }
        }

        void cancel() throws Exception {
            String action = s.wstNs + "/RST/SCT/Cancel";
            Document doc = newRequest(action, s.stsUrl);
            Element rst = rst(doc, "Cancel");
            add(rst, s.wstNs, "wst:CancelTarget", null).appendChild(referenceToContext(doc));
            protect(doc, false); // proof of possession (SC-6-02)
            Document response = exchange(s.stsUrl, action, doc);
            failOnFault(response);
            verify(response, true);
            Element rstr = singleRstr(response);
            if (child(rstr, s.wstNs, "RequestedTokenCancelled") == null) {
                throw new StepFailure("the cancel RSTR has no wst:RequestedTokenCancelled");
            }
            sct = null;
            key = null;
        }

        /** wsse:SecurityTokenReference/wsse:Reference naming the context by Identifier. */
        Element referenceToContext(Document doc) {
            Element str = doc.createElementNS(Wss4jShim.WSSE_NS, "wsse:SecurityTokenReference");
            str.setAttributeNS(Wss4jShim.XMLNS_NS, "xmlns:wsse", Wss4jShim.WSSE_NS);
            Element ref = doc.createElementNS(Wss4jShim.WSSE_NS, "wsse:Reference");
            ref.setAttribute("URI", identifier);
            ref.setAttribute("ValueType", s.wscNs + "/sct");
            str.appendChild(ref);
            return str;
        }

        // ----- WSS4J: protecting and verifying ---------------------------------------------

        void protect(Document doc, boolean encrypt) throws Exception {
            if (sct == null) {
                throw new StepFailure("no security context");
            }
            Wss4jShim.ProtectOptions options = new Wss4jShim.ProtectOptions();
            options.encrypt = encrypt;
            options.encryptionAlgorithm = s.encryptionAlgorithm;
            options.signatureKeyLength = s.signatureKeyLength;
            options.sctElement = sct;
            Wss4jShim.protectDocument(doc, new Wss4jShim.SharedContext(identifier, key, s.scVersion), options);
        }

        /**
         * WSSecurityEngine over the answer's Security header, keyed with the current context (its
         * Identifier; WSS4J ignores wsc:Instance, finding W6), with the session's replay cache.
         * `requireSigned`: the Body and the Timestamp must be among what the signature covered.
         */
        void verify(Document response, boolean requireSigned) throws Exception {
            Element security = WSSecurityUtil.getSecurityHeader(response, null);
            if (security == null) {
                throw new StepFailure("the answer has no wsse:Security header");
            }
            Wss4jShim.ContextCallback callback = new Wss4jShim.ContextCallback(
                new Wss4jShim.SharedContext(identifier == null ? "" : identifier,
                                            key == null ? new byte[0] : key, s.scVersion));
            RequestData data = new RequestData();
            data.setWssConfig(WSSConfig.getNewInstance());
            data.setCallbackHandler(callback);
            data.setTimestampReplayCache(replayCache);
            WSSecurityEngine engine = new WSSecurityEngine();
            engine.setWssConfig(data.getWssConfig());
            Wss4jShim.Opened opened;
            try {
                List<org.apache.ws.security.WSSecurityEngineResult> results =
                    engine.processSecurityHeader(security, data);
                opened = Wss4jShim.describeResults(response, results);
            } catch (WSSecurityException e) {
                throw new StepFailure("WSS4J refused the answer: " + Wss4jShim.faultName(e) + " "
                                      + Wss4jShim.describe(e));
            }
            if (requireSigned && !opened.bodySigned) {
                throw new StepFailure("refused: the answer's signature does not cover its soap:Body");
            }
            if (requireSigned && (!opened.timestampPresent || !opened.timestampSigned)) {
                throw new StepFailure("refused: the answer has no signed wsu:Timestamp");
            }
        }

        // ----- envelopes and transport -----------------------------------------------------

        /** An envelope with wsa:Action, MessageID, ReplyTo (anonymous), To and an empty Body. */
        Document newRequest(String action, String to) throws Exception {
            Document doc = Wss4jShim.newDocument();
            Element envelope = doc.createElementNS(s.soapNs, "s:Envelope");
            envelope.setAttributeNS(Wss4jShim.XMLNS_NS, "xmlns:s", s.soapNs);
            envelope.setAttributeNS(Wss4jShim.XMLNS_NS, "xmlns:a", s.wsaNs);
            envelope.setAttributeNS(Wss4jShim.XMLNS_NS, "xmlns:u", Wss4jShim.WSU_NS);
            doc.appendChild(envelope);
            Element header = doc.createElementNS(s.soapNs, "s:Header");
            envelope.appendChild(header);
            int n = 1;
            Element a = Wss4jShim.addText(header, s.wsaNs, "a:Action", action);
            a.setAttributeNS(s.soapNs, "s:mustUnderstand", "1");
            Wss4jShim.setWsuId(a, "_" + n++);
            Wss4jShim.setWsuId(Wss4jShim.addText(header, s.wsaNs, "a:MessageID", "urn:uuid:" + UUID.randomUUID()),
                               "_" + n++);
            Element replyTo = doc.createElementNS(s.wsaNs, "a:ReplyTo");
            Wss4jShim.addText(replyTo, s.wsaNs, "a:Address", s.wsaNs.equals(Wss4jShim.WSA10_NS)
                ? Wss4jShim.WSA10_NS + "/anonymous" : Wss4jShim.WSA200408_NS + "/role/anonymous");
            Wss4jShim.setWsuId(replyTo, "_" + n++);
            header.appendChild(replyTo);
            Element toElement = Wss4jShim.addText(header, s.wsaNs, "a:To", to);
            toElement.setAttributeNS(s.soapNs, "s:mustUnderstand", "1");
            Wss4jShim.setWsuId(toElement, "_" + n++);
            Element body = doc.createElementNS(s.soapNs, "s:Body");
            Wss4jShim.setWsuId(body, "_" + n);
            envelope.appendChild(body);
            return doc;
        }

        Element rst(Document doc, String requestType) {
            Element rst = doc.createElementNS(s.wstNs, "wst:RequestSecurityToken");
            rst.setAttributeNS(Wss4jShim.XMLNS_NS, "xmlns:wst", s.wstNs);
            Wss4jShim.body(doc).appendChild(rst);
            add(rst, s.wstNs, "wst:TokenType", s.wscNs + "/sct");
            add(rst, s.wstNs, "wst:RequestType", s.wstNs + "/" + requestType);
            return rst;
        }

        void binarySecret(Element parent, byte[] value) {
            Element bs = add(parent, s.wstNs, "wst:BinarySecret", Base64.getEncoder().encodeToString(value));
            bs.setAttribute("Type", s.wstNs + "/Nonce");
        }

        Document exchange(String url, String action, Document request) throws Exception {
            byte[] body = Wss4jShim.serialize(request);
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(s.timeoutSeconds))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (s.soapNs.equals(WSConstants.URI_SOAP11_ENV)) {
                b.header("Content-Type", "text/xml; charset=utf-8");
                b.header("SOAPAction", "\"" + action + "\"");
            } else {
                b.header("Content-Type", "application/soap+xml; charset=utf-8; action=\"" + action + "\"");
            }
            HttpResponse<byte[]> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (ConnectException e) {
                throw new StepFailure(url + " unreachable: " + Wss4jShim.describe(e), EXIT_UNREACHABLE);
            } catch (HttpTimeoutException e) {
                throw new StepFailure(url + " did not answer in " + s.timeoutSeconds + " s");
            } catch (IOException e) {
                throw new StepFailure(url + ": " + Wss4jShim.describe(e));
            }
            if (r.body().length > MAX_RESPONSE_BYTES) {
                throw new StepFailure("the answer has " + r.body().length + " bytes, more than this client reads");
            }
            Document doc;
            try {
                doc = Wss4jShim.parse(r.body(), "the answer");
            } catch (Wss4jShim.UsageException e) {
                throw new StepFailure("HTTP " + r.statusCode() + " without a SOAP envelope (" + e.getMessage() + ")");
            }
            if (!s.soapNs.equals(doc.getDocumentElement().getNamespaceURI())
                    || Wss4jShim.body(doc) == null) {
                throw new StepFailure("HTTP " + r.statusCode() + ": the answer is not a SOAP envelope of this version");
            }
            if (r.statusCode() != 200 && fault(doc) == null) {
                throw new StepFailure("HTTP " + r.statusCode() + " without a SOAP fault");
            }
            return doc;
        }

        void failOnFault(Document response) throws StepFailure {
            Element fault = fault(response);
            if (fault != null) {
                throw new StepFailure("the service answered a fault: " + describeFault(fault));
            }
        }

        Element fault(Document response) {
            return child(Wss4jShim.body(response), s.soapNs, "Fault");
        }

        /** {ns}local of the fault's code: the SOAP 1.2 Subcode, or the SOAP 1.1 faultcode. */
        String faultCode(Element fault) {
            Element value;
            if (s.soapNs.equals(WSConstants.URI_SOAP12_ENV)) {
                Element code = child(fault, s.soapNs, "Code");
                Element sub = code == null ? null : child(code, s.soapNs, "Subcode");
                value = sub == null ? (code == null ? null : child(code, s.soapNs, "Value"))
                                    : child(sub, s.soapNs, "Value");
            } else {
                value = child(fault, null, "faultcode");
            }
            if (value == null) {
                return "";
            }
            String text = value.getTextContent().trim();
            int colon = text.indexOf(':');
            String prefix = colon < 0 ? null : text.substring(0, colon);
            String ns = value.lookupNamespaceURI(prefix);
            return "{" + (ns == null ? "" : ns) + "}" + text.substring(colon + 1);
        }

        boolean isRenewNeeded(Element fault) {
            return faultCode(fault).equals("{" + s.wscNs + "}RenewNeeded");
        }

        String describeFault(Element fault) {
            return faultCode(fault) + " " + fault.getTextContent().trim().replaceAll("\\s+", " ");
        }

        /** The one wst:RequestSecurityTokenResponse of an answer (in an RSTRC under WS-Trust 1.3). */
        Element singleRstr(Document response) throws StepFailure {
            Element first = Wss4jShim.firstElement(Wss4jShim.body(response));
            List<Element> rstrs = new ArrayList<>();
            if (first != null && s.wstNs.equals(first.getNamespaceURI())) {
                if (first.getLocalName().equals("RequestSecurityTokenResponse")) {
                    rstrs.add(first);
                } else if (first.getLocalName().equals("RequestSecurityTokenResponseCollection")) {
                    for (Element c : Wss4jShim.children(first)) {
                        if (s.wstNs.equals(c.getNamespaceURI()) && c.getLocalName().equals("RequestSecurityTokenResponse")) {
                            rstrs.add(c);
                        }
                    }
                }
            }
            if (rstrs.size() != 1) {
                throw new StepFailure("the answer holds " + rstrs.size() + " wst:RequestSecurityTokenResponse of "
                                      + s.wstNs + ", expected one");
            }
            return rstrs.get(0);
        }

        byte[] randomBytes(int n) {
            byte[] b = new byte[n];
            random.nextBytes(b);
            return b;
        }
    }

    // ---------------------------------------------------------------------------------------
    // Small DOM helpers
    // ---------------------------------------------------------------------------------------

    static Element child(Element parent, String ns, String localName) {
        if (parent == null) {
            return null;
        }
        for (Element c : Wss4jShim.children(parent)) {
            String cns = c.getNamespaceURI();
            if (localName.equals(c.getLocalName()) && (ns == null ? cns == null : ns.equals(cns))) {
                return c;
            }
        }
        return null;
    }

    static Element add(Element parent, String ns, String qualifiedName, String text) {
        Element e = parent.getOwnerDocument().createElementNS(ns, qualifiedName);
        if (text != null) {
            e.appendChild(parent.getOwnerDocument().createTextNode(text));
        }
        parent.appendChild(e);
        return e;
    }

    static byte[] decode(Element e, String what) throws StepFailure {
        try {
            byte[] b = Base64.getMimeDecoder().decode(e.getTextContent().trim());
            if (b.length == 0) {
                throw new StepFailure(what + " is empty");
            }
            return b;
        } catch (IllegalArgumentException x) {
            throw new StepFailure(what + " is not base64: " + x.getMessage());
        }
    }

    // ---------------------------------------------------------------------------------------
    // --poll: the `parley run --listen` side of the contract
    // ---------------------------------------------------------------------------------------

    static int poll(String base) throws Exception {
        HttpClient control = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
        int ran = 0;
        long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (;;) {
            HttpResponse<String> answer;
            try {
                answer = control.send(HttpRequest.newBuilder(URI.create(base + "/parley/scenario"))
                                          .timeout(Duration.ofSeconds(10)).GET().build(),
                                      HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // The harness went away (the run is over), or is not up yet.
                if (ran > 0) {
                    return EXIT_OK;
                }
                if (System.nanoTime() > giveUp) {
                    System.err.println("Wss4jClient: " + base + " did not answer: " + Wss4jShim.describe(e));
                    return EXIT_UNSUPPORTED;
                }
                Thread.sleep(200);
                continue;
            }
            if (answer.statusCode() == 410) {
                return EXIT_OK;
            }
            if (answer.statusCode() != 200) {
                Thread.sleep(50);
                continue;
            }
            Object parsed;
            try {
                parsed = new Json(answer.body()).document();
            } catch (IllegalArgumentException e) {
                System.err.println("Wss4jClient: " + base + "/parley/scenario: " + e.getMessage());
                return EXIT_UNSUPPORTED;
            }
            Object envObject = parsed instanceof Map ? ((Map<?, ?>) parsed).get("env") : null;
            if (!(envObject instanceof Map)) {
                System.err.println("Wss4jClient: " + base + "/parley/scenario answered no {\"env\": {...}}");
                return EXIT_UNSUPPORTED;
            }
            Map<String, String> env = new HashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) envObject).entrySet()) {
                if (e.getValue() instanceof String) {
                    env.put((String) e.getKey(), (String) e.getValue());
                }
            }
            int code = runScenario(env, System.out);
            ++ran;
            Object name = ((Map<?, ?>) parsed).get("scenario");
            String result = "{\"scenario\":" + Json.quote(name instanceof String ? (String) name : "")
                + ",\"exit_code\":" + code + "}";
            try {
                control.send(HttpRequest.newBuilder(URI.create(base + "/parley/result"))
                                 .timeout(Duration.ofSeconds(10))
                                 .header("Content-Type", "application/json")
                                 .POST(HttpRequest.BodyPublishers.ofString(result)).build(),
                             HttpResponse.BodyHandlers.discarding());
            } catch (IOException e) {
                // the harness will time the scenario out; keep polling
            }
        }
    }

    /** Just enough JSON for GET /parley/scenario: objects, arrays, strings, numbers, literals. */
    static final class Json {
        static final int MAX_DEPTH = 16;
        final String text;
        int pos;

        Json(String text) {
            if (text.length() > 1024 * 1024) {
                throw new IllegalArgumentException("JSON of " + text.length() + " characters");
            }
            this.text = text;
        }

        Object document() {
            Object v = value(0);
            skipSpace();
            if (pos != text.length()) {
                throw error("trailing characters");
            }
            return v;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("JSON at offset " + pos + ": " + what);
        }

        void skipSpace() {
            while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nested too deeply");
            }
            skipSpace();
            if (pos >= text.length()) {
                throw error("unexpected end");
            }
            char c = text.charAt(pos);
            if (c == '{') {
                pos++;
                Map<String, Object> m = new HashMap<>();
                skipSpace();
                if (pos < text.length() && text.charAt(pos) == '}') {
                    pos++;
                    return m;
                }
                for (;;) {
                    skipSpace();
                    String k = string();
                    skipSpace();
                    expect(':');
                    m.put(k, value(depth + 1));
                    skipSpace();
                    if (pos < text.length() && text.charAt(pos) == ',') {
                        pos++;
                        continue;
                    }
                    expect('}');
                    return m;
                }
            }
            if (c == '[') {
                pos++;
                List<Object> l = new ArrayList<>();
                skipSpace();
                if (pos < text.length() && text.charAt(pos) == ']') {
                    pos++;
                    return l;
                }
                for (;;) {
                    l.add(value(depth + 1));
                    skipSpace();
                    if (pos < text.length() && text.charAt(pos) == ',') {
                        pos++;
                        continue;
                    }
                    expect(']');
                    return l;
                }
            }
            if (c == '"') {
                return string();
            }
            int start = pos;
            while (pos < text.length() && "+-0123456789.eEtruefalsn".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
            String word = text.substring(start, pos);
            switch (word) {
                case "true": return Boolean.TRUE;
                case "false": return Boolean.FALSE;
                case "null": return null;
                default:
                    try {
                        return Double.parseDouble(word);
                    } catch (NumberFormatException e) {
                        throw error("unexpected '" + word + "'");
                    }
            }
        }

        void expect(char c) {
            if (pos >= text.length() || text.charAt(pos) != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (pos >= text.length()) {
                    break;
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case '"': case '\\': case '/': sb.append(e); break;
                    case 'b': sb.append('\b'); break;
                    case 'f': sb.append('\f'); break;
                    case 'n': sb.append('\n'); break;
                    case 'r': sb.append('\r'); break;
                    case 't': sb.append('\t'); break;
                    case 'u':
                        if (pos + 4 > text.length()) {
                            throw error("short \\u escape");
                        }
                        try {
                            sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException x) {
                            throw error("bad \\u escape");
                        }
                        pos += 4;
                        break;
                    default: throw error("bad escape \\" + e);
                }
            }
            throw error("unterminated string");
        }

        static String quote(String s) {
            StringBuilder sb = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                if (c == '"' || c == '\\') {
                    sb.append('\\').append(c);
                } else if (c < 0x20) {
                    sb.append(String.format("\\u%04x", (int) c));
                } else {
                    sb.append(c);
                }
            }
            return sb.append('"').toString();
        }
    }
}
