using System.Text;
using PharmacyRx.Core.Export;
using PharmacyRx.Storage.Export;
using PharmacyRx.Testing;

namespace PharmacyRx.Storage.Tests.Export;

public class ExportSorterTests
{
    /// <summary>Collects what a sorter writes.</summary>
    private sealed class Collected : IExportWriter
    {
        public List<string> Records { get; } = [];

        public void Write(ReadOnlySpan<byte> record) => Records.Add(Encoding.UTF8.GetString(record));

        public void Complete(ExportDescription description, long rows)
        {
        }

        public void Dispose()
        {
        }
    }

    [TestCase(1 << 20, 0)]
    [TestCase(4096, 2)]
    public void Rows_come_out_in_ordinal_key_order_whether_or_not_they_spill_to_runs(int chunkBytes, int atLeastRuns)
    {
        using var folder = new TempFolder();
        var random = new Random(1311);
        // Keys with shared prefixes, accents (multi-byte UTF-8) and different lengths; records of different lengths.
        var keys = Enumerable.Range(0, 2_000)
            .Select(i => $"{"abcé"[random.Next(4)]}{"xyz"[random.Next(3)]}{new string('m', random.Next(3))}\0{i:D5}")
            .ToArray();
        var collected = new Collected();
        int runs;
        using (var sorter = new ExportSorter(folder.Path, chunkBytes))
        {
            foreach (var key in keys)
            {
                sorter.Add(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes($"record of {key} {new string('r', key.Length % 7)}"));
            }
            Assert.That(sorter.WriteTo(collected), Is.EqualTo(keys.Length));
            runs = sorter.Runs;
        }

        var expected = keys.OrderBy(k => Encoding.UTF8.GetBytes(k), Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)))
            .Select(k => $"record of {k} {new string('r', k.Length % 7)}");
        Assert.That(collected.Records, Is.EqualTo(expected));
        Assert.That(runs, Is.GreaterThanOrEqualTo(atLeastRuns));
        Assert.That(Directory.EnumerateFiles(folder.Path), Is.Empty, "run files are deleted");
    }
}
