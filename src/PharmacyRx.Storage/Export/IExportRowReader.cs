using System.Data.Common;

namespace PharmacyRx.Storage.Export;

/// <summary>Runs an export statement on a connection and hands each row to the callback; returns how many rows.</summary>
public interface IExportRowReader
{
    long Read(DbConnection connection, string sql, IReadOnlyList<(string Name, object Value)> parameters, Action<IExportRow> add, CancellationToken cancellationToken);
}
