using System.ComponentModel.DataAnnotations;

namespace PharmacyRx.Core.Receiving;

/// <summary>Limits on what <see cref="ScriptMessageReader"/> will read. Bound to the <c>Receiving</c> section.</summary>
public sealed class ScriptReaderOptions
{
    /// <summary>Largest message read, in bytes. Default 1 MiB; a larger message is archived as rejected.</summary>
    [Range(1024, int.MaxValue)]
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>Deepest element nesting read. Default 64; SCRIPT messages nest about 10 deep.</summary>
    [Range(8, 4096)]
    public int MaxDepth { get; set; } = 64;

    /// <summary>
    /// Largest message an entry point accepts at all, in bytes. Default 16 MiB. Messages between
    /// <see cref="MaxMessageBytes"/> and this are archived as rejected; larger ones, at every door, are archived as
    /// Rejected/TooLarge with their length, the SHA-256 of the whole and only their first 64 KiB (HTTP also answers 413).
    /// </summary>
    [Range(1024, int.MaxValue)]
    public int MaxAcceptedBytes { get; set; } = 16 * 1024 * 1024;
}
