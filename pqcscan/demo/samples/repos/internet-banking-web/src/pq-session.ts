// Pilot: post-quantum session keys between the web tier and the API gateway.
import { ml_kem768 } from '@noble/post-quantum/ml-kem';

export function newSessionKeyPair(): { publicKey: Uint8Array; secretKey: Uint8Array } {
  return ml_kem768.keygen();
}
