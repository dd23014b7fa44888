using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage;

namespace PharmacyRx.Host.WebConsole;

/// <summary>
/// The console's data-protection key ring (what signs antiforgery tokens and the notice cookie), kept in the database:
/// the instances of a chain behind one address accept each other's forms, and a restart does not refuse the forms open in
/// a browser. No file is written beside the data. A key here lets its holder make an antiforgery token, which is of no
/// use without a signed-in session of the same user (the session token is kept only as its hash).
/// </summary>
public sealed class ConsoleKeyRing(Database database, TimeProvider time) : IXmlRepository
{
    // The key ring reads and writes synchronously, a few times a day at most (at start, when a key is made or expires).
    public IReadOnlyCollection<XElement> GetAllElements() => ReadAsync().GetAwaiter().GetResult();

    public void StoreElement(XElement element, string friendlyName) => StoreAsync(element, friendlyName).GetAwaiter().GetResult();

    private async Task<IReadOnlyCollection<XElement>> ReadAsync()
    {
        const string sql = """
            SELECT xml FROM console_keys ORDER BY stored_at, friendly_name
            """;
        await using var connection = await database.OpenAsync(CancellationToken.None);
        return (await connection.QueryAsync<string>(new CommandDefinition(sql))).Select(XElement.Parse).ToArray();
    }

    private async Task StoreAsync(XElement element, string friendlyName)
    {
        const string sql = """
            INSERT INTO console_keys (friendly_name, xml, stored_at) VALUES (@FriendlyName, @Xml, @StoredAt)
            """;
        await database.AuditedAsync<int>(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(sql, new
            {
                FriendlyName = friendlyName,
                Xml = element.ToString(SaveOptions.DisableFormatting),
                StoredAt = ReceiptSeal.FormatTimestamp(time.GetUtcNow()),
            }, transaction));
            return (0, [], true);
        }, CancellationToken.None);
    }
}
