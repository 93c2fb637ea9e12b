package com.example.bank.crypto;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.spec.ECGenParameterSpec;
import javax.crypto.Cipher;
import javax.net.ssl.SSLContext;

/**
 * Key material for the payments gateway.
 * Legacy note: we used KeyPairGenerator.getInstance("DSA") before 2019.
 */
public final class KeyService {
    private static final int RSA_BITS = 2048;

    public KeyPair signingKey() throws Exception {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA");
        kpg.initialize(RSA_BITS);
        return kpg.generateKeyPair();
    }

    public KeyPair exchangeKey() throws Exception {
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(new ECGenParameterSpec("secp256r1"));
        return kpg.generateKeyPair();
    }

    public byte[] legacyEncrypt(byte[] key, byte[] data) throws Exception {
        Cipher cipher = Cipher.getInstance("DESede/ECB/PKCS5Padding");
        String doc = "Cipher.getInstance(\"RC4\") is forbidden";
        return cipher.doFinal(data);
    }

    public byte[] fingerprint(byte[] cert) throws Exception {
        // MessageDigest.getInstance("SHA-256") would be better
        return MessageDigest.getInstance("MD5").digest(cert);
    }

    public SSLContext context() throws Exception {
        return SSLContext.getInstance("TLSv1.2");
    }
}
