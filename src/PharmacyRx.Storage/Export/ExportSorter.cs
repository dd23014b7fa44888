using System.Buffers.Binary;
using PharmacyRx.Core.Export;

namespace PharmacyRx.Storage.Export;

/// <summary>
/// Puts export rows in order in bounded memory (two chunks and a read buffer per run, whatever the number of rows): an
/// external merge sort on byte keys, ordinal as SQLite's BINARY collation. Keys must be unique (they end with the
/// prescription number and the dispensing's id), so the order is total.
/// </summary>
public sealed class ExportSorter : IDisposable
{
    /// <summary>The default chunk: 32 MiB, about 100,000 rows.</summary>
    public const int DefaultChunkBytes = 32 << 20;

    private const int RunBufferBytes = 1 << 18;

    private readonly string _folder;
    private readonly List<string> _runs = [];
    private Chunk _filling;
    private Chunk _spare;
    private Task _spilling = Task.CompletedTask;

    /// <param name="folder">Where run files go; each is deleted when the sorter is disposed.</param>
    /// <param name="chunkBytes">Bytes of rows held before a run is written.</param>
    public ExportSorter(string folder, int chunkBytes = DefaultChunkBytes)
    {
        _folder = folder;
        _filling = new Chunk(chunkBytes);
        _spare = new Chunk(chunkBytes);
    }

    /// <summary>How many run files were written (0 when everything fitted in one chunk).</summary>
    public int Runs => _runs.Count;

    public void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> record)
    {
        if (!_filling.TryAdd(key, record))
        {
            // Wait for the run before last, then write this one while the other chunk fills.
            _spilling.GetAwaiter().GetResult();
            var full = _filling;
            (_filling, _spare) = (_spare, full);
            var path = Path.Combine(_folder, $"run-{Guid.NewGuid():N}.tmp");
            _runs.Add(path);
            _spilling = Task.Run(() => full.SortAndWrite(path));
            if (!_filling.TryAdd(key, record))
            {
                _filling = new Chunk(Chunk.Size(key, record));
                _filling.TryAdd(key, record);
            }
        }
    }

    /// <summary>Writes every row in key order; returns how many.</summary>
    public long WriteTo(IExportWriter writer) => WriteTo([this], writer);

    /// <summary>Writes the rows of several sorters (filled side by side) as one sequence in key order; returns how many.</summary>
    public static long WriteTo(IReadOnlyList<ExportSorter> sorters, IExportWriter writer)
    {
        var sources = new List<ISortedSource>();
        try
        {
            foreach (var sorter in sorters)
            {
                sorter._spilling.GetAwaiter().GetResult();
                sorter._filling.Sort();
                sources.Add(sorter._filling.Sorted());
                sources.AddRange(sorter._runs.Select(path => (ISortedSource)new RunReader(path)));
            }
            return Merge(sources, writer);
        }
        finally
        {
            foreach (var source in sources)
            {
                (source as IDisposable)?.Dispose();
            }
        }
    }

    public void Dispose()
    {
        try
        {
            _spilling.GetAwaiter().GetResult();
        }
        finally
        {
            foreach (var run in _runs)
            {
                File.Delete(run);
            }
        }
    }

    // A k-way merge over a binary heap of sources ordered by their current key.
    private static long Merge(List<ISortedSource> sources, IExportWriter writer)
    {
        var heap = sources.Where(s => s.MoveNext()).ToArray();
        var size = heap.Length;
        for (var i = size / 2 - 1; i >= 0; i--)
        {
            SiftDown(heap, i, size);
        }
        long rows = 0;
        while (size > 0)
        {
            writer.Write(heap[0].Record);
            rows++;
            if (!heap[0].MoveNext())
            {
                heap[0] = heap[--size];
            }
            SiftDown(heap, 0, size);
        }
        return rows;
    }

    private static void SiftDown(ISortedSource[] heap, int i, int size)
    {
        while (true)
        {
            var smallest = i;
            var left = 2 * i + 1;
            var right = left + 1;
            if (left < size && heap[left].Key.SequenceCompareTo(heap[smallest].Key) < 0)
            {
                smallest = left;
            }
            if (right < size && heap[right].Key.SequenceCompareTo(heap[smallest].Key) < 0)
            {
                smallest = right;
            }
            if (smallest == i)
            {
                return;
            }
            (heap[i], heap[smallest]) = (heap[smallest], heap[i]);
            i = smallest;
        }
    }

    private interface ISortedSource
    {
        ReadOnlySpan<byte> Key { get; }
        ReadOnlySpan<byte> Record { get; }
        bool MoveNext();
    }

    // Rows as [key length][record length][key][record], and where each starts.
    private sealed class Chunk(int bytes)
    {
        private readonly byte[] _buffer = new byte[bytes];
        private int[] _starts = new int[4096];
        private int _count;
        private int _used;

        public static int Size(ReadOnlySpan<byte> key, ReadOnlySpan<byte> record) => 8 + key.Length + record.Length;

        public bool TryAdd(ReadOnlySpan<byte> key, ReadOnlySpan<byte> record)
        {
            var size = Size(key, record);
            if (size > _buffer.Length - _used)
            {
                return false;
            }
            if (_count == _starts.Length)
            {
                Array.Resize(ref _starts, _count * 2);
            }
            _starts[_count++] = _used;
            var span = _buffer.AsSpan(_used, size);
            BinaryPrimitives.WriteInt32LittleEndian(span, key.Length);
            BinaryPrimitives.WriteInt32LittleEndian(span[4..], record.Length);
            key.CopyTo(span[8..]);
            record.CopyTo(span[(8 + key.Length)..]);
            _used += size;
            return true;
        }

        public void Sort() => _starts.AsSpan(0, _count).Sort(new KeyComparer(_buffer));

        public void SortAndWrite(string path)
        {
            Sort();
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, RunBufferBytes))
            {
                for (var i = 0; i < _count; i++)
                {
                    var start = _starts[i];
                    file.Write(_buffer, start, Length(_buffer, start));
                }
            }
            _count = 0;
            _used = 0;
        }

        public ISortedSource Sorted() => new ChunkSource(this);

        private static int Length(byte[] buffer, int start) =>
            8 + BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(start)) + BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(start + 4));

        private static ReadOnlySpan<byte> KeyAt(byte[] buffer, int start) =>
            buffer.AsSpan(start + 8, BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(start)));

        private readonly struct KeyComparer(byte[] buffer) : IComparer<int>
        {
            public int Compare(int x, int y) => KeyAt(buffer, x).SequenceCompareTo(KeyAt(buffer, y));
        }

        private sealed class ChunkSource(Chunk chunk) : ISortedSource
        {
            private int _index = -1;

            private int Start => chunk._starts[_index];

            public ReadOnlySpan<byte> Key => KeyAt(chunk._buffer, Start);

            public ReadOnlySpan<byte> Record
            {
                get
                {
                    var keyLength = BinaryPrimitives.ReadInt32LittleEndian(chunk._buffer.AsSpan(Start));
                    var recordLength = BinaryPrimitives.ReadInt32LittleEndian(chunk._buffer.AsSpan(Start + 4));
                    return chunk._buffer.AsSpan(Start + 8 + keyLength, recordLength);
                }
            }

            public bool MoveNext() => ++_index < chunk._count;
        }
    }

    // Reads a run file sequentially through one buffer; a row that crosses the buffer's end is moved to its front.
    private sealed class RunReader(string path) : ISortedSource, IDisposable
    {
        private readonly FileStream _file = new(path, FileMode.Open, FileAccess.Read, FileShare.None, 1, FileOptions.SequentialScan);
        private byte[] _buffer = new byte[RunBufferBytes];
        private int _filled;
        private int _position;
        private int _keyLength;
        private int _recordLength;
        private int _start;

        public ReadOnlySpan<byte> Key => _buffer.AsSpan(_start + 8, _keyLength);

        public ReadOnlySpan<byte> Record => _buffer.AsSpan(_start + 8 + _keyLength, _recordLength);

        public bool MoveNext()
        {
            if (!Ensure(8))
            {
                return false;
            }
            var keyLength = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_position));
            var recordLength = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_position + 4));
            if (!Ensure(8 + keyLength + recordLength))
            {
                throw new InvalidDataException($"run file {path} ends inside a row");
            }
            (_start, _keyLength, _recordLength) = (_position, keyLength, recordLength);
            _position += 8 + keyLength + recordLength;
            return true;
        }

        public void Dispose() => _file.Dispose();

        private bool Ensure(int bytes)
        {
            if (_filled - _position >= bytes)
            {
                return true;
            }
            var remaining = _filled - _position;
            if (bytes > _buffer.Length)
            {
                var larger = new byte[bytes];
                _buffer.AsSpan(_position, remaining).CopyTo(larger);
                _buffer = larger;
            }
            else
            {
                _buffer.AsSpan(_position, remaining).CopyTo(_buffer);
            }
            _position = 0;
            _filled = remaining;
            while (_filled < bytes && _file.Read(_buffer, _filled, _buffer.Length - _filled) is var read and > 0)
            {
                _filled += read;
            }
            return _filled - _position >= bytes;
        }
    }
}
