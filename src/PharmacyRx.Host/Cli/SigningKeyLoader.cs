using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Keys;

namespace PharmacyRx.Host.Cli;

/// <summary>Loads the pharmacy key with the password from the environment, clearing the password afterwards.</summary>
internal static class SigningKeyLoader
{
    public static PharmacySigningKey? Load(DataFolder data, CliEnvironment environment)
    {
        if (!StorageProvider.IsInitialized(CommandContext.Configuration(), data))
        {
            environment.Error.WriteLine($"error: {data.Root} is not initialized; run 'pharmacyrx init --data {data.Root}'");
            return null;
        }
        var password = KeyPasswordSource.Read(environment.GetVariable, out var problem);
        if (password is null)
        {
            environment.Error.WriteLine($"error: {problem}");
            return null;
        }
        try
        {
            return PharmacyKeyFiles.Load(data.KeyPath, data.CertificatePath, password);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            environment.Error.WriteLine($"error: the pharmacy key could not be opened (wrong password?): {ex.Message}");
            return null;
        }
    }
}
