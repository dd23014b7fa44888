using PharmacyRx.Host.Integrity;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Integrity;

/// <summary>
/// A chain's several instances on one database, each with its own data folder: the heads each signs, what
/// verify on one of them proves, and the schedulers of two instances never both signing one head.
/// </summary>
public class ChainInstancesTests
{
    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task Verify_on_one_instance_warns_of_the_heads_another_instance_signed_and_finds_nothing_missing()
    {
        using var folder = new TempFolder();
        await using var a = await ChainInstance.StartAsync(folder, "pharmacy-a", secondFolder: null);
        await using var b = await ChainInstance.StartAsync(folder, "pharmacy-b", secondFolder: null);

        var (signedByA, signedByB) = await SignOnEachAsync(a, b);
        var report = await a.Get<ArchiveVerifier>().VerifyTrailAsync(CancellationToken.None);

        Assert.That(report.Problems, Is.Empty, "a head of another instance is not a head this instance lost");
        Assert.That(report.Warnings, Has.Exactly(1).Contains($"signed head {signedByB!.Sequence}").And.Contains("instance pharmacy-b"));
        Assert.That(report.Truncation, Does.Contain($"no truncation provable beyond head {signedByA!.Sequence} "));
        Assert.That(signedByB.Instance, Is.EqualTo("pharmacy-b"));
        Assert.That(await a.SigningDetailsAsync(), Does.Contain($"sequence={signedByB.Sequence}; hash={signedByB.Hash}; instance=pharmacy-b"));
    }

    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task The_shared_second_folder_lets_each_instance_prove_the_heads_of_the_other()
    {
        using var folder = new TempFolder();
        var shared = folder.File("second");
        await using var a = await ChainInstance.StartAsync(folder, "pharmacy-a", shared);
        await using var b = await ChainInstance.StartAsync(folder, "pharmacy-b", shared);

        var (_, signedByB) = await SignOnEachAsync(a, b);
        var report = await a.Get<ArchiveVerifier>().VerifyTrailAsync(CancellationToken.None);

        Assert.That(report.Problems, Is.Empty);
        Assert.That(report.Warnings, Is.Empty, "b's head is checked through its copy in the second folder");
        Assert.That(report.Truncation, Does.Contain($"no truncation provable beyond head {signedByB!.Sequence} "));
    }

    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task A_head_this_instance_signed_whose_file_is_gone_still_fails_beside_another_instance()
    {
        using var folder = new TempFolder();
        await using var a = await ChainInstance.StartAsync(folder, "pharmacy-a", secondFolder: null);
        await using var b = await ChainInstance.StartAsync(folder, "pharmacy-b", secondFolder: null);

        var (signedByA, _) = await SignOnEachAsync(a, b);
        File.Delete(a.Heads.PathOf(signedByA!.Sequence));
        var report = await a.Get<ArchiveVerifier>().VerifyTrailAsync(CancellationToken.None);

        Assert.That(report.Problems, Has.Exactly(1).Contains($"signed head {signedByA.Sequence}").And.Contains("it was deleted"));
    }

    [Test]
    [Property("Rule", "1311.215(a)")]
    public async Task Two_instances_signing_at_once_sign_each_head_once()
    {
        using var folder = new TempFolder();
        await using var a = await ChainInstance.StartAsync(folder, "pharmacy-a", secondFolder: null);
        await using var b = await ChainInstance.StartAsync(folder, "pharmacy-b", secondFolder: null);

        for (var round = 0; round < 20; round++)
        {
            await a.AppendAsync($"round {round}");
            await Task.WhenAll(Task.Run(() => a.Heads.SignAsync(CancellationToken.None)), Task.Run(() => b.Heads.SignAsync(CancellationToken.None)));
        }
        var signings = (await a.SigningDetailsAsync()).Select(d => d[..d.IndexOf(';', StringComparison.Ordinal)]).ToList();

        Assert.That(signings, Has.Count.EqualTo(20));
        Assert.That(signings, Is.Unique);
    }

    // An event written on each instance, then each signs the head: a's head first, then b's.
    private static async Task<(SignedHead? ByA, SignedHead? ByB)> SignOnEachAsync(ChainInstance a, ChainInstance b)
    {
        await a.AppendAsync("written on a");
        var byA = await a.Heads.SignAsync(CancellationToken.None);
        await b.AppendAsync("written on b");
        return (byA, await b.Heads.SignAsync(CancellationToken.None));
    }
}
