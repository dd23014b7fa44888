namespace PharmacyRx.Storage.Audit;

/// <summary>
/// A hashed column of a covered table (<see cref="CoveredRows.ColumnsAsync"/>): its name and the .NET type its values read
/// as, so a dialect that renders each type its own way (<see cref="ISqlText.RowText"/>) knows which it has.
/// </summary>
public sealed record RowColumn(string Name, Type Type);
