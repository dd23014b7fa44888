using PharmacyRx.Core.Verification;
using PharmacyRx.Testing;

namespace PharmacyRx.Core.Tests.Verification;

/// <summary>
/// NIST PKITS sections 4.1 (signature verification), 4.2 (validity periods), 4.3 (name chaining) and 4.4 (basic
/// certificate revocation) from <c>tests/testdata/pkits/</c> (copied from the shared test data, with its SHA256SUMS), validated at 2010-01-01 with the algorithm policy
/// relaxed for this data only. The expected results for 4.2 and 4.3 are transcribed beside this file.
/// </summary>
public class PkitsConformanceTests
{
    private static readonly string Folder = Path.GetFullPath(Path.Combine(RepositoryRoot.Path, "tests", "testdata", "pkits"));
    private static readonly DateTimeOffset At = new(2010, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public sealed record PkitsCase(string Number, string Name, bool Valid, string[] Path, string[] Crls)
    {
        public override string ToString() => $"{Number} {Name}";
    }

    private static IEnumerable<TestCaseData> Cases() => File.ReadAllLines(Path.Combine(Folder, "pkits_4.1_4.4_expected.tsv"))
        .Concat(File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "tests", "PharmacyRx.Core.Tests", "Verification", "pkits_4.2_4.3_expected.tsv")))
        .Where(line => line.Length > 0 && !line.StartsWith('#'))
        .Select(line => line.Split('\t'))
        .Select(columns => new TestCaseData(new PkitsCase(columns[0], columns[1], columns[2] == "valid", columns[3].Split(','), columns[4].Split(',')))
            .SetName($"PKITS {columns[0]} {columns[1]} is {columns[2]}"));

    [TestCaseSource(nameof(Cases))]
    public void Matches_the_expected_result(PkitsCase test)
    {
        var validator = new CertificatePathValidator([Certificate(test.Path[0])], AlgorithmPolicy.ConformanceTesting);
        var chain = test.Path[1..].Reverse().Select(Certificate).ToArray();
        var crls = test.Crls.Select(name => File.ReadAllBytes(Path.Combine(Folder, "PKITS", "crls", name + ".crl"))).ToArray();

        var result = validator.Validate(chain, crls, At);

        TestContext.Out.WriteLine($"{test}: {(result.IsValid ? "valid" : result.Reason)}");
        Assert.That(result.IsValid, Is.EqualTo(test.Valid), $"{test}: {result.Reason}");
    }

    [Test]
    public void Covers_every_test_of_sections_4_1_to_4_4()
    {
        var numbers = Cases().Select(c => ((PkitsCase)c.Arguments[0]!).Number).ToArray();

        Assert.That(numbers.Count(n => n.StartsWith("4.1.", StringComparison.Ordinal)), Is.EqualTo(6));
        Assert.That(numbers.Count(n => n.StartsWith("4.2.", StringComparison.Ordinal)), Is.EqualTo(8));
        Assert.That(numbers.Count(n => n.StartsWith("4.3.", StringComparison.Ordinal)), Is.EqualTo(11));
        Assert.That(numbers.Count(n => n.StartsWith("4.4.", StringComparison.Ordinal)), Is.EqualTo(21));
    }

    private static byte[] Certificate(string name) => File.ReadAllBytes(Path.Combine(Folder, "PKITS", "certs", name + ".crt"));
}
