namespace PharmacyRx.Core.Receiving;

/// <summary>The current element path ("/Message/Header/To") kept in one growing buffer, so lookups allocate nothing.</summary>
internal sealed class PathBuffer
{
    private char[] _buffer = new char[256];
    private readonly Stack<int> _starts = new();
    private int _length;

    public int Depth => _starts.Count;

    public ReadOnlySpan<char> Current => _buffer.AsSpan(0, _length);

    /// <summary>The last non-empty segment of the path.</summary>
    public ReadOnlySpan<char> LastSegment => Current[(Current.LastIndexOf('/') + 1)..];

    /// <summary>Pushes a segment; an empty segment keeps the depth but adds nothing to the path.</summary>
    public void Push(string segment)
    {
        _starts.Push(_length);
        if (segment.Length == 0)
        {
            return;
        }
        var needed = _length + 1 + segment.Length;
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }
        _buffer[_length] = '/';
        segment.CopyTo(_buffer.AsSpan(_length + 1));
        _length = needed;
    }

    public void Pop() => _length = _starts.Pop();
}
