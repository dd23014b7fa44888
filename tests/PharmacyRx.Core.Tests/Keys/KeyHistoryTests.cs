using PharmacyRx.Core.Keys;

namespace PharmacyRx.Core.Tests.Keys;

public class KeyHistoryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    [Test]
    public void A_rotation_signed_by_the_previous_key_holds_under_the_first_certificates_pin()
    {
        using var first = PharmacySigningKey.Generate("Synthetic Pharmacy", Now);
        using var second = PharmacySigningKey.Generate("Synthetic Pharmacy", Now.AddDays(30));
        using var third = PharmacySigningKey.Generate("Synthetic Pharmacy", Now.AddDays(60));

        var history = KeyHistory.Start(first.Certificate, Now)
            .Rotate(first, second.Certificate, Now.AddDays(30))
            .Rotate(second, third.Certificate, Now.AddDays(60));
        var stored = KeyHistory.FromJson(history.ToJson(), out _)!;

        Assert.That(stored.Check(first.Thumbprint, out var trusted), Is.Empty);
        Assert.That(trusted, Is.EqualTo(3));
        Assert.That(stored.Pin, Is.EqualTo(first.Thumbprint));
        Assert.That(stored.Certificates(trusted).Keys, Is.EquivalentTo(new[] { first.Thumbprint, second.Thumbprint, third.Thumbprint }));
    }

    [Test]
    public void A_rotation_signed_by_any_other_key_is_refused_and_nothing_from_it_on_is_trusted()
    {
        using var first = PharmacySigningKey.Generate("Synthetic Pharmacy", Now);
        using var forged = PharmacySigningKey.Generate("Synthetic Pharmacy", Now);
        using var later = PharmacySigningKey.Generate("Synthetic Pharmacy", Now);
        // The intruder's key signs its own entry, then rotates on from it correctly.
        var genuine = KeyHistory.Start(first.Certificate, Now);
        var selfSigned = KeyHistory.Start(forged.Certificate, Now).Rotate(forged, later.Certificate, Now.AddDays(1));
        var spliced = KeyHistory.FromJson(System.Text.Encoding.UTF8.GetBytes(
            $$"""{"entries":[{{Entry(genuine, 0)}},{{Entry(KeyHistory.Start(forged.Certificate, Now).Rotate(forged, forged.Certificate, Now), 1)}},{{Entry(selfSigned, 1)}}]}"""), out _)!;

        var problems = spliced.Check(first.Thumbprint, out var trusted);

        Assert.That(problems, Has.Some.Contains($"entry 2 ({forged.Thumbprint}) is not signed by the previous key"));
        Assert.That(trusted, Is.EqualTo(1));
        Assert.That(spliced.Certificates(trusted).Keys, Is.EqualTo(new[] { first.Thumbprint }));
    }

    [Test]
    public void A_history_that_does_not_start_with_the_pin_trusts_nothing()
    {
        using var first = PharmacySigningKey.Generate("Synthetic Pharmacy", Now);
        using var other = PharmacySigningKey.Generate("Synthetic Pharmacy", Now);

        var problems = KeyHistory.Start(first.Certificate, Now).Check(other.Thumbprint, out var trusted);

        Assert.That(problems, Is.EqualTo(new[] { $"its first certificate is {first.Thumbprint}, not the pinned {other.Thumbprint}" }));
        Assert.That(trusted, Is.Zero);
    }

    [Test]
    public void An_entry_whose_thumbprint_is_not_its_certificates_is_refused()
    {
        using var first = PharmacySigningKey.Generate("Synthetic Pharmacy", Now);
        using var other = PharmacySigningKey.Generate("Synthetic Pharmacy", Now);
        var json = System.Text.Encoding.UTF8.GetString(KeyHistory.Start(first.Certificate, Now).ToJson()).Replace(first.Thumbprint, other.Thumbprint, StringComparison.Ordinal);

        var problems = KeyHistory.FromJson(System.Text.Encoding.UTF8.GetBytes(json), out _)!.Check(other.Thumbprint, out var trusted);

        Assert.That(problems, Has.Some.Contains("does not hold the certificate its thumbprint names"));
        Assert.That(trusted, Is.Zero);
    }

    private static string Entry(KeyHistory history, int index) =>
        System.Text.Json.Nodes.JsonNode.Parse(history.ToJson())!["entries"]![index]!.ToJsonString();
}
