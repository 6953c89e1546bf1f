/*
 * XmlSecTool: an XML canonicalization / XML-Signature oracle for parley built on Apache Santuario
 * (Debian libxml-security-java). It shares no code with parley's C++ core, so vectors it produces
 * or verifies are an independent cross-check (vectors/README.md, "Cross-checks").
 *
 * Subcommands (exit 0 = success / valid, 1 = signature invalid, 2 = usage or processing error):
 *
 *   c14n --method exclusive|inclusive [--comments] [--prefixes "a b #default"] [--id ID] FILE
 *   sign-hmac --key HEX --alg hmac-sha1|hmac-sha256 --ids "id1 id2" [--prefixes P]
 *             [--parent-xpath-localname NAME] [--digest sha1|sha256] [--hmac-output-length BITS]
 *             [--line-breaks] IN OUT
 *   sign-rsa --key-pem FILE --alg rsa-sha256|rsa-sha1 --ids "id1 id2" [--prefixes P]
 *            [--parent-xpath-localname NAME] [--digest sha1|sha256] [--line-breaks] IN OUT
 *   verify (--hmac-key HEX | --public-key-pem FILE) [--index N] FILE
 *
 * The document is parsed once with DTDs refused; every wsu:Id / Id attribute is registered as an
 * XML ID. verify trusts only the key given on the command line, never ds:KeyInfo.
 * --hmac-output-length exists only to build negative vectors (see signTruncated).
 *
 * Compiled and run by scripts/santuario; not part of the CMake build.
 */

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import org.apache.xml.security.algorithms.MessageDigestAlgorithm;
import org.apache.xml.security.c14n.Canonicalizer;
import org.apache.xml.security.exceptions.XMLSecurityException;
import org.apache.xml.security.signature.SignedInfo;
import org.apache.xml.security.signature.XMLSignature;
import org.apache.xml.security.transforms.Transforms;
import org.apache.xml.security.transforms.params.InclusiveNamespaces;
import org.apache.xml.security.utils.Constants;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXParseException;

public final class XmlSecTool {

    static final int EXIT_OK = 0;
    static final int EXIT_INVALID = 1;
    static final int EXIT_ERROR = 2;

    // WSS 1.0 utility schema; wsu:Id is how WS-Security / WS-SC messages name signed parts.
    static final String WSU_NS =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";

    static final String USAGE = String.join("\n",
        "usage: XmlSecTool c14n --method exclusive|inclusive [--comments] [--prefixes LIST]",
        "                  [--id ID] FILE",
        "       XmlSecTool sign-hmac --key HEX --alg hmac-sha1|hmac-sha256 --ids \"ID ...\"",
        "                  [--prefixes LIST] [--parent-xpath-localname NAME]",
        "                  [--digest sha1|sha256] [--hmac-output-length BITS] [--line-breaks]",
        "                  IN OUT",
        "       XmlSecTool sign-rsa --key-pem FILE --alg rsa-sha256|rsa-sha1 --ids \"ID ...\"",
        "                  [--prefixes LIST] [--parent-xpath-localname NAME]",
        "                  [--digest sha1|sha256] [--line-breaks] IN OUT",
        "       XmlSecTool verify (--hmac-key HEX | --public-key-pem FILE) [--index N] FILE");

    private XmlSecTool() {
    }

    /** A bad command line or unusable input: reported on stderr, exit 2. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** An input file that cannot be used (unreadable, not well-formed, no such Id): exit 2. */
    static final class InputError extends Exception {
        private static final long serialVersionUID = 1L;

        InputError(String message) {
            super(message);
        }
    }

    /** A signature that does not verify: reported on stderr, exit 1. */
    static final class InvalidSignature extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidSignature(String message) {
            super(message);
        }
    }

    public static void main(String[] argv) {
        int code;
        try {
            code = run(argv);
        } catch (UsageException e) {
            System.err.println("XmlSecTool: " + e.getMessage());
            System.err.println(USAGE);
            code = EXIT_ERROR;
        } catch (InputError e) {
            System.err.println("XmlSecTool: " + e.getMessage());
            code = EXIT_ERROR;
        } catch (InvalidSignature e) {
            System.err.println("invalid: " + e.getMessage());
            code = EXIT_INVALID;
        } catch (Exception e) {
            System.err.println("XmlSecTool: error: " + describe(e));
            code = EXIT_ERROR;
        }
        System.out.flush();
        System.exit(code);
    }

    static int run(String[] argv) throws Exception {
        if (argv.length == 0) {
            throw new UsageException("missing subcommand");
        }
        String command = argv[0];
        CommandLine cl = CommandLine.parse(Arrays.copyOfRange(argv, 1, argv.length));
        // Set before Init: XMLUtils caches the property when Santuario's classes initialise.
        if (!cl.mentions("--line-breaks")) {
            System.setProperty("org.apache.xml.security.ignoreLineBreaks", "true");
        }
        org.apache.xml.security.Init.init();
        switch (command) {
            case "c14n":
                return c14n(cl);
            case "sign-hmac":
                return signHmac(cl);
            case "sign-rsa":
                return signRsa(cl);
            case "verify":
                return verify(cl);
            default:
                throw new UsageException("unknown subcommand '" + command + "'");
        }
    }

    // ---------------------------------------------------------------------------------------
    // c14n
    // ---------------------------------------------------------------------------------------

    static int c14n(CommandLine cl) throws Exception {
        cl.allow(Set.of("--method", "--prefixes", "--id"), Set.of("--comments"), 1);
        String method = cl.required("--method");
        boolean comments = cl.flag("--comments");
        String prefixes = cl.option("--prefixes");
        String algorithm;
        switch (method) {
            case "exclusive":
                // Exclusive XML Canonicalization 1.0, section 3 (the W3C algorithm URIs).
                algorithm = comments ? Canonicalizer.ALGO_ID_C14N_EXCL_WITH_COMMENTS
                                     : Canonicalizer.ALGO_ID_C14N_EXCL_OMIT_COMMENTS;
                break;
            case "inclusive":
                // Canonical XML 1.0 (not 1.1): the variant WS-Security and WCF name.
                algorithm = comments ? Canonicalizer.ALGO_ID_C14N_WITH_COMMENTS
                                     : Canonicalizer.ALGO_ID_C14N_OMIT_COMMENTS;
                if (prefixes != null) {
                    throw new UsageException("--prefixes applies to exclusive C14N only");
                }
                break;
            default:
                throw new UsageException("--method must be exclusive or inclusive");
        }
        Document doc = parse(Paths.get(cl.positional(0)));
        Node apex = doc;
        String id = cl.option("--id");
        if (id != null) {
            apex = findById(doc, id);
        }
        Canonicalizer c14n = Canonicalizer.getInstance(algorithm);
        c14n.setSecureValidation(true);
        byte[] out = (prefixes != null) ? c14n.canonicalizeSubtree(apex, prefixes)
                                        : c14n.canonicalizeSubtree(apex);
        System.out.write(out);
        System.out.flush();
        return EXIT_OK;
    }

    // ---------------------------------------------------------------------------------------
    // sign-hmac / sign-rsa
    // ---------------------------------------------------------------------------------------

    static int signHmac(CommandLine cl) throws Exception {
        cl.allow(Set.of("--key", "--alg", "--ids", "--prefixes", "--parent-xpath-localname",
                        "--digest", "--hmac-output-length"),
                 Set.of("--line-breaks"), 2);
        byte[] key = hex(cl.required("--key"));
        String alg = cl.required("--alg");
        String signatureUri;
        String jceName;
        String defaultDigest;
        switch (alg) {
            case "hmac-sha1":
                signatureUri = XMLSignature.ALGO_ID_MAC_HMAC_SHA1;
                jceName = "HmacSHA1";
                defaultDigest = "sha1";
                break;
            case "hmac-sha256":
                signatureUri = XMLSignature.ALGO_ID_MAC_HMAC_SHA256;
                jceName = "HmacSHA256";
                defaultDigest = "sha256";
                break;
            default:
                throw new UsageException("--alg must be hmac-sha1 or hmac-sha256");
        }
        Integer truncateBits = null;
        if (cl.option("--hmac-output-length") != null) {
            truncateBits = parseInt(cl.option("--hmac-output-length"), "--hmac-output-length");
            if (truncateBits <= 0 || truncateBits % 8 != 0) {
                throw new UsageException("--hmac-output-length must be a positive multiple of 8");
            }
        }
        Signer signer = new Signer(cl, signatureUri, cl.optionOr("--digest", defaultDigest));
        SecretKeySpec secret = new SecretKeySpec(key, jceName);
        if (truncateBits == null) {
            signer.signature.sign(secret);
        } else {
            signTruncated(signer, secret, truncateBits);
        }
        signer.write();
        return EXIT_OK;
    }

    /**
     * Produces a signature with ds:HMACOutputLength (XMLDSig 1.1 section 6.3.1). Santuario refuses
     * to create truncated MACs, so the digests come from Santuario and the MAC over Santuario's
     * canonical SignedInfo is computed and truncated here; used only to build negative vectors.
     */
    static void signTruncated(Signer signer, SecretKeySpec secret, int bits) throws Exception {
        Document doc = signer.doc;
        SignedInfo si = signer.signature.getSignedInfo();
        si.generateDigestValues();
        Element method = si.getSignatureMethodElement();
        Element lengthElement =
            doc.createElementNS(Constants.SignatureSpecNS, prefixed(method, "HMACOutputLength"));
        lengthElement.appendChild(doc.createTextNode(Integer.toString(bits)));
        method.appendChild(lengthElement);
        // SignedInfo is canonicalized by its own CanonicalizationMethod (XMLDSig 1.1 4.4.1).
        Canonicalizer c14n = Canonicalizer.getInstance(si.getCanonicalizationMethodURI());
        byte[] canonical = c14n.canonicalizeSubtree(si.getElement());
        Mac mac = Mac.getInstance(secret.getAlgorithm());
        mac.init(secret);
        byte[] full = mac.doFinal(canonical);
        byte[] truncated = Arrays.copyOf(full, Math.min(full.length, bits / 8));
        Element value =
            firstChild(signer.signature.getElement(), Constants.SignatureSpecNS, "SignatureValue");
        while (value.getFirstChild() != null) {
            value.removeChild(value.getFirstChild());
        }
        value.appendChild(doc.createTextNode(Base64.getEncoder().encodeToString(truncated)));
    }

    static int signRsa(CommandLine cl) throws Exception {
        cl.allow(Set.of("--key-pem", "--alg", "--ids", "--prefixes", "--parent-xpath-localname",
                        "--digest"),
                 Set.of("--line-breaks"), 2);
        PrivateKey key = readPrivateKey(Paths.get(cl.required("--key-pem")));
        String alg = cl.required("--alg");
        String signatureUri;
        String defaultDigest;
        switch (alg) {
            case "rsa-sha256":
                signatureUri = XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA256;
                defaultDigest = "sha256";
                break;
            case "rsa-sha1":
                signatureUri = XMLSignature.ALGO_ID_SIGNATURE_RSA_SHA1;
                defaultDigest = "sha1";
                break;
            default:
                throw new UsageException("--alg must be rsa-sha256 or rsa-sha1");
        }
        Signer signer = new Signer(cl, signatureUri, cl.optionOr("--digest", defaultDigest));
        signer.signature.sign(key);
        signer.write();
        return EXIT_OK;
    }

    /** Shared by both sign commands: parse, place ds:Signature, add one Reference per id. */
    static final class Signer {
        final Document doc;
        final XMLSignature signature;
        final Path out;

        Signer(CommandLine cl, String signatureUri, String digest) throws Exception {
            String digestUri;
            switch (digest) {
                case "sha1":
                    digestUri = MessageDigestAlgorithm.ALGO_ID_DIGEST_SHA1;
                    break;
                case "sha256":
                    digestUri = MessageDigestAlgorithm.ALGO_ID_DIGEST_SHA256;
                    break;
                default:
                    throw new UsageException("--digest must be sha1 or sha256");
            }
            List<String> ids = words(cl.required("--ids"));
            if (ids.isEmpty()) {
                throw new UsageException("--ids names no element");
            }
            String prefixes = cl.option("--prefixes");
            this.doc = parse(Paths.get(cl.positional(0)));
            this.out = Paths.get(cl.positional(1));
            for (String id : ids) {
                findById(doc, id); // fails early, and clearly, on a missing or duplicated id
            }
            Element parent = doc.getDocumentElement();
            String parentName = cl.option("--parent-xpath-localname");
            if (parentName != null) {
                NodeList found = doc.getElementsByTagNameNS("*", parentName);
                if (found.getLength() == 0) {
                    throw new InputError("no element with local name '" + parentName + "'");
                }
                parent = (Element) found.item(0);
            }
            // Exclusive C14N throughout, as WSS SOAP Message Security 1.1 section 8.1 and WCF use.
            this.signature = new XMLSignature(doc, "", signatureUri,
                                              Canonicalizer.ALGO_ID_C14N_EXCL_OMIT_COMMENTS);
            parent.appendChild(signature.getElement());
            for (String id : ids) {
                Transforms transforms = new Transforms(doc);
                if (prefixes != null) {
                    // Exclusive C14N section 3: the PrefixList travels as ec:InclusiveNamespaces.
                    transforms.addTransform(Transforms.TRANSFORM_C14N_EXCL_OMIT_COMMENTS,
                                            new InclusiveNamespaces(doc, prefixes).getElement());
                } else {
                    transforms.addTransform(Transforms.TRANSFORM_C14N_EXCL_OMIT_COMMENTS);
                }
                signature.addDocument("#" + id, transforms, digestUri);
            }
        }

        void write() throws Exception {
            // Physical C14N writes the DOM without re-homing namespace declarations or dropping
            // anything (unlike real C14N), so the signed infoset is exactly what is written.
            Canonicalizer writer = Canonicalizer.getInstance(Canonicalizer.ALGO_ID_C14N_PHYSICAL);
            Files.write(out, writer.canonicalizeSubtree(doc));
        }
    }

    // ---------------------------------------------------------------------------------------
    // verify
    // ---------------------------------------------------------------------------------------

    static int verify(CommandLine cl) throws Exception {
        cl.allow(Set.of("--hmac-key", "--public-key-pem", "--index"), Set.of(), 1);
        String hmacHex = cl.option("--hmac-key");
        String pemPath = cl.option("--public-key-pem");
        if ((hmacHex == null) == (pemPath == null)) {
            throw new UsageException("give exactly one of --hmac-key and --public-key-pem");
        }
        int index = parseInt(cl.optionOr("--index", "0"), "--index");
        Document doc = parse(Paths.get(cl.positional(0)));
        NodeList signatures = doc.getElementsByTagNameNS(Constants.SignatureSpecNS, "Signature");
        if (index < 0 || index >= signatures.getLength()) {
            throw new InputError("no ds:Signature at index " + index + " (document has "
                                     + signatures.getLength() + ")");
        }
        Element signatureElement = (Element) signatures.item(index);

        XMLSignature signature;
        try {
            // Secure validation: algorithm blacklist, reference/transform limits, wrapping checks.
            signature = new XMLSignature(signatureElement, "", true);
        } catch (XMLSecurityException e) {
            throw new InvalidSignature("cannot parse ds:Signature: " + describe(e));
        }
        // Only the caller's key is used, never ds:KeyInfo: KeyInfo is optional and the key may come
        // from application context (XMLDSig 1.1 section 4.5); for WS-SC that is the session.
        Key key;
        if (hmacHex != null) {
            String jceName = hmacJceName(signature.getSignedInfo().getSignatureMethodURI());
            key = new SecretKeySpec(hex(hmacHex), jceName);
        } else {
            key = readPublicKey(Paths.get(pemPath));
        }

        boolean valid;
        try {
            valid = signature.checkSignatureValue(key);
        } catch (XMLSecurityException e) {
            throw new InvalidSignature(describe(e));
        }
        SignedInfo si = signature.getSignedInfo();
        if (!valid) {
            throw new InvalidSignature(explainFailure(si));
        }
        for (int i = 0; i < si.getLength(); i++) {
            System.out.println(si.item(i).getURI());
        }
        return EXIT_OK;
    }

    /**
     * checkSignatureValue() answers false both for a wrong SignatureValue and for a wrong
     * DigestValue; re-running the references (XMLDSig 1.1 section 3.2.1) tells the two apart.
     */
    static String explainFailure(SignedInfo si) {
        List<String> mismatched = new ArrayList<>();
        try {
            for (int i = 0; i < si.getLength(); i++) {
                if (!si.getVerificationResult(i)) {
                    mismatched.add(si.item(i).getURI());
                }
            }
        } catch (XMLSecurityException e) {
            return "SignatureValue mismatch or unresolvable reference: " + describe(e);
        }
        if (mismatched.isEmpty()) {
            return "SignatureValue does not match the canonical SignedInfo under the supplied key";
        }
        return "DigestValue mismatch for reference(s) " + String.join(" ", mismatched);
    }

    static String hmacJceName(String signatureMethodUri) throws InvalidSignature {
        if (XMLSignature.ALGO_ID_MAC_HMAC_SHA1.equals(signatureMethodUri)) {
            return "HmacSHA1";
        }
        if (XMLSignature.ALGO_ID_MAC_HMAC_SHA256.equals(signatureMethodUri)) {
            return "HmacSHA256";
        }
        if (XMLSignature.ALGO_ID_MAC_HMAC_SHA384.equals(signatureMethodUri)) {
            return "HmacSHA384";
        }
        if (XMLSignature.ALGO_ID_MAC_HMAC_SHA512.equals(signatureMethodUri)) {
            return "HmacSHA512";
        }
        throw new InvalidSignature("an HMAC key was supplied but SignatureMethod is "
                                   + signatureMethodUri);
    }

    // ---------------------------------------------------------------------------------------
    // XML helpers
    // ---------------------------------------------------------------------------------------

    /** Parses with namespaces on and DTDs refused (no entity expansion, no external fetches). */
    static Document parse(Path file) throws Exception {
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
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InputError("cannot read " + file + ": " + e.getMessage());
        }
        Document doc;
        try {
            doc = builder.parse(new ByteArrayInputStream(bytes));
        } catch (SAXParseException e) {
            throw new InputError(file + ":" + e.getLineNumber() + ":" + e.getColumnNumber()
                                     + ": not well-formed: " + e.getMessage());
        }
        registerIds(doc.getDocumentElement());
        return doc;
    }

    /**
     * Marks every wsu:Id and unqualified Id attribute as an XML ID so that same-document
     * references ("#id", XMLDSig 1.1 section 4.4.3.3) resolve without a schema, as WSS stacks do.
     */
    static void registerIds(Element element) {
        if (element.hasAttributeNS(WSU_NS, "Id")) {
            element.setIdAttributeNS(WSU_NS, "Id", true);
        }
        if (element.hasAttributeNS(null, "Id")) {
            element.setIdAttributeNS(null, "Id", true);
        }
        for (Node child = element.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child.getNodeType() == Node.ELEMENT_NODE) {
                registerIds((Element) child);
            }
        }
    }

    /** The single element whose wsu:Id or Id equals id; two or more is an error, not a choice. */
    static Element findById(Document doc, String id) throws InputError {
        List<Element> matches = new ArrayList<>();
        collectById(doc.getDocumentElement(), id, matches);
        if (matches.isEmpty()) {
            throw new InputError("no element with wsu:Id or Id '" + id + "'");
        }
        if (matches.size() > 1) {
            throw new InputError(matches.size() + " elements carry the Id '" + id + "'");
        }
        return matches.get(0);
    }

    static void collectById(Element element, String id, List<Element> matches) {
        NamedNodeMap attributes = element.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            Attr attr = (Attr) attributes.item(i);
            String ns = attr.getNamespaceURI();
            boolean isId = "Id".equals(attr.getLocalName()) && (ns == null || WSU_NS.equals(ns));
            if (isId && id.equals(attr.getValue())) {
                matches.add(element);
                break;
            }
        }
        for (Node child = element.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child.getNodeType() == Node.ELEMENT_NODE) {
                collectById((Element) child, id, matches);
            }
        }
    }

    static Element firstChild(Element parent, String ns, String localName)
            throws InputError {
        for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child.getNodeType() == Node.ELEMENT_NODE && ns.equals(child.getNamespaceURI())
                && localName.equals(child.getLocalName())) {
                return (Element) child;
            }
        }
        throw new InputError("no " + localName + " under " + parent.getLocalName());
    }

    /** "ds:HMACOutputLength" when the sibling element uses prefix ds, else the unprefixed name. */
    static String prefixed(Element sibling, String localName) {
        String prefix = sibling.getPrefix();
        return (prefix == null || prefix.isEmpty()) ? localName : prefix + ":" + localName;
    }

    // ---------------------------------------------------------------------------------------
    // Keys and small parsers
    // ---------------------------------------------------------------------------------------

    static byte[] hex(String text) throws UsageException {
        String s = text.trim();
        if (s.length() % 2 != 0 || !s.matches("[0-9a-fA-F]*")) {
            throw new UsageException("not an even-length hex string: '" + text + "'");
        }
        if (s.isEmpty()) {
            throw new UsageException("empty key");
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

    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (String w : text.trim().split("\\s+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    /** The base64 body of the first PEM block labelled label, or null when there is none. */
    static byte[] pemBlock(String pem, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int start = pem.indexOf(begin);
        if (start < 0) {
            return null;
        }
        int stop = pem.indexOf(end, start);
        if (stop < 0) {
            return null;
        }
        String body = pem.substring(start + begin.length(), stop).replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }

    static String readText(Path file) throws InputError {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new InputError("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** PKCS#8 "PRIVATE KEY" PEM (RFC 5958); RSA first, then EC. */
    static PrivateKey readPrivateKey(Path file) throws Exception {
        String pem = readText(file);
        byte[] der = pemBlock(pem, "PRIVATE KEY");
        if (der == null) {
            throw new InputError(file + ": expected a PKCS#8 'BEGIN PRIVATE KEY' PEM block");
        }
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                KeyFactory factory = KeyFactory.getInstance(algorithm);
                return factory.generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (java.security.spec.InvalidKeySpecException e) {
                // not this algorithm; try the next
            }
        }
        throw new InputError(file + ": not an RSA or EC PKCS#8 private key");
    }

    /** SubjectPublicKeyInfo "PUBLIC KEY" PEM (RFC 5280 4.1), or the key of a "CERTIFICATE". */
    static PublicKey readPublicKey(Path file) throws Exception {
        String pem = readText(file);
        byte[] cert = pemBlock(pem, "CERTIFICATE");
        if (cert != null) {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            X509Certificate certificate =
                (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(cert));
            return certificate.getPublicKey();
        }
        byte[] der = pemBlock(pem, "PUBLIC KEY");
        if (der == null) {
            throw new InputError(file + ": expected a 'PUBLIC KEY' or 'CERTIFICATE' PEM block");
        }
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                KeyFactory factory = KeyFactory.getInstance(algorithm);
                return factory.generatePublic(new X509EncodedKeySpec(der));
            } catch (java.security.spec.InvalidKeySpecException e) {
                // not this algorithm; try the next
            }
        }
        throw new InputError(file + ": not an RSA or EC public key");
    }

    /** Message of e and its causes, so "invalid:" lines say what Santuario objected to. */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        Set<Throwable> seen = new HashSet<>();
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            String message = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
            // Santuario repeats a cause's message inside its wrapper's; say each thing once.
            if (sb.indexOf(message) >= 0) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(": ");
            }
            sb.append(message);
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------------------------------
    // Command line
    // ---------------------------------------------------------------------------------------

    /** "--name value" options, "--name" flags and positional arguments, checked per subcommand. */
    static final class CommandLine {
        private final Map<String, String> options = new HashMap<>();
        private final Set<String> flags = new HashSet<>();
        private final List<String> positional = new ArrayList<>();
        private final List<String> raw;

        private CommandLine(List<String> raw) {
            this.raw = raw;
        }

        static CommandLine parse(String[] args) {
            return new CommandLine(Arrays.asList(args));
        }

        /** Splits raw arguments now that the subcommand says which names take a value. */
        void allow(Set<String> valued, Set<String> boolFlags, int positionalCount)
                throws UsageException {
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

        /** Whether name appears at all; usable before allow() (needed for --line-breaks). */
        boolean mentions(String name) {
            return raw.contains(name);
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
