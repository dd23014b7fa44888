using System.Security.Cryptography;
using PharmacyRx.Core.Audit;

namespace PharmacyRx.Testing;

/// <summary>A fixed, synthetic audit chain key for stores the tests open directly (the service derives its own from the pharmacy key).</summary>
public static class TestChainKeys
{
    private static readonly byte[] Key = SHA256.HashData("synthetic chain key for tests"u8);

    /// <summary>A ring holding the test chain key (a new one each call: a ring is disposed with its database's owner).</summary>
    public static ChainKeyRing Ring() => new(ChainKey.FromBytes(Key));
}
