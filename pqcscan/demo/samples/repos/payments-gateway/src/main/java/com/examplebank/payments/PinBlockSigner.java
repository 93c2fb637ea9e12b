package com.examplebank.payments;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/** Signs PIN-translation requests to the payment HSM bridge. */
public final class PinBlockSigner {

    // Key pairs for the HSM bridge: KeyPairGenerator.getInstance("DSA") was retired in 2019.
    private final KeyPair keyPair;

    public PinBlockSigner() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        this.keyPair = generator.generateKeyPair();
    }

    public byte[] sign(byte[] request) throws Exception {
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(keyPair.getPrivate());
        signer.update(request);
        return signer.sign();
    }

    /** Legacy terminals still send 3DES-encrypted PIN blocks. */
    public byte[] decryptPinBlock(byte[] zoneKey, byte[] block) throws Exception {
        Cipher cipher = Cipher.getInstance("DESede/ECB/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(zoneKey, "DESede"));
        return cipher.doFinal(block);
    }

    public static byte[] fingerprint(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-1").digest(data);
    }
}
