namespace PharmacyRx.Storage;

/// <summary>
/// An engine's full-text index of patients' name words (SQLite FTS5, one document a prescription, its number the rowid),
/// which finds the prescriptions whose name has a word starting with each of several words without reading each word's
/// whole range: <see cref="Insert"/> (<c>@Number</c>, <c>@Words</c>), the highest number indexed, and the matching
/// numbers with their moment of receipt for the match value <see cref="Match"/> makes (bound as <c>@NameMatch</c>), and
/// <see cref="HighestMatching"/>: the same for the <c>@Candidates</c> highest-numbered matches only, read from the index in
/// number order without reading the others.
/// </summary>
public sealed record NameWordsIndex(string Insert, string IndexedUpTo, string Matching, string HighestMatching, Func<IReadOnlyList<string>, string> Match);
