/*
 * Wss4jShim: Apache WSS4J (Debian libwss4j-java, 1.6.x) as an independent WS-SecureConversation
 * peer for parley. WSS4J implements SecurityContextTokens and derived keys for both WS-SC
 * namespaces (Feb 2005 and 1.3) but has no STS, so both sides share a pre-established context:
 * the same wsc:Identifier and the same secret. It shares no code with parley (other language,
 * other XML-DSig / XML-Enc engine: Apache Santuario), so what one side protects and the other
 * accepts is a real cross-check. Findings: docs/interop/wss4j.md.
 *
 * Subcommands (exit 0 = success / accepted, 1 = WSS4J refused the message, 2 = usage or
 * processing error):
 *
 *   protect --sct-id URI --key HEX --version 05/02|05/12 [--encrypt] [--enc-alg aes256|aes192|aes128]
 *           [--sign-key-length BYTES] [--sign-parts Timestamp,Body,Action,To,...]
 *           [--reference embedded|identifier] [--keep-wss4j-timestamp-namespaces] IN OUT
 *       Adds a wsse:Security header to the unsecured SOAP 1.1 / 1.2 envelope IN: wsu:Timestamp,
 *       the SCT (embedded, referenced by #wsu:Id; or referenced by its Identifier), a signing DKT,
 *       an HMAC-SHA1 signature (exclusive C14N) over the Timestamp, the Body and the
 *       WS-Addressing headers, and with --encrypt an encryption DKT and the Body content
 *       encrypted with AES-CBC (signed first, then encrypted). Derived key lengths follow WCF's
 *       Basic256: 24 bytes for signing, the cipher's key size for encryption.
 *       --keep-wss4j-timestamp-namespaces leaves out the shim's fix for finding W1 (WSS4J signs
 *       a Timestamp lacking its namespace declaration), to show what WSS4J alone produces.
 *   verify --sct-id URI --key HEX IN
 *       Processes the wsse:Security header with WSS4J only (the context secret is handed to
 *       WSS4J through its CallbackHandler for that Identifier, nothing else), and prints one line
 *       per WSS4J result in processing order (TS, SCT, DKT, ENCR, SIGN), then a BODY line with the
 *       exclusive canonical form of the (decrypted) Body's first child element. Before them, one
 *       KEY line per name WSS4J asked the CallbackHandler for; a refusal prints REFUSED, the WSS
 *       fault QName WSS4J names and its message.
 *   serve --port N --sct-id URI --key HEX --version 05/02|05/12 [--threads N] [--exit-on-stdin-eof]
 *       An HTTP/1.1 service on 127.0.0.1 (port 0 = any free port) that opens every POSTed
 *       message with WSS4J, requires a signature over the Body and the Timestamp, and answers
 *       the echo contract (the first child element of the request Body, unchanged) protected
 *       with the same context through DKTs, the SCT referenced by its Identifier, the Body
 *       encrypted when the request's was. A refused request gets HTTP 500 and a SOAP fault whose
 *       code is the WSS fault WSS4J names (wsse:FailedCheck, wsse:InvalidSecurity, ...).
 *       Prints "listening on http://127.0.0.1:PORT/" once ready. With --exit-on-stdin-eof the
 *       service exits (status 0) when its stdin closes: the parent that holds it owns its life.
 *   client [--poll URL]
 *       A WS-SC client under parley's client-harness contract: Wss4jClient.java.
 *
 * Input is parsed with DTDs refused. Compiled and run by scripts/wss4j; not part of CMake.
 */

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.xml.XMLConstants;
import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import org.apache.ws.security.WSConstants;
import org.apache.ws.security.WSDataRef;
import org.apache.ws.security.WSEncryptionPart;
import org.apache.ws.security.WSPasswordCallback;
import org.apache.ws.security.WSSConfig;
import org.apache.ws.security.WSSecurityEngine;
import org.apache.ws.security.WSSecurityEngineResult;
import org.apache.ws.security.WSSecurityException;
import org.apache.ws.security.conversation.ConversationConstants;
import org.apache.ws.security.message.WSSecDKEncrypt;
import org.apache.ws.security.message.WSSecDKSign;
import org.apache.ws.security.message.WSSecHeader;
import org.apache.ws.security.message.WSSecSecurityContextToken;
import org.apache.ws.security.message.WSSecTimestamp;
import org.apache.ws.security.message.token.DerivedKeyToken;
import org.apache.ws.security.message.token.SecurityContextToken;
import org.apache.ws.security.message.token.Timestamp;
import org.apache.xml.security.c14n.Canonicalizer;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.ls.DOMImplementationLS;
import org.w3c.dom.ls.LSOutput;
import org.w3c.dom.ls.LSSerializer;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXParseException;

public final class Wss4jShim {

    static final int EXIT_OK = 0;
    static final int EXIT_REFUSED = 1;
    static final int EXIT_ERROR = 2;

    static final String WSU_NS = WSConstants.WSU_NS;
    static final String WSSE_NS = WSConstants.WSSE_NS;
    static final String XMLNS_NS = "http://www.w3.org/2000/xmlns/";
    static final String WSA10_NS = "http://www.w3.org/2005/08/addressing";
    static final String WSA200408_NS = "http://schemas.xmlsoap.org/ws/2004/08/addressing";
    static final String SOAP11_NS = WSConstants.URI_SOAP11_ENV;
    static final String SOAP12_NS = WSConstants.URI_SOAP12_ENV;
    // The WS-Addressing headers a signature covers by default (SC-10-01), when present.
    static final List<String> ADDRESSING_HEADERS =
        List.of("Action", "MessageID", "RelatesTo", "ReplyTo", "To");

    static final String USAGE = String.join("\n",
        "usage: Wss4jShim protect --sct-id URI --key HEX --version 05/02|05/12 [--encrypt]",
        "                 [--enc-alg aes256|aes192|aes128] [--sign-key-length BYTES]",
        "                 [--sign-parts Timestamp,Body,Action,To,...]",
        "                 [--reference embedded|identifier] [--keep-wss4j-timestamp-namespaces]",
        "                 IN OUT",
        "       Wss4jShim verify --sct-id URI --key HEX IN",
        "       Wss4jShim serve --port N --sct-id URI --key HEX --version 05/02|05/12",
        "                 [--threads N] [--exit-on-stdin-eof]");

    private Wss4jShim() {
    }

    /** A bad command line or unusable input: exit 2. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    public static void main(String[] argv) {
        int code;
        try {
            code = run(argv);
        } catch (UsageException e) {
            System.err.println("Wss4jShim: " + e.getMessage());
            System.err.println(USAGE);
            code = EXIT_ERROR;
        } catch (Exception e) {
            System.err.println("Wss4jShim: error: " + describe(e));
            code = EXIT_ERROR;
        }
        System.out.flush();
        if (code >= 0) {
            System.exit(code);
        }
    }

    /** Returns the exit code, or -1 when a service keeps running on its own threads. */
    static int run(String[] argv) throws Exception {
        if (argv.length == 0) {
            throw new UsageException("missing subcommand");
        }
        CommandLine cl = new CommandLine(Arrays.copyOfRange(argv, 1, argv.length));
        WSSConfig.init();
        switch (argv[0]) {
            case "protect":
                return protect(cl);
            case "verify":
                return verify(cl);
            case "serve":
                return serve(cl);
            case "client":
                return Wss4jClient.run(cl);
            default:
                throw new UsageException("unknown subcommand '" + argv[0] + "'");
        }
    }

    // ---------------------------------------------------------------------------------------
    // The shared security context
    // ---------------------------------------------------------------------------------------

    /** What both parties know in advance: the SCT's Identifier and its secret. */
    static final class SharedContext {
        final String identifier;
        final byte[] key;
        final int version; // ConversationConstants.VERSION_05_02 / VERSION_05_12; 0 = not given

        SharedContext(String identifier, byte[] key, int version) {
            this.identifier = identifier;
            this.key = key;
            this.version = version;
        }

        static SharedContext from(CommandLine cl, boolean needVersion) throws UsageException {
            String id = cl.required("--sct-id");
            byte[] key = hex(cl.required("--key"));
            int version = 0;
            String v = cl.option("--version");
            if (v == null && needVersion) {
                throw new UsageException("missing --version");
            }
            if (v != null) {
                version = parseVersion(v);
            }
            return new SharedContext(id, key, version);
        }

        String scNamespace() throws Exception {
            return ConversationConstants.getWSCNs(version);
        }
    }

    static int parseVersion(String v) throws UsageException {
        switch (v) {
            case "05/02":
                return ConversationConstants.VERSION_05_02;
            case "05/12":
                return ConversationConstants.VERSION_05_12;
            default:
                throw new UsageException("--version must be 05/02 or 05/12, not '" + v + "'");
        }
    }

    /**
     * Hands WSS4J the context secret when it asks for the one Identifier we share (WSS4J asks with
     * usage SECURITY_CONTEXT_TOKEN, for an SCT in the header or for an STR naming the context by
     * URI). Any other name is refused: a message keyed by an unknown context must not verify.
     */
    static final class ContextCallback implements CallbackHandler {
        final SharedContext context;
        final List<String> asked = new ArrayList<>();

        ContextCallback(SharedContext context) {
            this.context = context;
        }

        @Override
        public void handle(Callback[] callbacks) throws IOException, UnsupportedCallbackException {
            for (Callback c : callbacks) {
                if (!(c instanceof WSPasswordCallback)) {
                    throw new UnsupportedCallbackException(c, "not a WSPasswordCallback");
                }
                WSPasswordCallback pc = (WSPasswordCallback) c;
                asked.add(pc.getIdentifier());
                if (pc.getUsage() == WSPasswordCallback.SECURITY_CONTEXT_TOKEN
                    && context.identifier.equals(pc.getIdentifier())) {
                    pc.setKey(context.key.clone());
                } else {
                    throw new UnsupportedCallbackException(
                        c, "no key for '" + pc.getIdentifier() + "' (usage " + pc.getUsage() + ")");
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // protect
    // ---------------------------------------------------------------------------------------

    static final class ProtectOptions {
        boolean encrypt;
        String encryptionAlgorithm = WSConstants.AES_256;
        int signatureKeyLength = 24; // WCF, Basic256
        List<String> signParts; // null: Timestamp, Body and every WS-Addressing header present
        boolean embedSct = true;
        Element sctElement; // embed this issued SCT as it is (Wss4jClient); null: build one
        boolean fixTimestampNamespaces = true; // false only to show finding W1
    }

    static int protect(CommandLine cl) throws Exception {
        cl.allow(Set.of("--sct-id", "--key", "--version", "--enc-alg", "--sign-key-length",
                        "--sign-parts", "--reference"),
                 Set.of("--encrypt", "--keep-wss4j-timestamp-namespaces"), 2);
        SharedContext context = SharedContext.from(cl, true);
        ProtectOptions options = new ProtectOptions();
        options.encrypt = cl.flag("--encrypt");
        options.fixTimestampNamespaces = !cl.flag("--keep-wss4j-timestamp-namespaces");
        options.encryptionAlgorithm = cipherUri(cl.optionOr("--enc-alg", "aes256"));
        options.signatureKeyLength =
            parseInt(cl.optionOr("--sign-key-length", "24"), "--sign-key-length");
        if (cl.option("--sign-parts") != null) {
            options.signParts = new ArrayList<>();
            for (String p : cl.option("--sign-parts").split(",")) {
                if (!p.trim().isEmpty()) {
                    options.signParts.add(p.trim());
                }
            }
        }
        String reference = cl.optionOr("--reference", "embedded");
        if (!reference.equals("embedded") && !reference.equals("identifier")) {
            throw new UsageException("--reference must be embedded or identifier");
        }
        options.embedSct = reference.equals("embedded");
        Document doc = parse(Files.readAllBytes(Paths.get(cl.positional(0))), cl.positional(0));
        protectDocument(doc, context, options);
        Files.write(Paths.get(cl.positional(1)), serialize(doc));
        return EXIT_OK;
    }

    static String cipherUri(String name) throws UsageException {
        switch (name) {
            case "aes256":
                return WSConstants.AES_256;
            case "aes192":
                return WSConstants.AES_192;
            case "aes128":
                return WSConstants.AES_128;
            default:
                throw new UsageException("--enc-alg must be aes256, aes192 or aes128");
        }
    }

    /**
     * Builds the Security header with WSS4J's builders. WSS4J leaves the order of the header to
     * the caller (its builders prepend); the shim lays it out as WCF does and as WSS 1.1 section 5
     * asks (tokens before their use): Timestamp, SCT, signing DKT, encryption DKT,
     * xenc:ReferenceList, ds:Signature. The ReferenceList precedes the Signature because the
     * signature covers the Body's plaintext (sign, then encrypt), so a receiver decrypts first.
     */
    static void protectDocument(Document doc, SharedContext context, ProtectOptions options)
            throws Exception {
        Element envelope = doc.getDocumentElement();
        String soapNs = envelope.getNamespaceURI();
        if (!SOAP11_NS.equals(soapNs) && !SOAP12_NS.equals(soapNs)) {
            throw new UsageException("the document is not a SOAP 1.1 or 1.2 envelope");
        }
        if (body(doc) == null) {
            throw new UsageException("the envelope has no Body");
        }
        WSSConfig config = WSSConfig.getNewInstance();
        WSSecHeader secHeader = new WSSecHeader();
        secHeader.setMustUnderstand(true);
        Element security = secHeader.insertSecurityHeader(doc);

        WSSecTimestamp timestamp = new WSSecTimestamp(config);
        timestamp.setTimeToLive(300);
        timestamp.prepare(doc);
        timestamp.prependToHeader(secHeader);
        // WSS4J 1.6 names the element wsu:Timestamp but declares xmlns:wsu only when the utility
        // namespace is not yet bound in scope; WCF- and parley-style envelopes bind it to "u", so
        // the DOM it signs lacks the declaration that every serialization must add, and the
        // digest never verifies (docs/interop/wss4j.md, finding W1). Declare it before signing.
        if (options.fixTimestampNamespaces) {
            declareMissingPrefixes(timestamp.getElement());
        }

        String sctValueType = context.scNamespace() + ConversationConstants.TOKEN_TYPE_SECURITY_CONTEXT_TOKEN;
        Element sctElement = null;
        String keySource; // what the DKTs' STR names: the SCT's wsu:Id or its Identifier
        if (options.sctElement != null) {
            // An issued token is carried unchanged, extensions and all (SC-2-06); only a wsu:Id
            // is added when it has none, for the DKTs to reference.
            sctElement = (Element) doc.importNode(options.sctElement, true);
            keySource = sctElement.getAttributeNS(WSU_NS, "Id");
            if (keySource.isEmpty()) {
                keySource = "sct-" + UUID.randomUUID();
                sctElement.setAttributeNS(WSU_NS, "wsu:Id", keySource);
                sctElement.setAttributeNS(XMLNS_NS, "xmlns:wsu", WSU_NS);
            }
        } else if (options.embedSct) {
            WSSecSecurityContextToken sct = new WSSecSecurityContextToken();
            sct.setWscVersion(context.version);
            sct.setIdentifier(context.identifier);
            sct.setSctId("sct-" + UUID.randomUUID());
            sct.prepare(doc, null);
            sctElement = sct.getSct().getElement();
            keySource = sct.getSctId();
        } else {
            keySource = context.identifier;
        }

        WSSecDKSign sign = new WSSecDKSign(config);
        sign.setWscVersion(context.version);
        sign.setExternalKey(context.key, keySource);
        sign.setTokenIdDirectId(!options.embedSct && options.sctElement == null);
        sign.setCustomValueType(sctValueType);
        sign.setSignatureAlgorithm(WSConstants.HMAC_SHA1);
        sign.setDerivedKeyLength(options.signatureKeyLength);
        sign.prepare(doc, secHeader);
        List<WSEncryptionPart> parts = signatureParts(doc, timestamp.getId(), options.signParts);
        List<javax.xml.crypto.dsig.Reference> references = sign.addReferencesToSign(parts, secHeader);
        sign.computeSignature(references, false, null);
        Element signature = sign.getSignatureElement();

        WSSecDKEncrypt encrypt = null;
        Element referenceList = null;
        if (options.encrypt) {
            encrypt = new WSSecDKEncrypt(config);
            encrypt.setWscVersion(context.version);
            encrypt.setExternalKey(context.key, keySource);
            encrypt.setTokenIdDirectId(!options.embedSct && options.sctElement == null);
            encrypt.setCustomValueType(sctValueType);
            encrypt.setSymmetricEncAlgorithm(options.encryptionAlgorithm);
            encrypt.prepare(doc);
            List<WSEncryptionPart> encParts = new ArrayList<>();
            encParts.add(new WSEncryptionPart(WSConstants.ELEM_BODY, soapNs, "Content"));
            referenceList = encrypt.encryptForExternalRef(null, encParts);
        }

        // Lay the header out (appendChild moves an element already in place).
        security.appendChild(timestamp.getElement());
        if (sctElement != null) {
            security.appendChild(sctElement);
        }
        security.appendChild(sign.getdktElement());
        if (encrypt != null) {
            security.appendChild(encrypt.getdktElement());
            security.appendChild(referenceList);
        }
        security.appendChild(signature);
    }

    /** The parts to sign: by name, or Timestamp + Body + every WS-Addressing header present. */
    static List<WSEncryptionPart> signatureParts(Document doc, String timestampId, List<String> names)
            throws UsageException {
        String soapNs = doc.getDocumentElement().getNamespaceURI();
        Element header = child(doc.getDocumentElement(), soapNs, "Header");
        String wsaNs = null;
        if (header != null) {
            for (Element h : children(header)) {
                if (WSA10_NS.equals(h.getNamespaceURI()) || WSA200408_NS.equals(h.getNamespaceURI())) {
                    wsaNs = h.getNamespaceURI();
                }
            }
        }
        List<String> wanted = names;
        if (wanted == null) {
            wanted = new ArrayList<>(List.of("Timestamp", "Body"));
            for (String name : ADDRESSING_HEADERS) {
                if (header != null && wsaNs != null && child(header, wsaNs, name) != null) {
                    wanted.add(name);
                }
            }
        }
        List<WSEncryptionPart> parts = new ArrayList<>();
        for (String name : wanted) {
            if (name.equals("Timestamp")) {
                parts.add(new WSEncryptionPart(timestampId));
            } else if (name.equals("Body")) {
                parts.add(new WSEncryptionPart(WSConstants.ELEM_BODY, soapNs, ""));
            } else if (ADDRESSING_HEADERS.contains(name)) {
                if (header == null || wsaNs == null || child(header, wsaNs, name) == null) {
                    throw new UsageException("--sign-parts names wsa:" + name + ", which the envelope lacks");
                }
                parts.add(new WSEncryptionPart(name, wsaNs, ""));
            } else {
                throw new UsageException("unknown part '" + name
                                         + "' (Timestamp, Body, Action, MessageID, RelatesTo, ReplyTo, To)");
            }
        }
        return parts;
    }

    // ---------------------------------------------------------------------------------------
    // verify
    // ---------------------------------------------------------------------------------------

    /** What WSS4J made of one message. */
    static final class Opened {
        List<WSSecurityEngineResult> results = new ArrayList<>(); // processing order
        List<String> lines = new ArrayList<>();
        boolean bodySigned;
        boolean timestampSigned;
        boolean timestampPresent;
        boolean bodyEncrypted;
    }

    static int verify(CommandLine cl) throws Exception {
        cl.allow(Set.of("--sct-id", "--key"), Set.of(), 1);
        SharedContext context = SharedContext.from(cl, false);
        Document doc = parse(Files.readAllBytes(Paths.get(cl.positional(0))), cl.positional(0));
        ContextCallback callback = new ContextCallback(context);
        Opened opened;
        try {
            opened = open(doc, callback);
        } catch (WSSecurityException e) {
            printKeyRequests(callback);
            System.out.println("REFUSED " + faultName(e) + " " + describe(e));
            return EXIT_REFUSED;
        }
        printKeyRequests(callback);
        for (String line : opened.lines) {
            System.out.println(line);
        }
        Element first = firstElement(body(doc));
        System.out.println("BODY " + (first == null ? "" : canonical(first)));
        return EXIT_OK;
    }

    /** One KEY line per name WSS4J asked its CallbackHandler for, in order. */
    static void printKeyRequests(ContextCallback callback) {
        for (String name : callback.asked) {
            System.out.println("KEY " + name);
        }
    }

    /**
     * Runs WSS4J's WSSecurityEngine over the Security header (no actor) with only the shared
     * context's key (through `callback`), and describes every result.
     */
    static Opened open(Document doc, ContextCallback callback) throws WSSecurityException {
        WSSecurityEngine engine = new WSSecurityEngine();
        engine.setWssConfig(WSSConfig.getNewInstance());
        List<WSSecurityEngineResult> results = engine.processSecurityHeader(doc, null, callback, null);
        if (results == null) {
            throw new WSSecurityException(WSSecurityException.INVALID_SECURITY, "noSecurity");
        }
        return describeResults(doc, results);
    }

    /** Describes WSS4J's results for `doc` (what was signed, encrypted, which tokens). */
    static Opened describeResults(Document doc, List<WSSecurityEngineResult> results) {
        Opened opened = new Opened();
        // WSS4J 1.6 returns the results last-processed first.
        opened.results.addAll(results);
        Collections.reverse(opened.results);
        Element body = body(doc);
        for (WSSecurityEngineResult r : opened.results) {
            int action = (Integer) r.get(WSSecurityEngineResult.TAG_ACTION);
            StringBuilder line = new StringBuilder();
            switch (action) {
                case WSConstants.TS: {
                    Timestamp ts = (Timestamp) r.get(WSSecurityEngineResult.TAG_TIMESTAMP);
                    opened.timestampPresent = true;
                    line.append("TS id=").append(ts.getID())
                        .append(" created=").append(ts.getCreated().toInstant())
                        .append(" expires=").append(ts.getExpires() == null ? "" : ts.getExpires().toInstant());
                    break;
                }
                case WSConstants.SCT: {
                    SecurityContextToken sct =
                        (SecurityContextToken) r.get(WSSecurityEngineResult.TAG_SECURITY_CONTEXT_TOKEN);
                    Element instance = null;
                    for (Element c : children(sct.getElement())) {
                        if ("Instance".equals(c.getLocalName())) {
                            instance = c;
                        }
                    }
                    line.append("SCT id=").append(sct.getID())
                        .append(" ns=").append(sct.getElement().getNamespaceURI())
                        .append(" identifier=").append(sct.getIdentifier());
                    if (instance != null) {
                        line.append(" instance-ignored=").append(instance.getTextContent().trim());
                    }
                    break;
                }
                case WSConstants.DKT: {
                    DerivedKeyToken dkt = (DerivedKeyToken) r.get(WSSecurityEngineResult.TAG_DERIVED_KEY_TOKEN);
                    byte[] key = (byte[]) r.get(WSSecurityEngineResult.TAG_SECRET);
                    line.append("DKT id=").append(dkt.getID())
                        .append(" ns=").append(dkt.getElement().getNamespaceURI())
                        .append(" offset=").append(dkt.getOffset())
                        .append(" length=").append(dkt.getLength())
                        .append(" label=").append(dkt.getLabel() == null ? "(default)" : dkt.getLabel())
                        .append(" nonce-bytes=").append(Base64.getMimeDecoder().decode(dkt.getNonce()).length)
                        .append(" source-bytes=").append(key == null ? 0 : key.length);
                    break;
                }
                case WSConstants.ENCR: {
                    line.append("ENCR");
                    for (WSDataRef ref : dataRefs(r)) {
                        line.append(' ').append(stripHash(ref.getWsuId())).append('=')
                            .append(ref.getName() == null ? "?" : ref.getName().getLocalPart())
                            .append(ref.isContent() ? "(content)" : "(element)")
                            .append(' ').append(ref.getAlgorithm());
                        Element protectedElement = ref.getProtectedElement();
                        if (protectedElement == body || (ref.getName() != null && body != null
                                && ref.getName().equals(new QName(body.getNamespaceURI(), body.getLocalName())))) {
                            opened.bodyEncrypted = true;
                        }
                    }
                    break;
                }
                case WSConstants.SIGN: {
                    line.append("SIGN ").append(r.get(WSSecurityEngineResult.TAG_SIGNATURE_METHOD));
                    for (WSDataRef ref : dataRefs(r)) {
                        Element e = ref.getProtectedElement();
                        line.append(' ').append(stripHash(ref.getWsuId())).append('=')
                            .append(e == null ? "?" : e.getLocalName());
                        if (e != null && e == body) {
                            opened.bodySigned = true;
                        }
                        if (e != null && WSU_NS.equals(e.getNamespaceURI()) && "Timestamp".equals(e.getLocalName())) {
                            opened.timestampSigned = true;
                        }
                    }
                    break;
                }
                default:
                    line.append("ACTION ").append(action);
            }
            opened.lines.add(line.toString());
        }
        return opened;
    }

    @SuppressWarnings("unchecked")
    static List<WSDataRef> dataRefs(WSSecurityEngineResult r) {
        Object refs = r.get(WSSecurityEngineResult.TAG_DATA_REF_URIS);
        return refs == null ? List.of() : (List<WSDataRef>) refs;
    }

    static String stripHash(String id) {
        if (id == null) {
            return "?";
        }
        return id.startsWith("#") ? id.substring(1) : id;
    }

    /** The WSS fault WSS4J names for an exception ("wsse:FailedCheck"), InvalidSecurity if none. */
    static QName faultQName(WSSecurityException e) {
        QName q = e.getFaultCode();
        if (q == null || q.getLocalPart().isEmpty()) {
            return new QName(WSSE_NS, "InvalidSecurity");
        }
        return q;
    }

    static String faultName(WSSecurityException e) {
        QName q = faultQName(e);
        return "{" + q.getNamespaceURI() + "}" + q.getLocalPart();
    }

    // ---------------------------------------------------------------------------------------
    // serve
    // ---------------------------------------------------------------------------------------

    static final int MAX_REQUEST_BYTES = 4 * 1024 * 1024;

    static int serve(CommandLine cl) throws Exception {
        cl.allow(Set.of("--port", "--sct-id", "--key", "--version", "--threads"), Set.of("--exit-on-stdin-eof"), 0);
        SharedContext context = SharedContext.from(cl, true);
        int port = parseInt(cl.required("--port"), "--port");
        if (port < 0 || port > 65535) {
            throw new UsageException("--port must be 0..65535");
        }
        // --threads: requests are handled on that many threads (default 1: one at a time); the
        // load comparison in docs/performance.md runs as many as the oracle's HTTP workers.
        int threads = parseInt(cl.optionOr("--threads", "1"), "--threads");
        if (threads < 1 || threads > 64) {
            throw new UsageException("--threads must be 1..64");
        }
        // The JDK's HTTP server reads this once, when its first server is made: TCP_NODELAY on
        // every accepted socket (without it a keep-alive client waits out delayed ACKs).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        // Loopback only: the service is a test peer, never a public endpoint.
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        HttpServer server = HttpServer.create(new InetSocketAddress(loopback, port), 16);
        server.createContext("/", exchange -> {
            try {
                handle(exchange, context);
            } catch (Exception e) {
                System.err.println("Wss4jShim serve: " + describe(e));
                try {
                    respond(exchange, 500, "text/plain; charset=utf-8",
                            ("internal error: " + describe(e) + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the response had already started
                }
            } finally {
                exchange.close();
            }
        });
        // One thread: requests one at a time, on the server's thread; more: a fixed pool (each
        // request builds its own WSSecurityEngine and documents; the shared context is read-only).
        server.setExecutor(threads == 1 ? null : Executors.newFixedThreadPool(threads));
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
        System.out.println("listening on http://127.0.0.1:" + server.getAddress().getPort() + "/");
        System.out.flush();
        if (cl.flag("--exit-on-stdin-eof")) {
            // The parent holds our stdin: when it closes it (or dies), the service ends.
            Thread watcher = new Thread(() -> {
                try {
                    InputStream in = System.in;
                    byte[] buf = new byte[256];
                    while (in.read(buf) >= 0) {
                        // discard
                    }
                } catch (IOException e) {
                    // treat as EOF
                }
                server.stop(0);
                System.exit(EXIT_OK);
            });
            watcher.setDaemon(true);
            watcher.start();
        }
        return -1;
    }

    static void handle(HttpExchange exchange, SharedContext context) throws Exception {
        if (!"POST".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "POST");
            respond(exchange, 405, "text/plain; charset=utf-8", "POST a SOAP envelope\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        byte[] request = readLimited(exchange.getRequestBody(), MAX_REQUEST_BYTES);
        if (request == null) {
            respond(exchange, 413, "text/plain; charset=utf-8", "request too large\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        Document doc;
        try {
            doc = parse(request, "request");
        } catch (UsageException e) {
            respond(exchange, 400, "text/plain; charset=utf-8", (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
            return;
        }
        String soapNs = doc.getDocumentElement().getNamespaceURI();
        if (!SOAP11_NS.equals(soapNs) && !SOAP12_NS.equals(soapNs)) {
            respond(exchange, 400, "text/plain; charset=utf-8", "not a SOAP envelope\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        Addressing addressing = Addressing.of(doc);
        Opened opened;
        try {
            opened = open(doc, new ContextCallback(context));
            if (!opened.bodySigned) {
                throw new WSSecurityException(WSSecurityException.INVALID_SECURITY, "invalidData",
                                              new Object[] {"the soap:Body is not signed"});
            }
            if (!opened.timestampPresent || !opened.timestampSigned) {
                throw new WSSecurityException(WSSecurityException.INVALID_SECURITY, "invalidData",
                                              new Object[] {"no signed wsu:Timestamp"});
            }
        } catch (WSSecurityException e) {
            System.err.println("Wss4jShim serve: refused: " + faultName(e) + " " + describe(e));
            Document fault = faultEnvelope(soapNs, addressing, faultQName(e), describe(e));
            respond(exchange, 500, contentType(soapNs), serialize(fault));
            return;
        }
        Document response = echoEnvelope(soapNs, addressing, firstElement(body(doc)));
        ProtectOptions options = new ProtectOptions();
        options.encrypt = opened.bodyEncrypted;
        options.embedSct = false; // a service names the context by its Identifier (SC-8-01)
        protectDocument(response, context, options);
        respond(exchange, 200, contentType(soapNs), serialize(response));
    }

    static String contentType(String soapNs) {
        return SOAP12_NS.equals(soapNs) ? "application/soap+xml; charset=utf-8" : "text/xml; charset=utf-8";
    }

    static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    static byte[] readLimited(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (out.size() + n > limit) {
                return null;
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** The request's WS-Addressing version, Action and MessageID. */
    static final class Addressing {
        String ns = WSA10_NS;
        String action = "";
        String messageId = "";

        static Addressing of(Document doc) {
            Addressing a = new Addressing();
            Element header = child(doc.getDocumentElement(), doc.getDocumentElement().getNamespaceURI(), "Header");
            if (header == null) {
                return a;
            }
            for (Element h : children(header)) {
                String ns = h.getNamespaceURI();
                if (!WSA10_NS.equals(ns) && !WSA200408_NS.equals(ns)) {
                    continue;
                }
                a.ns = ns;
                if ("Action".equals(h.getLocalName())) {
                    a.action = h.getTextContent().trim();
                } else if ("MessageID".equals(h.getLocalName())) {
                    a.messageId = h.getTextContent().trim();
                }
            }
            return a;
        }

        String faultAction() {
            return WSA10_NS.equals(ns) ? WSA10_NS + "/fault" : WSA200408_NS + "/fault";
        }
    }

    /** A new envelope with wsa:Action, MessageID and RelatesTo (each with a wsu:Id) and a Body. */
    static Document newEnvelope(String soapNs, Addressing request, String action) throws Exception {
        Document doc = newDocument();
        Element envelope = doc.createElementNS(soapNs, "s:Envelope");
        envelope.setAttributeNS(XMLNS_NS, "xmlns:s", soapNs);
        envelope.setAttributeNS(XMLNS_NS, "xmlns:a", request.ns);
        envelope.setAttributeNS(XMLNS_NS, "xmlns:u", WSU_NS);
        doc.appendChild(envelope);
        Element header = doc.createElementNS(soapNs, "s:Header");
        envelope.appendChild(header);
        int n = 1;
        Element actionElement = addText(header, request.ns, "a:Action", action);
        actionElement.setAttributeNS(soapNs, "s:mustUnderstand", "1");
        setWsuId(actionElement, "_" + n++);
        setWsuId(addText(header, request.ns, "a:MessageID", "urn:uuid:" + UUID.randomUUID()), "_" + n++);
        if (!request.messageId.isEmpty()) {
            setWsuId(addText(header, request.ns, "a:RelatesTo", request.messageId), "_" + n++);
        }
        Element body = doc.createElementNS(soapNs, "s:Body");
        setWsuId(body, "_" + n);
        envelope.appendChild(body);
        return doc;
    }

    static Document echoEnvelope(String soapNs, Addressing request, Element echoed) throws Exception {
        Document doc = newEnvelope(soapNs, request, request.action + "Response");
        if (echoed != null) {
            body(doc).appendChild(doc.importNode(echoed, true));
        }
        return doc;
    }

    /**
     * A SOAP fault naming the WSS fault: SOAP 1.2 Code Sender with the WSS QName as Subcode,
     * SOAP 1.1 faultcode = the WSS QName (WSS 1.1 section 12).
     */
    static Document faultEnvelope(String soapNs, Addressing request, QName code, String reason) throws Exception {
        Document doc = newEnvelope(soapNs, request, request.faultAction());
        Element body = body(doc);
        Element fault = doc.createElementNS(soapNs, "s:Fault");
        body.appendChild(fault);
        String qualified = "wsse:" + code.getLocalPart();
        if (SOAP12_NS.equals(soapNs)) {
            Element codeElement = doc.createElementNS(soapNs, "s:Code");
            fault.appendChild(codeElement);
            addText(codeElement, soapNs, "s:Value", "s:Sender");
            Element subcode = doc.createElementNS(soapNs, "s:Subcode");
            codeElement.appendChild(subcode);
            Element value = addText(subcode, soapNs, "s:Value", qualified);
            value.setAttributeNS(XMLNS_NS, "xmlns:wsse", code.getNamespaceURI());
            Element reasonElement = doc.createElementNS(soapNs, "s:Reason");
            fault.appendChild(reasonElement);
            Element text = addText(reasonElement, soapNs, "s:Text", reason);
            text.setAttributeNS(XMLConstants.XML_NS_URI, "xml:lang", "en");
        } else {
            Element faultcode = addText(fault, null, "faultcode", qualified);
            faultcode.setAttributeNS(XMLNS_NS, "xmlns:wsse", code.getNamespaceURI());
            addText(fault, null, "faultstring", reason);
        }
        return doc;
    }

    // ---------------------------------------------------------------------------------------
    // XML helpers
    // ---------------------------------------------------------------------------------------

    static DocumentBuilder builder() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setXIncludeAware(false);
        factory.setExpandEntityReferences(false);
        DocumentBuilder builder = factory.newDocumentBuilder();
        builder.setErrorHandler(new ErrorHandler() {
            @Override
            public void warning(SAXParseException e) {
            }

            @Override
            public void error(SAXParseException e) throws SAXParseException {
                throw e;
            }

            @Override
            public void fatalError(SAXParseException e) throws SAXParseException {
                throw e;
            }
        });
        return builder;
    }

    static Document newDocument() throws Exception {
        return builder().newDocument();
    }

    /** Parses with namespaces on and DTDs refused (no entity expansion, no external fetches). */
    static Document parse(byte[] bytes, String name) throws Exception {
        try {
            return builder().parse(new ByteArrayInputStream(bytes));
        } catch (SAXParseException e) {
            throw new UsageException(name + ":" + e.getLineNumber() + ":" + e.getColumnNumber()
                                     + ": not well-formed: " + e.getMessage());
        }
    }

    /** DOM Level 3 serialization (namespace fixup on, no XML declaration, no reformatting). */
    static byte[] serialize(Document doc) {
        DOMImplementationLS ls = (DOMImplementationLS) doc.getImplementation().getFeature("LS", "3.0");
        LSSerializer serializer = ls.createLSSerializer();
        serializer.getDomConfig().setParameter("xml-declaration", false);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LSOutput output = ls.createLSOutput();
        output.setEncoding("UTF-8");
        output.setByteStream(bytes);
        serializer.write(doc, output);
        return bytes.toByteArray();
    }

    /** Exclusive XML Canonicalization 1.0 of one element, as UTF-8 text. */
    static String canonical(Element element) throws Exception {
        Canonicalizer c14n = Canonicalizer.getInstance(Canonicalizer.ALGO_ID_C14N_EXCL_OMIT_COMMENTS);
        return new String(c14n.canonicalizeSubtree(element), StandardCharsets.UTF_8);
    }

    static Element body(Document doc) {
        Element envelope = doc.getDocumentElement();
        return child(envelope, envelope.getNamespaceURI(), "Body");
    }

    static List<Element> children(Element parent) {
        List<Element> out = new ArrayList<>();
        if (parent == null) {
            return out;
        }
        for (Node c = parent.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c.getNodeType() == Node.ELEMENT_NODE) {
                out.add((Element) c);
            }
        }
        return out;
    }

    static Element child(Element parent, String ns, String localName) {
        for (Element c : children(parent)) {
            if (localName.equals(c.getLocalName()) && ns != null && ns.equals(c.getNamespaceURI())) {
                return c;
            }
        }
        return null;
    }

    static Element firstElement(Element parent) {
        List<Element> c = children(parent);
        return c.isEmpty() ? null : c.get(0);
    }

    static Element addText(Element parent, String ns, String qualifiedName, String text) {
        Document doc = parent.getOwnerDocument();
        Element e = ns == null ? doc.createElementNS(null, qualifiedName) : doc.createElementNS(ns, qualifiedName);
        e.appendChild(doc.createTextNode(text));
        parent.appendChild(e);
        return e;
    }

    /**
     * Declares, on the element that uses it, every prefix of an element or attribute name in the
     * subtree that no xmlns attribute in scope binds (a DOM built with createElementNS alone is
     * not namespace-well-formed until serialization fixes it up).
     */
    static void declareMissingPrefixes(Element root) {
        declare(root, root.getPrefix(), root.getNamespaceURI());
        org.w3c.dom.NamedNodeMap attributes = root.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            Node a = attributes.item(i);
            if (!XMLNS_NS.equals(a.getNamespaceURI())) {
                declare(root, a.getPrefix(), a.getNamespaceURI());
            }
        }
        for (Element c : children(root)) {
            declareMissingPrefixes(c);
        }
    }

    static void declare(Element element, String prefix, String ns) {
        if (prefix == null || prefix.isEmpty() || ns == null || "xml".equals(prefix)) {
            return;
        }
        for (Node n = element; n != null && n.getNodeType() == Node.ELEMENT_NODE; n = n.getParentNode()) {
            Element e = (Element) n;
            if (e.hasAttributeNS(XMLNS_NS, prefix)) {
                return; // bound in scope (to whatever it is bound: the DOM's own business)
            }
        }
        element.setAttributeNS(XMLNS_NS, "xmlns:" + prefix, ns);
    }

    static void setWsuId(Element e, String id) {
        e.setAttributeNS(WSU_NS, "u:Id", id);
    }

    // ---------------------------------------------------------------------------------------
    // Small parsers and messages
    // ---------------------------------------------------------------------------------------

    static byte[] hex(String text) throws UsageException {
        String s = text.trim();
        if (s.isEmpty() || s.length() % 2 != 0 || !s.matches("[0-9a-fA-F]*")) {
            throw new UsageException("not a non-empty, even-length hex string: '" + text + "'");
        }
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    static int parseInt(String text, String what) throws UsageException {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new UsageException(what + " must be an integer, not '" + text + "'");
        }
    }

    /** Message of e and its causes, each said once, on one line. */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            String message = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            if (sb.indexOf(message) >= 0) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(": ");
            }
            sb.append(message);
        }
        return sb.toString().replace('\n', ' ').replace('\r', ' ');
    }

    /** "--name value" options, "--name" flags and positional arguments, checked per subcommand. */
    static final class CommandLine {
        private final Map<String, String> options = new HashMap<>();
        private final Set<String> flags = new HashSet<>();
        private final List<String> positional = new ArrayList<>();
        private final List<String> raw;

        CommandLine(String[] args) {
            this.raw = Arrays.asList(args);
        }

        void allow(Set<String> valued, Set<String> boolFlags, int positionalCount) throws UsageException {
            for (int i = 0; i < raw.size(); i++) {
                String arg = raw.get(i);
                if (valued.contains(arg)) {
                    if (i + 1 >= raw.size()) {
                        throw new UsageException(arg + " needs a value");
                    }
                    if (options.put(arg, raw.get(++i)) != null) {
                        throw new UsageException(arg + " given twice");
                    }
                } else if (boolFlags.contains(arg)) {
                    flags.add(arg);
                } else if (arg.startsWith("--")) {
                    throw new UsageException("unknown option " + arg);
                } else {
                    positional.add(arg);
                }
            }
            if (positional.size() != positionalCount) {
                throw new UsageException("expected " + positionalCount + " file argument(s), got "
                                         + positional.size());
            }
        }

        boolean flag(String name) {
            return flags.contains(name);
        }

        String option(String name) {
            return options.get(name);
        }

        String optionOr(String name, String fallback) {
            return options.getOrDefault(name, fallback);
        }

        String required(String name) throws UsageException {
            String value = options.get(name);
            if (value == null) {
                throw new UsageException("missing " + name);
            }
            return value;
        }

        String positional(int i) {
            return positional.get(i);
        }
    }
}
