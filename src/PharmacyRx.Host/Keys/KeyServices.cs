using PharmacyRx.Core.Audit;
using PharmacyRx.Core.Keys;
using PharmacyRx.Host.Backup;

namespace PharmacyRx.Host.Keys;

/// <summary>The pharmacy's signing key and the audit chain's keys when the entry point holds them, and the key history.</summary>
public static class KeyServices
{
    public static IServiceCollection AddKeys(this IServiceCollection services, DataFolder data, PharmacySigningKey? signingKey, ChainKeyRing? chainKeys)
    {
        if (signingKey is not null)
        {
            // Registered by factory so the container disposes (clears) the key when the service stops (1311.205(b)(4)(iv)).
            services.AddSingleton(_ => signingKey);
            // 1311.205(b)(16): the audit chain's key comes with the pharmacy key; without it nothing can be appended.
            services.AddSingleton(_ => new ChainKeyRing(ChainKey.Derive(signingKey)));
        }
        else if (chainKeys is not null)
        {
            // A verb that writes without signing (users, senders, trust, export): it appends keyed events all the same.
            services.AddSingleton(_ => chainKeys);
        }
        // The pharmacy's own certificates, pinned by the copy in Backup:SecondFolder when there is one; `verify --pin` replaces it.
        services.AddSingleton(provider => PharmacyKeyHistory.Load(data, provider.GetRequiredService<BackupOptions>().SecondFolder, pin: null));
        return services;
    }
}
