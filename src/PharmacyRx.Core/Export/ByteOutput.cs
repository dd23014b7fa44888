using System.Globalization;
using System.Text;

namespace PharmacyRx.Core.Export;

/// <summary>A byte buffer in front of a stream, for writers that compose their output from UTF-8 pieces.</summary>
internal sealed class ByteOutput(Stream stream, int size = 1 << 17) : IDisposable
{
    private readonly byte[] _buffer = new byte[size];
    private int _used;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _buffer.Length - _used)
        {
            Flush();
            if (bytes.Length > _buffer.Length)
            {
                stream.Write(bytes);
                return;
            }
        }
        bytes.CopyTo(_buffer.AsSpan(_used));
        _used += bytes.Length;
    }

    public void Write(byte b)
    {
        if (_used == _buffer.Length)
        {
            Flush();
        }
        _buffer[_used++] = b;
    }

    public void Write(string text) => Write(Encoding.UTF8.GetBytes(text));

    public void Write(long number)
    {
        Span<byte> digits = stackalloc byte[20];
        number.TryFormat(digits, out var length, default, CultureInfo.InvariantCulture);
        Write(digits[..length]);
    }

    public void Flush()
    {
        stream.Write(_buffer, 0, _used);
        _used = 0;
    }

    public void Dispose() => Flush();
}
