namespace PharmacyRx.Storage.Export;

/// <summary>The current row of an export statement, as the dialect's reader holds it: numbers, and text as UTF-8 bytes.</summary>
public interface IExportRow
{
    long Number(int column);

    bool IsNull(int column);

    ReadOnlySpan<byte> Utf8(int column);
}
