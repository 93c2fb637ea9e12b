using System.Security.Cryptography;

namespace ExampleBank.BranchKiosk;

/// <summary>Keys for branch kiosks: terminal authentication and PIN pad sessions.</summary>
public static class KioskCrypto
{
    public static RSA TerminalKey() => RSA.Create(2048);

    // Old PIN pads only speak RSA-1024 key transport.
    public static RSACryptoServiceProvider PinPadKey() => new RSACryptoServiceProvider(1024);

    public static ECDsa ReceiptSigningKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public static SymmetricAlgorithm PinPadSession() => TripleDES.Create();
}
