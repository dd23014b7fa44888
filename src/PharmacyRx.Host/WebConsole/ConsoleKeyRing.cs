using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Storage;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Host.WebConsole;

/// <summary>
/// The console's data-protection key ring (antiforgery tokens, the notice cookie), kept in the database, not beside it,
/// so a chain's instances accept each other's forms and a restart keeps open forms valid. Each key is sealed under the
/// chain key (AES-256-GCM, its name as associated data): someone with the file can neither read nor plant one.
/// </summary>
public sealed class ConsoleKeyRing(Database database, TimeProvider time) : IXmlRepository
{
    private const string Purpose = "console data-protection key";

    // The key ring reads and writes synchronously, a few times a day at most (at start, when a key is made or expires).
    public IReadOnlyCollection<XElement> GetAllElements() => ReadAsync().GetAwaiter().GetResult();

    public void StoreElement(XElement element, string friendlyName) => StoreAsync(element, friendlyName).GetAwaiter().GetResult();

    private async Task<IReadOnlyCollection<XElement>> ReadAsync()
    {
        const string select = """
            SELECT friendly_name, xml FROM console_keys ORDER BY stored_at, friendly_name
            """;
        await using var connection = await database.OpenAsync(CancellationToken.None);
        var keys = database.ChainKeys ?? throw new ChainKeyUnavailableException();
        // A row that does not open under the chain key (written in the clear before keys were sealed, or planted) is no key.
        return (await connection.QueryAsync<(string FriendlyName, string Xml)>(new CommandDefinition(select)))
            .Select(row => keys.Open(row.Xml, Purpose, row.FriendlyName))
            .OfType<byte[]>()
            .Select(bytes => XElement.Parse(System.Text.Encoding.UTF8.GetString(bytes)))
            .ToArray();
    }

    // A key lets its holder make an antiforgery token, of no use without a signed-in session of the same user (session
    // tokens are kept only as hashes).
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
                Xml = (database.ChainKeys ?? throw new ChainKeyUnavailableException()).Current.Seal(
                    System.Text.Encoding.UTF8.GetBytes(element.ToString(SaveOptions.DisableFormatting)), Purpose, friendlyName),
                StoredAt = ReceiptSeal.FormatTimestamp(time.GetUtcNow()),
            }, transaction));
            return (0, [], true);
        }, CancellationToken.None);
    }
}
