/* Shim between the ledger batch and the old HSM: key wrapping for batch files. */
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/bn.h>

int make_batch_key(RSA **out)
{
    BIGNUM *e = BN_new();
    RSA *rsa = RSA_new();
    BN_set_word(e, RSA_F4);
    if (!RSA_generate_key_ex(rsa, 1024, e, NULL))
        return 0;
    BN_free(e);
    *out = rsa;
    return 1;
}

const EVP_CIPHER *batch_cipher(void)
{
    return EVP_des_ede3_cbc();
}

EVP_PKEY *make_exchange_key(void)
{
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
    EVP_PKEY_keygen_init(ctx);
    EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, NID_X9_62_prime256v1);
    EVP_PKEY_keygen(ctx, &key);
    EVP_PKEY_CTX_free(ctx);
    return key;
}
