using System.Data.Common;
using Dapper;
using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Receiving;

namespace PharmacyRx.Storage.Audit;

/// <summary>
/// The earlier chain keys in <c>chain_keys</c>, each sealed under the key that replaced it: stored at a rotation, read at
/// start so events written before the rotation still verify. In the database, so every instance and every backup has them.
/// </summary>
public static class ChainKeyStore
{
    /// <summary>Adds to the database's ring the earlier keys sealed under its current key; how many.</summary>
    public static async Task<int> LoadEarlierAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (Database.Of(connection).ChainKeys is not { } keys)
        {
            return 0;
        }
        const string sql = """
            SELECT key_id, sealed FROM chain_keys WHERE sealed_under = @Current
            """;
        var rows = await connection.QueryAsync<(string KeyId, string Sealed)>(new CommandDefinition(sql, new { Current = keys.Current.Id },
            cancellationToken: cancellationToken));
        return keys.AddSealed(rows);
    }

    /// <summary>Seals every key of the ring under <paramref name="successor"/> (a rotation), in the caller's write transaction.</summary>
    public static async Task SealUnderAsync(DbConnection connection, DbTransaction transaction, ChainKeyRing ring, ChainKey successor, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var sql = $"""
            INSERT INTO chain_keys (key_id, sealed_under, sealed, stored_at) VALUES (@KeyId, @Under, @Sealed, @At) {Database.DialectOf(connection).IgnoreDuplicateKey}
            """;
        foreach (var (keyId, sealedKey) in ring.SealAllUnder(successor))
        {
            await connection.ExecuteAsync(new CommandDefinition(sql,
                new { KeyId = keyId, Under = successor.Id, Sealed = sealedKey, At = ReceiptSeal.FormatTimestamp(now) }, transaction, cancellationToken: cancellationToken));
        }
    }
}
