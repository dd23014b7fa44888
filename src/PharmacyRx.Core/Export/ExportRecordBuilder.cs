using System.Buffers.Binary;
using System.Globalization;

namespace PharmacyRx.Core.Export;

/// <summary>Builds records (and sort keys) in one reusable buffer.</summary>
public sealed class ExportRecordBuilder
{
    private byte[] _buffer = new byte[1024];
    private int _length;
    private bool _first = true;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public void Clear()
    {
        _length = 0;
        _first = true;
    }

    /// <summary>A column's text; a separator or NUL byte in it becomes '?'.</summary>
    public void AppendText(ReadOnlySpan<byte> text)
    {
        var target = Column(text.Length);
        text.CopyTo(target);
        target.Replace(ExportRecord.Separator, (byte)'?');
        target.Replace(ExportRecord.Null, (byte)'?');
    }

    /// <summary>Columns already in record form (separated, checked), appended as they are.</summary>
    public void AppendColumns(ReadOnlySpan<byte> columns) => columns.CopyTo(Column(columns.Length));

    public void AppendNull() => Column(1)[0] = ExportRecord.Null;

    public void AppendNumber(long number)
    {
        Span<byte> digits = stackalloc byte[20];
        number.TryFormat(digits, out var length, default, CultureInfo.InvariantCulture);
        digits[..length].CopyTo(Column(length));
    }

    /// <summary>For sort keys: bytes as they are, no separator.</summary>
    public void AppendRaw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Grow(bytes.Length));

    /// <summary>For sort keys: a non-negative number as 8 big-endian bytes, which order as the number does.</summary>
    public void AppendOrdered(long number) => BinaryPrimitives.WriteInt64BigEndian(Grow(8), number);

    private Span<byte> Column(int length)
    {
        if (!_first)
        {
            Grow(1)[0] = ExportRecord.Separator;
        }
        _first = false;
        return Grow(length);
    }

    private Span<byte> Grow(int length)
    {
        if (_length + length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + length));
        }
        var span = _buffer.AsSpan(_length, length);
        _length += length;
        return span;
    }
}
