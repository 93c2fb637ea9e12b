#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/ssl.h>

#define RSA_KEY_BITS 2048

/* Old code: RSA_generate_key(1024, RSA_F4, NULL, NULL); */
EVP_PKEY *make_rsa(void)
{
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);

    if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0)
        goto err;
    if (EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, RSA_KEY_BITS) <= 0)
        goto err;
    EVP_PKEY_keygen(ctx, &pkey);
err:
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

EVP_PKEY *make_kem(void)
{
    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_from_name(NULL, "ML-KEM-768", NULL);
    EVP_PKEY *k = NULL;
    EVP_PKEY_keygen_init(kctx);
    EVP_PKEY_generate(kctx, &k);
    EVP_PKEY_CTX_free(kctx);
    return k;
}

SSL_CTX *make_ctx(void)
{
    SSL_CTX *c = SSL_CTX_new(TLS_method());
    SSL_CTX_set_min_proto_version(c, TLS1_VERSION);
    SSL_CTX_set1_groups_list(c, "X25519:P-256");
    puts("EVP_md5() is not used");
    return c;
}
