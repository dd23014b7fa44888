using Microsoft.Data.Sqlite;
using PharmacyRx.Core.Access;
using PharmacyRx.Host.Keys;

namespace PharmacyRx.Host.Tests.Cli;

public class InitCommandTests
{
    [Test]
    public async Task Creates_the_database_the_encrypted_key_and_an_administrator_whose_one_time_password_works()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();

        var adminUser = pharmacy.InitOutput.GetProperty("adminUser").GetString()!;
        var adminPassword = pharmacy.InitOutput.GetProperty("adminPassword").GetString()!;
        var certificate = pharmacy.InitOutput.GetProperty("certificate").GetString()!;
        await using var connection = new SqliteConnection($"Data Source={pharmacy.Data.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT password_hash FROM users WHERE user_name = $name";
        command.Parameters.AddWithValue("$name", adminUser);
        var hash = (string)(await command.ExecuteScalarAsync())!;

        Assert.Multiple(() =>
        {
            Assert.That(adminUser, Is.EqualTo("admin"));
            Assert.That(PasswordHasher.Verify(adminPassword, hash), Is.True);
            Assert.That(hash, Does.Not.Contain(adminPassword));
            Assert.That(certificate, Is.EqualTo(pharmacy.Data.CertificatePath));
            Assert.That(File.ReadAllText(pharmacy.Data.KeyPath), Does.StartWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
            if (!OperatingSystem.IsWindows())
            {
                Assert.That(File.GetUnixFileMode(pharmacy.Data.KeyPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            }
        });
    }

    [Test]
    public async Task Refuses_to_initialize_twice_and_changes_nothing()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        var keyBefore = await File.ReadAllTextAsync(pharmacy.Data.KeyPath);

        var again = await pharmacy.RunAsync("init");

        Assert.That(again.ExitCode, Is.EqualTo(1));
        Assert.That(again.Error, Does.Contain("already initialized"));
        Assert.That(await File.ReadAllTextAsync(pharmacy.Data.KeyPath), Is.EqualTo(keyBefore));
    }

    [Test]
    public async Task Needs_the_key_password_from_the_environment()
    {
        using var pharmacy = new InstalledPharmacy();
        pharmacy.Environment.Clear();

        var run = await pharmacy.RunAsync("init");

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain(KeyPasswordSource.VariableName));
        Assert.That(File.Exists(pharmacy.Data.DatabasePath), Is.False);
    }

    [Test]
    public async Task A_wrong_key_password_stops_ingest_with_a_clear_error()
    {
        using var pharmacy = await InstalledPharmacy.CreateAsync();
        pharmacy.Environment[KeyPasswordSource.VariableName] = "not-the-right-password";

        var run = await pharmacy.IngestAsync(new Testing.SyntheticNewRx());

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain("wrong password"));
    }
}
