namespace PharmacyRx.Host;

/// <summary>The files of one pharmacy's installation under <c>--data DIR</c>.</summary>
public sealed class DataFolder(string root)
{
    public string Root { get; } = Path.GetFullPath(root);
    /// <summary>The SQLite file, on <c>Storage:Provider</c> = Sqlite only (<see cref="StorageProvider.DatabaseFile"/>).</summary>
    public string DatabasePath => Path.Combine(Root, "pharmacyrx.db");
    public string KeysFolder => Path.Combine(Root, "keys");
    public string KeyPath => Path.Combine(KeysFolder, "pharmacy-key.p8.pem");
    public string CertificatePath => Path.Combine(KeysFolder, "pharmacy.crt");

    /// <summary>Every certificate the pharmacy has signed with, each rotation signed by the previous key (<see cref="Keys.PharmacyKeyHistory"/>).</summary>
    public string KeyHistoryPath => Path.Combine(KeysFolder, "history.json");
    public string Inbox => Path.Combine(Root, "inbox");

    /// <summary>Where the API writes an export before streaming it; each file is deleted as its response closes.</summary>
    public string ExportsFolder => Path.Combine(Root, "exports");

    /// <summary>Where a chunked inbound body past its first MiB waits until it is known to fit; each file is deleted as it closes.</summary>
    public string InboundSpillFolder => Path.Combine(Root, "inbound");

    /// <summary>init wrote the pharmacy's key and certificate here; whether the database is there too is <see cref="StorageProvider.IsInitialized"/>.</summary>
    public bool HasKeys => File.Exists(KeyPath) && File.Exists(CertificatePath);
}
