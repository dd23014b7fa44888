using System.Data.Common;
using PharmacyRx.Storage.Audit;

namespace PharmacyRx.Storage.Archive;

/// <summary>
/// Where the hashed columns of the archive and search row (in table order, <see cref="CoveredRows"/>) sit among the
/// writer's insert values, so coverage hashes come from those values, not rows read back. A table with a hashed column
/// the writer does not insert gets none (read back instead), as does every table when no coverage is recorded.
/// </summary>
internal sealed class HashedColumns
{
    private const string ArchiveTable = "prescription_archive";
    private const string SearchTable = "prescriptions";

    private readonly int[] _archive;
    private readonly int[] _search;

    private HashedColumns(int[] archive, int[] search)
    {
        _archive = archive;
        _search = search;
    }

    public static async Task<HashedColumns> ReadAsync(DbConnection connection, DbTransaction transaction)
    {
        // Coverage is recorded only on connections with the update hook (CoverageTriggers); otherwise hashing is wasted work.
        if (!Database.DialectOf(connection).WatchesAppendedRows(connection))
        {
            return new HashedColumns([], []);
        }
        return new HashedColumns(
            await OrdinalsAsync(ArchiveTable, PreparedRow.ArchiveColumnNames),
            await OrdinalsAsync(SearchTable, PreparedRow.SearchColumnNames));

        async Task<int[]> OrdinalsAsync(string table, string[] inserted)
        {
            var columns = await CoveredRows.ColumnsAsync(connection, transaction, CoveredTables.Find(table)!, CancellationToken.None);
            var ordinals = columns.Select(column => Array.IndexOf(inserted, column.Name)).ToArray();
            return ordinals.Contains(-1) ? [] : ordinals;
        }
    }

    /// <summary>The archive row's hash from its values (<see cref="PreparedRow.Archive"/>); null when not hashed here.</summary>
    public string? HashArchive(object?[] values) =>
        _archive.Length == 0 ? null : RowHasher.Hash(ArchiveTable, _archive.Select(ordinal => values[ordinal]));

    /// <summary>
    /// The search row's text after its prescription number, when the number is its first hashed column (as the schema has
    /// it): worked out before the number is known, so the writer only prepends the number and hashes.
    /// </summary>
    public string? SearchTail(object?[] values) =>
        _search is [0, .. var rest] ? RowHasher.Text(rest.Select(ordinal => values[ordinal - 1])) : null;

    /// <summary>The search row's hash from its number and values (<see cref="PreparedRow.Search"/>); null when not hashed here.</summary>
    public string? HashSearch(long number, object?[] values, string? tail) =>
        _search.Length == 0 ? null
        : tail is not null && _search[0] == 0 ? RowHasher.HashText(SearchTable, $"{number.ToString(System.Globalization.CultureInfo.InvariantCulture)},{tail}")
        : RowHasher.Hash(SearchTable, _search.Select(ordinal => ordinal == 0 ? number : values[ordinal - 1]));

    /// <summary>The rows one commit wrote, with their hashes, by table (<see cref="AuditAppender.AppendAsync"/>'s <c>written</c>).</summary>
    public sealed class Written(HashedColumns hashed, int capacity)
    {
        private readonly List<(string Key, string Hash)> _archived = new(capacity);
        private readonly List<(string Key, string Hash)> _searchable = new(capacity);

        public IReadOnlyDictionary<string, List<(string Key, string Hash)>> ByTable => new Dictionary<string, List<(string Key, string Hash)>>(StringComparer.Ordinal)
        {
            [ArchiveTable] = _archived,
            [SearchTable] = _searchable,
        };

        /// <summary>Whether search rows are hashed here (so the writer needs their prescription numbers).</summary>
        public bool HashesSearchRows => hashed._search.Length > 0;

        public void Archived(PreparedRow row)
        {
            if ((row.ArchiveHash ?? hashed.HashArchive(row.Archive)) is { } hash)
            {
                _archived.Add((row.ReceiptId, hash));
            }
        }

        public void Searchable(long number, PreparedRow row)
        {
            if (hashed.HashSearch(number, row.Search!, row.SearchTail) is { } hash)
            {
                _searchable.Add((number.ToString(System.Globalization.CultureInfo.InvariantCulture), hash));
            }
        }
    }
}
