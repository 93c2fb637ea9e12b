package com.examplebank.payments;

import java.security.KeyPair;
import java.security.KeyPairGenerator;

/** Pilot: ML-KEM key establishment with the card scheme's test environment (Java 24+). */
public final class QuantumSafeChannel {
    public KeyPair newKeyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("ML-KEM-768");
        return generator.generateKeyPair();
    }
}
