using System.Data.Common;

namespace PharmacyRx.Storage;

/// <summary>
/// A parameterised command prepared once on a connection and executed many times with new values. The archive
/// writer's hot path runs three statements per message; preparing them once per connection instead of once per
/// execution is most of its speed. Elsewhere, Dapper with a <c>CommandDefinition</c> is the rule.
/// </summary>
internal sealed class PreparedCommand : IAsyncDisposable
{
    private readonly DbCommand _command;
    private readonly DbParameter[] _parameters;
    private readonly ISqlDialect _dialect;

    public PreparedCommand(DbConnection connection, string sql, params string[] parameterNames)
    {
        _dialect = Database.DialectOf(connection);
        _command = connection.CreateCommand();
        _command.CommandText = sql;
        _parameters = new DbParameter[parameterNames.Length];
        for (var i = 0; i < parameterNames.Length; i++)
        {
            var parameter = _command.CreateParameter();
            parameter.ParameterName = parameterNames[i];
            _command.Parameters.Add(parameter);
            _parameters[i] = parameter;
        }
    }

    public async Task<int> ExecuteAsync(DbTransaction transaction, params object?[] values)
    {
        Bind(transaction, values);
        return await _command.ExecuteNonQueryAsync();
    }

    public async Task<DbDataReader> ReadAsync(DbTransaction transaction, params object?[] values)
    {
        Bind(transaction, values);
        return await _command.ExecuteReaderAsync();
    }

    public ValueTask DisposeAsync() => _command.DisposeAsync();

    private void Bind(DbTransaction transaction, object?[] values)
    {
        _command.Transaction = transaction;
        for (var i = 0; i < values.Length; i++)
        {
            _dialect.Bind(_parameters[i], values[i]);
        }
    }
}
