using System;
using System.Security.Authentication;
using System.Security.Cryptography;

namespace Bank.Tokens
{
    public sealed class TokenCrypto
    {
        // RSA.Create(1024) was the old default here.
        public RSA SigningKey() => RSA.Create(3072);

        public byte[] Encrypt(byte[] key, byte[] data)
        {
            using var aes = Aes.Create();
            aes.Key = key;
            aes.Mode = CipherMode.ECB;
            using var enc = aes.CreateEncryptor();
            return enc.TransformFinalBlock(data, 0, data.Length);
        }

        public MLKem NewKem() => MLKem.GenerateKey(MLKemAlgorithm.MLKem768);

        public SslProtocols Protocols => SslProtocols.Tls12 | SslProtocols.Tls;

        public string Describe() => "ECDsa.Create(ECCurve.NamedCurves.nistP256)";
    }
}
